"""NBSVM's arithmetic, shared by every engine that fits it: the log-count ratio r, the interpolation of the
weights with their mean magnitude, and a class-weight dict as one weight per class.

:class:`baselines.nbsvm.NBSVMClassifier` fits on a matrix in memory; the chunked and Spark engines fit on
class totals gathered in passes over the texts, and use these same functions so that the three agree.
"""

from __future__ import annotations

import numpy as np

__all__ = ["interpolated_weights", "log_count_ratio", "weights_of_classes"]


def log_count_ratio(positive_totals: np.ndarray, negative_totals: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """Wang & Manning's r = log((p / ‖p‖₁) / (q / ‖q‖₁)) with p, q the smoothed class feature totals.

    Only the columns some training text fills are smoothed and counted in the norms; the others get r = 0.
    With a vocabulary every column is filled. With hashed n-grams most columns are empty: smoothing them would
    swamp both norms with ``alpha`` times the number of columns and take away the ratio's correction for the
    sizes of the two sides. A hashed model's ratio is thus the vocabulary's, up to collisions.

    Parameters
    ----------
    positive_totals, negative_totals : ndarray of shape (n_features,)
        Column sums of the binarized features over the positive and the other texts.
    alpha : float, default=1.0
        Smoothing added to every filled column's totals.

    Returns
    -------
    ndarray of shape (n_features,)

    Examples
    --------
    >>> log_count_ratio(np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])).round(3).tolist()
    [0.693, -0.693, 0.0]
    """
    positive = np.asarray(positive_totals, dtype=np.float64)
    negative = np.asarray(negative_totals, dtype=np.float64)
    filled = (positive + negative) > 0
    p, q = alpha + positive[filled], alpha + negative[filled]
    r = np.zeros(len(positive))
    r[filled] = np.log((p / p.sum()) / (q / q.sum()))
    return r


def weights_of_classes(class_weight: dict, classes) -> np.ndarray:
    """scikit-learn's ``{class: weight}`` as one weight per class of ``classes``, in their order (1.0 if absent).

    Examples
    --------
    >>> weights_of_classes({"pos": 2}, ["neg", "pos"])
    array([1., 2.])
    """
    return np.array([float(class_weight.get(c, 1.0)) for c in classes])


def interpolated_weights(w: np.ndarray, beta: float, filled: np.ndarray) -> np.ndarray:
    """Wang & Manning's w' = (1 − β) w̄ + β w, with w̄ the mean magnitude of ``w`` over the ``filled`` columns.

    ``filled`` marks the columns some training text fills. With a vocabulary that is every column; a hashed
    model's empty columns would pull the mean toward 0, and with it the interpolation's pull toward Naive Bayes.

    Examples
    --------
    >>> interpolated_weights(np.array([2.0, -1.0, 0.0]), 0.25, np.array([True, True, False])).tolist()
    [1.625, 0.875, 1.125]
    """
    filled = np.asarray(filled, dtype=bool)
    mean = float(np.abs(w[filled]).mean()) if filled.any() else 0.0
    return (1.0 - beta) * mean + beta * w
