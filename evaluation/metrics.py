"""Test-set metrics with seeded bootstrap confidence intervals."""

from __future__ import annotations

import numpy as np
from scipy import stats
from sklearn import metrics as skm

__all__ = ["METRICS", "bootstrap_intervals", "evaluate"]

#: The metrics reported for every model, in table order.
METRICS = ("accuracy", "precision", "recall", "f1", "roc_auc")


def evaluate(y_true, y_pred, scores) -> dict[str, float | list[list[int]]]:
    """Accuracy, precision, recall, F1 (positive = 1), ROC-AUC from scores, confusion matrix.

    Parameters
    ----------
    y_true, y_pred : array-like of 0/1
        Labels and hard predictions.
    scores : array-like of float
        Continuous scores for the positive class (probabilities or decision
        values); ROC-AUC is computed from these, never from hard labels.

    Returns
    -------
    dict
        The five metrics and ``confusion_matrix`` ([[TN, FP], [FN, TP]]).

    Examples
    --------
    >>> result = evaluate([0, 0, 1, 1], [0, 1, 1, 1], [0.1, 0.6, 0.8, 0.7])
    >>> result["accuracy"], result["precision"], result["roc_auc"]
    (0.75, 0.6666666666666666, 1.0)
    """
    y_true, y_pred, scores = np.asarray(y_true), np.asarray(y_pred), np.asarray(scores, dtype=float)
    return {
        "accuracy": float(skm.accuracy_score(y_true, y_pred)),
        "precision": float(skm.precision_score(y_true, y_pred, zero_division=0)),
        "recall": float(skm.recall_score(y_true, y_pred, zero_division=0)),
        "f1": float(skm.f1_score(y_true, y_pred, zero_division=0)),
        "roc_auc": float(skm.roc_auc_score(y_true, scores)),
        "confusion_matrix": skm.confusion_matrix(y_true, y_pred, labels=[0, 1]).tolist(),
    }


# Vectorised statistics over the last axis, for scipy.stats.bootstrap(vectorized=True).
def _counts(y, p):
    tp = np.sum((y == 1) & (p == 1), axis=-1)
    fp = np.sum((y == 0) & (p == 1), axis=-1)
    fn = np.sum((y == 1) & (p == 0), axis=-1)
    return tp, fp, fn


def _ratio(num, den):
    return np.divide(num, den, out=np.zeros(np.shape(num), dtype=float), where=den > 0)


def _accuracy(y, p, s, axis=-1):
    return np.mean(y == p, axis=-1)


def _precision(y, p, s, axis=-1):
    tp, fp, _ = _counts(y, p)
    return _ratio(tp, tp + fp)


def _recall(y, p, s, axis=-1):
    tp, _, fn = _counts(y, p)
    return _ratio(tp, tp + fn)


def _f1(y, p, s, axis=-1):
    tp, fp, fn = _counts(y, p)
    return _ratio(2 * tp, 2 * tp + fp + fn)


def _roc_auc(y, p, s, axis=-1):
    # Mann-Whitney U: the share of (positive, negative) pairs ranked correctly, ties counting half.
    ranks = stats.rankdata(s, axis=-1)
    n_pos = np.sum(y == 1, axis=-1)
    n_neg = y.shape[-1] - n_pos
    rank_sum = np.sum(np.where(y == 1, ranks, 0.0), axis=-1)
    return _ratio(rank_sum - n_pos * (n_pos + 1) / 2, n_pos * n_neg)


_STATISTICS = {"accuracy": _accuracy, "precision": _precision, "recall": _recall, "f1": _f1,
               "roc_auc": _roc_auc}


def bootstrap_intervals(
    y_true, y_pred, scores, *, n_resamples: int = 1000, confidence: float = 0.95, seed: int = 0,
) -> dict[str, tuple[float, float]]:
    """Percentile bootstrap confidence intervals of every metric, resampling test reviews.

    Uses ``scipy.stats.bootstrap`` with paired resampling of (label,
    prediction, score) triples; the same seed gives the same intervals.

    Parameters
    ----------
    y_true, y_pred, scores : array-like
        As in :func:`evaluate`.
    n_resamples : int, default=1000
        Bootstrap replicates.
    confidence : float, default=0.95
        Confidence level.
    seed : int, default=0
        Seed of the resampling.

    Returns
    -------
    dict of str to (low, high)
    """
    data = (np.asarray(y_true), np.asarray(y_pred), np.asarray(scores, dtype=float))
    intervals = {}
    for name, statistic in _STATISTICS.items():
        result = stats.bootstrap(
            data, statistic, paired=True, vectorized=True, n_resamples=n_resamples,
            confidence_level=confidence, method="percentile", batch=100,
            rng=np.random.default_rng(seed),
        )
        intervals[name] = (float(result.confidence_interval.low), float(result.confidence_interval.high))
    return intervals
