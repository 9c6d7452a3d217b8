"""The three baselines fitted from chunks of hashed n-gram counts, with memory that does not grow with the corpus.

Each baseline's pipeline is the catalogue's own (:func:`imdb_baselines.catalog.make_model`) with hashed
n-grams, and what is fitted is that pipeline, so it is saved, served and explained like a model of the
local engine:

- Naive Bayes sums its counts a chunk at a time (``MultinomialNB.partial_fit``): exactly the local fit.
- The linear SVM counts document frequencies in the reading pass, which gives the TF-IDF weights, and
  NBSVM its class totals, which give the log-count ratio r; both are exact. Their rows are written to
  files on disk meanwhile (:class:`BlockSpool`), and the linear model is then fitted by liblinear's
  trust-region Newton method (:mod:`imdb_baselines.run.newton`), one pass over the files per function
  value, gradient or Hessian product. It minimises liblinear's own objective (the squared hinge, or the
  logistic loss, with the bias regularised, and each class's ``C`` weighed as liblinear weighs it for
  ``class_weight``), so the model is ``LinearSVC``'s up to the solvers' tolerances.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from imdb_baselines.run.newton import (
    LinearProblem,
    block_hessian_product,
    block_value_and_gradient,
    liblinear_costs,
    trust_region_newton,
)

__all__ = ["BlockSpool", "ChunkedFit", "chunked_fit"]

logger = logging.getLogger(__name__)


class BlockSpool:
    """Row blocks of a sparse matrix in files of a folder the spool makes (and removes in :meth:`close`).

    Parameters
    ----------
    parent : path, optional
        Where the spool's folder is made (default: the system's temporary folder, ``$TMPDIR``).
    """

    def __init__(self, parent: str | Path | None = None) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="imdb-baselines-spool-", dir=parent))
        self.blocks = 0
        self.bytes = 0

    def add(self, matrix: sp.csr_matrix, labels: np.ndarray, *, values: bool = True) -> None:
        """Keep ``matrix``'s rows (with their values in float32, or without: a binary matrix) and ``labels``."""
        arrays = {"indptr": matrix.indptr.astype(np.int64), "indices": matrix.indices.astype(np.int32),
                  "labels": np.asarray(labels), "shape": np.asarray(matrix.shape)}
        if values:
            arrays["data"] = matrix.data.astype(np.float32)
        path = self.folder / f"{self.blocks:06d}.npz"
        np.savez(path, **arrays)
        self.blocks += 1
        self.bytes += path.stat().st_size

    def __iter__(self) -> Iterator[tuple[sp.csr_matrix, np.ndarray]]:
        """The blocks in the order they were added, as float64 CSR (a binary block's values are ones)."""
        for number in range(self.blocks):
            with np.load(self.folder / f"{number:06d}.npz") as arrays:
                indices = arrays["indices"]
                data = arrays["data"].astype(np.float64) if "data" in arrays else np.ones(len(indices))
                yield sp.csr_matrix((data, indices, arrays["indptr"]), shape=tuple(arrays["shape"])), arrays["labels"]

    def close(self) -> None:
        """Remove the spool's own folder and files."""
        shutil.rmtree(self.folder, ignore_errors=True)


