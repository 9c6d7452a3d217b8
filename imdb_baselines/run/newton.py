"""liblinear's primal solver over row blocks: a trust-region Newton method for L2-regularised linear models.

The local baselines fit with liblinear, which solves its problems to a tight tolerance. Spark's
``LinearSVC`` minimises the (non-smooth) hinge loss with L-BFGS and, on NBSVM's millions of rarely seen
n-grams, stops far from the minimiser (``README.md``, "Beyond one machine"). This module solves the
local models' own objectives exactly as liblinear's ``-s 2`` and ``-s 0`` primal solvers do (Lin, Weng
and Keerthi, "Trust region Newton method for large-scale logistic regression", JMLR 2008):

- ``loss="svm"``: ``0.5 ‖w‖² + Σ C_i max(0, 1 − s_i w·x_i)²`` (the squared hinge of scikit-learn's
  ``LinearSVC``),
- ``loss="logistic"``: ``0.5 ‖w‖² + Σ C_i log(1 + exp(−s_i w·x_i))``,

with ``s_i = ±1``; ``C_i = C``, or ``C`` times the text's weight when the classes are weighed
(liblinear's per-class ``C``, :func:`liblinear_costs`); and the bias as a last feature of value 1 that is
regularised with the rest, as liblinear's ``intercept_scaling=1`` does. Each function value, gradient and
Hessian-vector product is one pass over the rows, held as SciPy CSR blocks whose partial sums are added up:
Spark's executors hold the blocks of the Spark engine (:mod:`imdb_baselines.run.spark.newton`), files on disk
those of the chunked engine (:mod:`imdb_baselines.run.chunked`). Only vectors of the number of features stay
in memory. The optimiser itself (:func:`trust_region_newton`) knows nothing of where the blocks are.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

__all__ = ["MAX_ITER", "TOL", "Block", "LinearProblem", "block_hessian_product", "block_value_and_gradient",
           "liblinear_costs", "trust_region_newton"]

logger = logging.getLogger(__name__)

TOL = 1e-3  # stop when ‖∇f‖ ≤ TOL · ‖∇f(0)‖
MAX_ITER = 100  # Newton iterations (each takes a few conjugate-gradient passes)

Block = tuple[sp.csr_matrix, np.ndarray]  # rows with a last column of ones, and label positions


class LinearProblem:
    """The objective of one binary problem on a list of blocks: ``target`` against the rest.

    Parameters
    ----------
    C : float
        Inverse regularisation strength, as in liblinear.
    loss : {"svm", "logistic"}
        Squared hinge or logistic loss.
    target : int
        The label position that is the positive class.
    label_costs : ndarray of shape (n_classes,), optional
        Each label position's multiplier of ``C``: a text's loss weighs ``C * label_costs[label]``
        (:func:`liblinear_costs`). Without it every text weighs ``C``.
    """

    def __init__(self, C: float, loss: str, target: int, label_costs: np.ndarray | None = None) -> None:
        if loss not in ("svm", "logistic"):
            raise ValueError(f"loss must be 'svm' or 'logistic', not {loss!r}")
        self.C, self.loss, self.target = float(C), loss, int(target)
        self.label_costs = None if label_costs is None else np.asarray(label_costs, dtype=np.float64)

    def signs(self, labels: np.ndarray) -> np.ndarray:
        return np.where(labels == self.target, 1.0, -1.0)

    def costs(self, labels: np.ndarray) -> np.ndarray | float:
        """Each text's ``C``: one number when the classes are not weighed."""
        return self.C if self.label_costs is None else self.C * self.label_costs[labels]


