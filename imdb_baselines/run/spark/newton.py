"""liblinear's primal solver on Spark: the trust-region Newton method of :mod:`imdb_baselines.run.newton` with the rows
on the executors.

The local baselines fit with liblinear, which solves its problems to a tight tolerance. Spark's
``LinearSVC`` minimises the (non-smooth) hinge loss with L-BFGS and, on NBSVM's millions of rarely seen
n-grams, stops far from the minimiser (``README.md``, "Beyond one machine"). Here each function value,
gradient and Hessian-vector product is one distributed pass: the executors hold their rows as SciPy CSR
blocks and return partial sums that Spark adds up with ``treeReduce``; the driver only keeps vectors of the
number of features.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import numpy as np
import scipy.sparse as sp

from imdb_baselines.run.newton import (
    MAX_ITER,
    TOL,
    Block,
    LinearProblem,
    block_hessian_product,
    block_value_and_gradient,
    trust_region_newton,
)

__all__ = ["MAX_ITER", "TOL", "LinearProblem", "fit_linear", "to_blocks"]

logger = logging.getLogger(__name__)


def to_blocks(frame, features: str, label: str = "y"):
    """The rows of ``frame`` as one CSR block per partition (a last column of ones), kept in memory and on disk.

    Returns an RDD of ``(csr_matrix, labels)``; ``unpersist()`` it when done.
    """
    from pyspark import StorageLevel

    def build(rows: Iterator[Any]) -> Iterator[Block]:
        indptr, indices, values, labels = [0], [], [], []
        size = None
        for row in rows:
            vector = row[0]
            size = vector.size
            if hasattr(vector, "indices"):
                columns, entries = vector.indices, vector.values
            else:  # a dense vector: keep its non-zero entries
                dense = vector.toArray()
                columns = np.flatnonzero(dense)
                entries = dense[columns]
            indices.append(np.append(columns, size))
            values.append(np.append(entries, 1.0))
            indptr.append(indptr[-1] + len(columns) + 1)
            labels.append(row[1])
        if size is None:
            return
        X = sp.csr_matrix((np.concatenate(values), np.concatenate(indices).astype(np.int32), indptr),
                          shape=(len(labels), size + 1))
        yield X, np.asarray(labels)

    return frame.select(features, label).rdd.mapPartitions(build).persist(StorageLevel.MEMORY_AND_DISK)


def fit_linear(blocks, n_features: int, problem: LinearProblem, *, tol: float = TOL,
               max_iter: int = MAX_ITER) -> tuple[np.ndarray, float, int]:
    """Fit ``problem`` on ``blocks`` (from :func:`to_blocks`): weights, bias and Newton iterations."""
    context = blocks.context
    passes = 0

    def value_and_gradient(w: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        nonlocal passes
        passes += 1
        shared = context.broadcast(w)
        try:
            return blocks.map(lambda block: block_value_and_gradient(block, shared.value, problem)) \
                .treeReduce(lambda a, b: (a[0] + b[0], a[1] + b[1], a[2] + b[2]))
        finally:
            shared.unpersist()

    at: list = [None, None]  # the point of the Hessian products and its broadcast, sent once per Newton step

    def hessian_product(w: np.ndarray, v: np.ndarray) -> np.ndarray:
        nonlocal passes
        passes += 1
        if at[0] is not w:
            if at[1] is not None:
                at[1].unpersist()
            at[:] = [w, context.broadcast(w)]
        point, direction = at[1], context.broadcast(v)
        try:
            return blocks.map(lambda block: block_hessian_product(block, point.value, direction.value, problem)) \
                .treeReduce(lambda a, b: a + b)
        finally:
            direction.unpersist()

    try:
        w, iterations = trust_region_newton(value_and_gradient, hessian_product, n_features + 1, tol=tol,
                                            max_iter=max_iter)
    finally:
        if at[1] is not None:
            at[1].unpersist()
    logger.info("Newton on Spark: %d iterations, %d passes over the data", iterations, passes)
    return w[:-1], float(w[-1]), iterations