class ChunkedFit:
    """One catalogue baseline fitted from chunks: :meth:`add` each chunk of training rows, then :meth:`finish`.

    Parameters
    ----------
    model : Pipeline
        The catalogue's pipeline (``vectorizer`` with ``hash_bits``, then the classifier and its transforms).
    classes : sequence
        Every class, in the split's order.
    spool_dir : path, optional
        Where the linear models' rows are kept meanwhile.
    """

    def __init__(self, model, classes, spool_dir: str | Path | None = None) -> None:
        from baselines.naive_bayes import NaiveBayesClassifier
        from baselines.nbsvm import NBSVMClassifier

        self.vectorizer = vectorizer = model.named_steps["vectorizer"]
        if not vectorizer.hashed:
            raise ValueError("The chunked engine fits hashed n-grams only: set hash_bits (--set MODEL.hash_bits=22).")
        self.model, self.classes = model, np.asarray(classes)
        self.classifier = model.steps[-1][1]
        self.kind = "naive_bayes" if isinstance(self.classifier, NaiveBayesClassifier) else \
            "nbsvm" if isinstance(self.classifier, NBSVMClassifier) else "linear_svm"
        self.n_features = 1 << vectorizer.hash_bits
        vectorizer.fit([""])  # hashed: no vocabulary to learn, only its settings to fix
        self.rows = 0
        self.spool = None if self.kind == "naive_bayes" else BlockSpool(spool_dir)
        self.totals = np.zeros((len(self.classes), self.n_features))  # Naive Bayes and NBSVM: counts per class
        self.class_rows = np.zeros(len(self.classes), dtype=np.int64)
        self.document_frequency = np.zeros(self.n_features, dtype=np.int64)  # the SVM's TF-IDF
        self.passes = 0

    def add(self, counts: sp.csr_matrix, labels: np.ndarray) -> None:
        """Take one chunk: ``counts`` from the pipeline's vectorizer, ``labels`` the texts' classes."""
        self.rows += counts.shape[0]
        index = {label: i for i, label in enumerate(self.classes.tolist())}
        positions = np.array([index[label] for label in np.asarray(labels).tolist()], dtype=np.int64)
        self.class_rows += np.bincount(positions, minlength=len(self.classes))
        if self.kind == "naive_bayes":  # its counts per class, as MultinomialNB sums them
            for position in range(len(self.classes)):
                rows = counts[positions == position]
                self.totals[position] += np.bincount(rows.indices, weights=rows.data, minlength=self.n_features)
        elif self.kind == "nbsvm":
            for position in range(len(self.classes)):
                rows = counts[positions == position]
                self.totals[position] += np.bincount(rows.indices, minlength=self.n_features)
            self.spool.add(_with_bias(counts), positions, values=False)  # binary: the columns are enough
        else:
            self.document_frequency += np.bincount(counts.indices, minlength=self.n_features)
            self.spool.add(counts, positions)

    def close(self) -> None:
        """Remove the rows kept on disk (:meth:`finish` does it too)."""
        if self.spool is not None:
            self.spool.close()

    def finish(self):
        """The fitted pipeline (the spool's files are removed)."""
        try:
            if self.kind == "naive_bayes":
                self._finish_naive_bayes()
            elif self.kind == "linear_svm":
                self._finish_svm()
            else:
                self._finish_nbsvm()
        finally:
            self.close()
        return self.model

    def _finish_naive_bayes(self) -> None:
        """``MultinomialNB.partial_fit`` once, on each class's mean counts weighted by its number of texts: the
        sums a fit over every text makes (its own per-chunk updates would recompute every log probability and
        copy the weights each time)."""
        means = self.totals
        means /= np.maximum(self.class_rows, 1)[:, None]  # in place: the counts are not needed again
        present = self.class_rows > 0
        self.totals = None
        self.classifier.partial_fit(means[present], self.classes[present], classes=self.classes,
                                    sample_weight=self.class_rows[present].astype(np.float64))

    def _finish_svm(self) -> None:
        tfidf = self.model.named_steps["tfidf"]
        df = self.document_frequency + int(tfidf.smooth_idf)
        tfidf.idf_ = np.log((self.rows + int(tfidf.smooth_idf)) / df) + 1.0
        tfidf.n_features_in_ = self.n_features
        weighted = BlockSpool(self.spool.folder.parent)
        try:
            for block, labels in self.spool:  # the TF-IDF rows, once, instead of on every pass
                weighted.add(_with_bias(sp.csr_matrix(tfidf.transform(block))), labels)
            self.spool.close()
            self.spool = weighted
            svm = self.classifier
            targets = [1] if len(self.classes) == 2 else range(len(self.classes))
            solved = [self._solve(LinearProblem(svm.C, "svm", target, liblinear_costs(
                svm.class_weight, self.class_rows, target, own_problem=False)), None) for target in targets]
        finally:
            weighted.close()
        svm.coef_ = np.vstack([w for w, _, _ in solved])
        svm.intercept_ = np.array([b for _, b, _ in solved])
        svm.n_iter_ = max(n for _, _, n in solved)
        svm.classes_, svm.n_features_in_ = self.classes, self.n_features

    def _finish_nbsvm(self) -> None:
        from baselines.ratios import interpolated_weights, log_count_ratio, weights_of_classes

        nbsvm = self.classifier
        nbsvm._check_params()
        targets = [1] if len(self.classes) == 2 else range(len(self.classes))
        class_weight = nbsvm.class_weight  # a dict weighs each text by its class's weight, as NBSVMClassifier.fit
        if isinstance(class_weight, dict):
            class_weight = weights_of_classes(class_weight, self.classes.tolist())
        ratios, coefs, intercepts, iterations = [], [], [], []
        column_totals = self.totals.sum(axis=0)
        for target in targets:
            r = log_count_ratio(self.totals[target], column_totals - self.totals[target], nbsvm.alpha)
            costs = liblinear_costs(class_weight, self.class_rows, target, own_problem=True)
            w, b, n_iter = self._solve(LinearProblem(nbsvm.C, nbsvm.loss, target, costs), np.append(r, 1.0))
            w_interp = interpolated_weights(w, nbsvm.beta, column_totals > 0)  # as NBSVMClassifier
            ratios.append(r)
            coefs.append(r * w_interp)
            intercepts.append(nbsvm.beta * b)
            iterations.append(n_iter)
        nbsvm.r_ = ratios[0] if len(targets) == 1 else np.vstack(ratios)
        nbsvm.coef_, nbsvm.intercept_ = np.vstack(coefs), np.asarray(intercepts, dtype=np.float64)
        nbsvm.n_iter_, nbsvm.classes_, nbsvm.n_features_in_ = int(max(iterations)), self.classes, self.n_features

    def _solve(self, problem: LinearProblem, scale: np.ndarray | None) -> tuple[np.ndarray, float, int]:
        """Newton on the spooled rows (a binary block's columns scaled by ``scale``): weights, bias, iterations.

        Only the columns some training row fills are solved for: the others have no loss, so the regulariser
        keeps their weights at 0, and leaving them out changes no iterate.
        """
        seen = self.document_frequency > 0 if self.kind == "linear_svm" else self.totals.sum(axis=0) > 0
        columns = np.append(np.flatnonzero(seen), self.n_features)  # and the bias, last
        renumber = np.full(self.n_features + 1, -1, dtype=np.int32)
        renumber[columns] = np.arange(len(columns), dtype=np.int32)

        def blocks() -> Iterator[tuple[sp.csr_matrix, np.ndarray]]:
            self.passes += 1
            for block, labels in self.spool:
                data = scale[block.indices] if scale is not None else block.data
                yield sp.csr_matrix((data, renumber[block.indices], block.indptr),
                                    shape=(block.shape[0], len(columns))), labels

        def value_and_gradient(w: np.ndarray):
            value, gradient, diagonal = 0.0, np.zeros_like(w), np.zeros_like(w)
            for block in blocks():
                part = block_value_and_gradient(block, w, problem)
                value, gradient, diagonal = value + part[0], gradient + part[1], diagonal + part[2]
            return value, gradient, diagonal

        def hessian_product(w: np.ndarray, v: np.ndarray) -> np.ndarray:
            return sum(block_hessian_product(block, w, v, problem) for block in blocks())

        w, iterations = trust_region_newton(value_and_gradient, hessian_product, len(columns))
        logger.info("Newton on %s rows from disk (%s columns filled): %d iterations, %d passes", f"{self.rows:,}",
                    f"{len(columns) - 1:,}", iterations, self.passes)
        weights = np.zeros(self.n_features + 1)
        weights[columns] = w
        return weights[:-1], float(weights[-1]), iterations


def chunked_fit(model, chunks, classes, spool_dir: str | Path | None = None):
    """Fit the hashed baseline ``model`` on ``chunks`` of ``(texts, labels)`` (see :class:`ChunkedFit`).

    Examples
    --------
    >>> from baselines import make_naive_bayes
    >>> texts = [["a great film", "the worst film"], ["great acting", "worst plot ever"]]
    >>> model = chunked_fit(make_naive_bayes(hash_bits=18), ((t, [1, 0]) for t in texts), [0, 1])
    >>> model.predict(["great plot", "worst acting"]).tolist()
    [1, 0]
    """
    fitting = ChunkedFit(model, classes, spool_dir)
    vectorizer = model.named_steps["vectorizer"]
    for texts, labels in chunks:
        fitting.add(vectorizer.fit_transform(texts), np.asarray(labels))
    return fitting.finish()


def _with_bias(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """``matrix`` with a last column of ones (the bias that liblinear regularises with the weights)."""
    rows = matrix.shape[0]
    ones = sp.csr_matrix((np.ones(rows), np.zeros(rows, dtype=np.int32), np.arange(rows + 1)), shape=(rows, 1))
    return sp.hstack([matrix, ones], format="csr")