def liblinear_costs(class_weight, class_rows: np.ndarray, target: int, *, own_problem: bool) -> np.ndarray | None:
    """Each label position's multiplier of ``C`` in ``target``'s problem, as scikit-learn's liblinear fits weigh it.

    Parameters
    ----------
    class_weight : None, "balanced" or ndarray of shape (n_classes,)
        An array weighs each text by its class's weight on both sides of every problem (scikit-learn's
        ``sample_weight``).
    class_rows : ndarray of shape (n_classes,)
        The training texts of each class.
    target : int
        The positive class's position.
    own_problem : bool
        How ``"balanced"`` weighs a problem of more than two classes. True: as a binary fit of its own (NBSVM,
        one ``LinearSVC`` per class), each side inversely to its texts. False: as ``LinearSVC`` on every class
        (liblinear's one-against-the-rest), the target by ``n / (k · n_target)`` and the rest by 1. Two classes
        weigh each class by ``n / (2 · n_class)`` either way.

    Returns
    -------
    ndarray of shape (n_classes,) or None
        None when nothing is weighed.

    Examples
    --------
    >>> liblinear_costs("balanced", np.array([60, 30, 10]), 2, own_problem=False).tolist()
    [1.0, 1.0, 3.3333333333333335]
    >>> liblinear_costs("balanced", np.array([60, 30, 10]), 2, own_problem=True).tolist()
    [0.5555555555555556, 0.5555555555555556, 5.0]
    """
    if class_weight is None:
        return None
    if not isinstance(class_weight, str):
        return np.asarray(class_weight, dtype=np.float64)
    if class_weight != "balanced":
        raise ValueError(f"class_weight must be 'balanced', an array or None, not {class_weight!r}")
    rows = np.asarray(class_rows, dtype=np.float64)
    total = rows.sum()
    if len(rows) == 2 or not own_problem:
        balanced = total / (len(rows) * np.maximum(rows, 1.0))
        if len(rows) == 2:
            return balanced
        costs = np.ones(len(rows))
        costs[target] = balanced[target]
        return costs
    positive = rows[target]
    costs = np.full(len(rows), total / (2.0 * max(total - positive, 1.0)))
    costs[target] = total / (2.0 * max(positive, 1.0))
    return costs


def block_value_and_gradient(block: Block, w: np.ndarray,
                             problem: LinearProblem) -> tuple[float, np.ndarray, np.ndarray]:
    """The loss part of the objective on one block, its gradient and its Hessian's diagonal at ``w``.

    The regulariser's parts are the driver's.
    """
    X, labels = block
    s, c = problem.signs(labels), problem.costs(labels)
    z = X @ w
    if problem.loss == "svm":
        margin = 1.0 - s * z
        active = margin > 0
        Xa = X[active]
        ca = c[active] if np.ndim(c) else c
        value = float(np.sum(ca * margin[active] * margin[active]))
        return value, 2.0 * (Xa.T @ (ca * (z[active] - s[active]))), \
            2.0 * np.asarray(Xa.multiply(Xa).T @ (ca * np.ones(Xa.shape[0]))).ravel()
    sigma = _sigmoid(s * z)
    value = float(np.sum(c * np.logaddexp(0.0, -s * z)))
    curvature = c * sigma * (1.0 - sigma)
    return value, X.T @ (c * (sigma - 1.0) * s), np.asarray(X.multiply(X).T @ curvature).ravel()


def block_hessian_product(block: Block, w: np.ndarray, v: np.ndarray, problem: LinearProblem) -> np.ndarray:
    """The loss part of the (generalised) Hessian at ``w`` times ``v`` on one block."""
    X, labels = block
    s, c = problem.signs(labels), problem.costs(labels)
    z = X @ w
    if problem.loss == "svm":
        active = s * z < 1.0
        Xa = X[active]
        return 2.0 * (Xa.T @ ((c[active] if np.ndim(c) else c) * (Xa @ v)))
    sigma = _sigmoid(s * z)
    return X.T @ (c * sigma * (1.0 - sigma) * (X @ v))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.exp(-np.logaddexp(0.0, -x))


