"""Test-set statistics under bootstrap resampling weights, many resamples at once.

A resample of the test texts is a weight per text: how often it was drawn. Every statistic here is a weighted
count, so a batch of resamples is one matrix product instead of indexing and sorting each resample.
:mod:`imdb_baselines.evaluation.metrics` builds each metric's interval from these.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["auc_resampler", "average_precision_resampler", "ratio", "sums"]


def ratio(num, den) -> np.ndarray:
    """``num / den`` elementwise, 0 where ``den`` is 0 (a precision or recall with nothing to count)."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    return np.divide(num, den, out=np.zeros(np.broadcast(num, den).shape), where=den > 0)


def sums(*vectors: np.ndarray) -> Callable:
    """A function of W returning ``W @ v`` for each boolean vector (exact: integer weights, integer sums)."""
    matrix = np.column_stack(vectors).astype(np.float64)
    return lambda W: tuple((W @ matrix).T)


def auc_resampler(positive: np.ndarray, scores: np.ndarray) -> Callable:
    """ROC-AUC under weights: the weighted share of (positive, negative) pairs ranked right, ties counting half.

    The scores are sorted once; per resample, the negatives' weight below each tie group is a cumulative sum.
    NaN where a resample lacks positives or negatives.
    """
    order = np.argsort(scores, kind="stable")
    ordered = scores[order]
    new_group = np.r_[True, ordered[1:] != ordered[:-1]]
    starts, group = np.flatnonzero(new_group), np.cumsum(new_group) - 1
    positive = positive[order]

    def values(W):
        W = W[:, order]
        negatives, positives = np.where(positive, 0.0, W), np.where(positive, W, 0.0)
        per_group = np.add.reduceat(negatives, starts, axis=1)
        credit = np.cumsum(per_group, axis=1) - 0.5 * per_group  # negatives below, and half of those tied
        pairs = positives.sum(axis=1) * negatives.sum(axis=1)
        u = np.sum(positives * credit[:, group], axis=1)
        return np.divide(u, pairs, out=np.full(pairs.shape, np.nan), where=pairs > 0)
    return values


def average_precision_resampler(positive: np.ndarray, scores: np.ndarray) -> Callable:
    """Average precision under weights, as scikit-learn's ``average_precision_score(..., sample_weight=W)``.

    Thresholds are the distinct scores, highest first; at each, precision is the weighted share of positives
    among the texts scored at least that high, and it counts with the weight of the positives it adds.
    NaN where a resample has no positive.
    """
    order = np.argsort(-scores, kind="stable")
    ordered = scores[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    positive = positive[order]

    def values(W):
        W = W[:, order]
        gained = np.add.reduceat(np.where(positive, W, 0.0), starts, axis=1)
        drawn = np.add.reduceat(W, starts, axis=1)
        precision = ratio(np.cumsum(gained, axis=1), np.cumsum(drawn, axis=1))
        total = gained.sum(axis=1)
        return np.divide(np.sum(gained * precision, axis=1), total, out=np.full(total.shape, np.nan),
                         where=total > 0)
    return values