def trust_region_newton(
    value_and_gradient: Callable[[np.ndarray], tuple[float, np.ndarray, np.ndarray]],
    hessian_product: Callable[[np.ndarray, np.ndarray], np.ndarray],
    n: int,
    *,
    tol: float = TOL,
    max_iter: int = MAX_ITER,
) -> tuple[np.ndarray, int]:
    """Minimise ``0.5 ‖w‖² + loss(w)`` from ``w = 0`` with liblinear's preconditioned trust-region Newton method.

    As liblinear's ``tron.cpp`` (version 2): conjugate gradients preconditioned by the Hessian's diagonal
    (``M = 0.99 + 0.01 · diag(H)``, Hsia, Chiang and Lin, ACML 2018) inside a trust region measured in
    ``M``'s norm.

    Parameters
    ----------
    value_and_gradient : callable
        ``w -> (loss(w), ∇loss(w), diag ∇²loss(w))`` without the regulariser.
    hessian_product : callable
        ``(w, v) -> ∇²loss(w) v`` without the regulariser.
    n : int
        Number of weights.
    tol : float, default=TOL
        Stop when the gradient's norm falls below ``tol`` times its norm at ``w = 0``.
    max_iter : int, default=MAX_ITER
        Newton iterations at most.

    Returns
    -------
    w : ndarray of shape (n,)
    iterations : int
        Newton iterations taken.
    """
    eta0, eta1, eta2 = 1e-4, 0.25, 0.75
    sigma1, sigma2, sigma3 = 0.25, 0.5, 4.0
    w = np.zeros(n)

    def objective(point: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        value, gradient, diagonal = value_and_gradient(point)
        return value + 0.5 * float(point @ point), gradient + point, 0.99 + 0.01 * (1.0 + diagonal)

    f, g, M = objective(w)
    gnorm0 = gnorm = float(np.linalg.norm(g))
    delta = float(np.sqrt(g @ (g / M)))
    iteration = 0
    while iteration < max_iter and gnorm > tol * gnorm0:
        s, r, boundary = _truncated_cg(lambda v, at=w: hessian_product(at, v) + v, g, M, delta)
        w_new = w + s
        gs = float(g @ s)
        predicted = -0.5 * (gs - float(s @ r))
        f_new, g_new, M_new = objective(w_new)
        actual = f - f_new
        snorm = float(np.sqrt(s @ (M * s)))
        if iteration == 0:
            delta = min(delta, snorm)
        curvature = f_new - f - gs
        alpha = sigma3 if curvature <= 0 else max(sigma1, -0.5 * (gs / curvature))
        if actual < eta0 * predicted:
            delta = min(alpha * snorm, sigma2 * delta)
        elif actual < eta1 * predicted:
            delta = max(sigma1 * delta, min(alpha * snorm, sigma2 * delta))
        elif actual < eta2 * predicted:
            delta = max(sigma1 * delta, min(alpha * snorm, sigma3 * delta))
        else:
            delta = sigma3 * delta if boundary else max(delta, min(alpha * snorm, sigma3 * delta))
        if actual > eta0 * predicted:
            iteration += 1
            w, f, g, M = w_new, f_new, g_new, M_new
            gnorm = float(np.linalg.norm(g))
            logger.debug("Newton iteration %d: f %.6g, |g| %.3g, step %.3g", iteration, f, gnorm, snorm)
        if abs(actual) <= 1e-12 * abs(f) and abs(predicted) <= 1e-12 * abs(f):
            logger.info("Newton: the objective no longer decreases (|g| %.3g of %.3g)", gnorm, gnorm0)
            break
    return w, iteration


def _truncated_cg(hessian: Callable[[np.ndarray], np.ndarray], g: np.ndarray, M: np.ndarray,
                  delta: float) -> tuple[np.ndarray, np.ndarray, bool]:
    """Preconditioned CG for ``H s = −g`` inside ``‖s‖_M ≤ delta``: ``(s, residual, reached the boundary)``."""
    s = np.zeros_like(g)
    r = -g
    z = r / M
    d = z.copy()
    zr = float(z @ r)
    cg_tol = min(0.5, np.sqrt(np.sqrt(zr))) * np.sqrt(zr)
    while np.sqrt(zr) > cg_tol:
        Hd = hessian(d)
        dHd = float(d @ Hd)
        if dHd <= 1e-16:
            break
        alpha = zr / dHd
        s += alpha * d
        if np.sqrt(s @ (M * s)) > delta:  # step back, then to the region's boundary along d
            s -= alpha * d
            sMd, sMs, dMd = float(s @ (M * d)), float(s @ (M * s)), float(d @ (M * d))
            radius = np.sqrt(sMd * sMd + dMd * (delta * delta - sMs))
            alpha = (delta * delta - sMs) / (sMd + radius) if sMd >= 0 else (radius - sMd) / dMd
            s += alpha * d
            r -= alpha * Hd
            return s, r, True
        r -= alpha * Hd
        z = r / M
        zr_new = float(z @ r)
        d = z + (zr_new / zr) * d
        zr = zr_new
    return s, r, False
