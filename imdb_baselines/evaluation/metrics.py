"""The one table of test-set metrics, for two classes or more, with seeded bootstrap intervals.

Each :class:`Metric` carries its scikit-learn definition (used for the point
estimate) and a vectorised form over many resamples at once (used for the
intervals); ``tests/test_evaluation.py`` checks that the two agree on the
unresampled data. Labels are encoded as their positions in ``classes``;
with two classes the positive class is encoded as 1.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn import metrics as skm

from imdb_baselines.corpus.dataset import plain_label
from imdb_baselines.corpus.progress import progress_bar
from imdb_baselines.evaluation.weighted import auc_resampler, average_precision_resampler, ratio, sums

__all__ = ["BINARY_METRICS", "MULTICLASS_METRICS", "SKEW_RATIO", "Metric", "bootstrap_intervals", "encode",
           "evaluate", "is_skewed", "metric_table"]

#: Classes count as skewed when the largest has more than this many times the texts of the smallest.
SKEW_RATIO = 3.0


@dataclass(frozen=True)
class Metric:
    """One reported metric."""

    name: str  # key in results and column name in results.csv
    label: str  # column title in the report and on the console
    score: Callable  # scikit-learn on encoded labels: score(y, p, s, k) -> float
    resampler: Callable  # resampler(y, p, s, k) -> f, with f(W) the metric under resampling weights W[B, n]
    with_interval: bool = True  # whether the report prints its interval in the headline table


# -- two classes: the positive class is 1 ---------------------------------------------------------------

def _binary(which):
    def resampler(y, p, s, k):
        counts = sums(y == p, (y == 1) & (p == 1), p == 1, y == 1)

        def values(W):
            right, tp, predicted, true = counts(W)
            return {"accuracy": right / W.shape[1], "precision": ratio(tp, predicted), "recall": ratio(tp, true),
                    "f1": ratio(2 * tp, predicted + true)}[which]
        return values
    return resampler


def _binary_auc(y, p, s, k):
    auc = auc_resampler(y == 1, s)
    return lambda W: np.nan_to_num(auc(W), nan=0.0)


BINARY_METRICS = (
    Metric("accuracy", "Accuracy", lambda y, p, s, k: skm.accuracy_score(y, p), _binary("accuracy")),
    Metric("precision", "Precision", lambda y, p, s, k: skm.precision_score(y, p, zero_division=0),
           _binary("precision")),
    Metric("recall", "Recall", lambda y, p, s, k: skm.recall_score(y, p, zero_division=0), _binary("recall")),
    Metric("f1", "F1", lambda y, p, s, k: skm.f1_score(y, p, zero_division=0), _binary("f1")),
    Metric("roc_auc", "ROC-AUC", lambda y, p, s, k: skm.roc_auc_score(y, s), _binary_auc, with_interval=False),
)


# -- k classes: macro and weighted averages over all classes --------------------------------------------

def _per_class(which):
    def resampler(y, p, s, k):
        classes = np.arange(k)
        truth, predicted = y[:, None] == classes, p[:, None] == classes
        matrix = np.hstack([truth & predicted, predicted, truth]).astype(np.float64)

        def values(W):
            tp, pred, true = np.split(W @ matrix, 3, axis=1)
            f1 = ratio(2 * tp, pred + true)
            if which == "weighted_f1":
                return np.sum(f1 * true, axis=1) / W.shape[1]
            return {"precision": ratio(tp, pred), "recall": ratio(tp, true), "f1": f1}[which].mean(axis=1)
        return values
    return resampler


def _ovr_auc(y, p, s, k):
    """Macro one-vs-rest ROC-AUC from per-class scores; classes absent from a resample are left out."""
    per_class = [auc_resampler(y == c, s[:, c]) for c in range(k)]

    def values(W):
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanmean(np.column_stack([auc(W) for auc in per_class]), axis=1)
    return values


def _sklearn_ovr_auc(y, p, s, k):
    return float(np.mean([skm.roc_auc_score(y == c, s[:, c]) for c in range(k) if 0 < np.sum(y == c) < len(y)]))


MULTICLASS_METRICS = (
    BINARY_METRICS[0],
    Metric("macro_precision", "Macro precision",
           lambda y, p, s, k: skm.precision_score(y, p, labels=range(k), average="macro", zero_division=0),
           _per_class("precision")),
    Metric("macro_recall", "Macro recall",
           lambda y, p, s, k: skm.recall_score(y, p, labels=range(k), average="macro", zero_division=0),
           _per_class("recall")),
    Metric("macro_f1", "Macro F1",
           lambda y, p, s, k: skm.f1_score(y, p, labels=range(k), average="macro", zero_division=0),
           _per_class("f1")),
    Metric("weighted_f1", "Weighted F1",
           lambda y, p, s, k: skm.f1_score(y, p, labels=range(k), average="weighted", zero_division=0),
           _per_class("weighted_f1")),
    Metric("roc_auc", "ROC-AUC (macro OvR)", _sklearn_ovr_auc, _ovr_auc, with_interval=False),
)


# -- skewed classes: metrics that weigh every class alike ------------------------------------------------

def _macro_average_precision(y, p, s, k):
    if k == 2:
        return skm.average_precision_score(y, s)
    return float(np.mean([skm.average_precision_score(y == c, s[:, c]) for c in range(k) if np.any(y == c)]))


def _average_precision(y, p, s, k):
    if k == 2:
        ap = average_precision_resampler(y == 1, s)
        return lambda W: np.nan_to_num(ap(W), nan=0.0)
    per_class = [average_precision_resampler(y == c, s[:, c]) for c in range(k)]

    def values(W):
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanmean(np.column_stack([ap(W) for ap in per_class]), axis=1)
    return values


SKEWED_METRICS = (
    Metric("balanced_accuracy", "Balanced accuracy",
           lambda y, p, s, k: skm.balanced_accuracy_score(y, p), _per_class("recall")),
    MULTICLASS_METRICS[3],  # macro F1
    Metric("average_precision", "Average precision", _macro_average_precision, _average_precision,
           with_interval=False),
)


def is_skewed(counts) -> bool:
    """Whether the largest class has more than :data:`SKEW_RATIO` times the texts of the smallest.

    Examples
    --------
    >>> is_skewed([300, 100]), is_skewed([301, 100]), is_skewed([5, 0, 5])
    (False, True, False)
    """
    present = [c for c in counts if c > 0]
    return bool(present) and max(present) > SKEW_RATIO * min(present)


def metric_table(n_classes: int, skewed: bool = False) -> tuple[Metric, ...]:
    """The metrics reported for ``n_classes`` classes, in table order; skewed classes (:func:`is_skewed`)
    add balanced accuracy, macro F1 and average precision (macro over classes, one-vs-rest, for more than two).
    """
    table = BINARY_METRICS if n_classes == 2 else MULTICLASS_METRICS
    extra = tuple(m for m in SKEWED_METRICS if m.name not in {t.name for t in table}) if skewed else ()
    return (*table[:-1], *extra, table[-1])  # ROC-AUC stays last


def _positions(labels, classes: Sequence) -> np.ndarray:
    index = {c: i for i, c in enumerate(classes)}
    try:
        return np.fromiter((index[plain_label(v)] for v in labels), dtype=np.int64, count=len(labels))
    except KeyError as error:
        raise ValueError(f"Label {error.args[0]!r} is not one of the classes {list(classes)}.") from None


def encode(labels, classes: Sequence, positive=None) -> np.ndarray:
    """Labels as positions in ``classes``; with two classes, 1 for ``positive`` (default ``classes[1]``) and 0."""
    positions = _positions(labels, classes)
    if len(classes) == 2:
        positions = (positions == list(classes).index(classes[1] if positive is None else positive)).astype(np.int64)
    return positions


def evaluate(y_true, y_pred, scores, *, classes: Sequence = (0, 1), positive=None) -> dict:
    """Every metric of :func:`metric_table`, the confusion matrix and per-class precision, recall and F1.

    Parameters
    ----------
    y_true, y_pred : array-like
        Labels and hard predictions (values of ``classes``).
    scores : array-like
        Two classes: one continuous score per text for the positive class
        (probability or decision value). More: shape (n, k), a score per
        class in ``classes`` order. ROC-AUC comes from these, never from
        hard labels.
    classes : sequence, default=(0, 1)
        The labels in their fixed order.
    positive : label, optional
        The positive class of a two-class problem; default ``classes[1]``.

    Returns
    -------
    dict
        The metrics; ``confusion_matrix`` (rows true, columns predicted,
        both in ``classes`` order); ``per_class`` (precision, recall, F1
        and support of each class); with two classes ``tn``, ``fp``, ``fn``
        and ``tp`` around the positive class.

    Examples
    --------
    >>> result = evaluate([0, 0, 1, 1], [0, 1, 1, 1], [0.1, 0.6, 0.8, 0.7])
    >>> result["accuracy"], result["precision"], result["roc_auc"]
    (0.75, 0.6666666666666666, 1.0)
    """
    classes = list(classes)
    k = len(classes)
    y, p = encode(y_true, classes, positive), encode(y_pred, classes, positive)
    s = np.asarray(scores, dtype=float)
    truth, predicted = _positions(y_true, classes), _positions(y_pred, classes)  # rows and columns in classes order
    table = metric_table(k, is_skewed(np.bincount(truth, minlength=k)))
    result: dict = {m.name: float(m.score(y, p, s, k)) for m in table}
    labels = list(range(k))
    result["confusion_matrix"] = skm.confusion_matrix(truth, predicted, labels=labels).tolist()
    precision, recall, f1, support = skm.precision_recall_fscore_support(truth, predicted, labels=labels,
                                                                         zero_division=0)
    if k == 2:  # counts around the positive class
        result.update(tn=int(np.sum((y == 0) & (p == 0))), fp=int(np.sum((y == 0) & (p == 1))),
                      fn=int(np.sum((y == 1) & (p == 0))), tp=int(np.sum((y == 1) & (p == 1))))
    result["per_class"] = [{"class": plain_label(c), "precision": float(precision[i]), "recall": float(recall[i]),
                            "f1": float(f1[i]), "support": int(support[i])} for i, c in enumerate(classes)]
    return result


def resample_weights(n: int, n_resamples: int, seed: int = 0, batch: int = 100):
    """Bootstrap resamples of ``n`` texts as weights, ``batch`` at a time: how often each text was drawn.

    The draws of :func:`bootstrap_intervals` (``numpy.random.default_rng(seed)``), so that figures computed from
    the same seed, for one model or a pair, read the same resamples.

    Yields
    ------
    ndarray of shape (size, n)
        One row per resample; each row sums to ``n``.
    """
    rng = np.random.default_rng(seed)
    for start in progress_bar(range(0, n_resamples, batch), desc=f"{n_resamples} bootstrap resamples",
                              unit=" batches"):
        size = min(batch, n_resamples - start)
        index = rng.integers(0, n, (size, n))
        weights = np.bincount((index + n * np.arange(size)[:, None]).ravel(), minlength=size * n)
        yield weights.reshape(size, n).astype(np.float64)


def bootstrap_intervals(
    y_true, y_pred, scores, *, classes: Sequence = (0, 1), positive=None, n_resamples: int = 1000,
    confidence: float = 0.95, seed: int = 0, batch: int = 100,
) -> dict[str, tuple[float, float]]:
    """Percentile bootstrap confidence intervals of every metric, resampling test texts.

    One resampling index serves every metric: ``n_resamples`` draws of the
    test texts with replacement (paired: label, prediction and score stay
    together), made in batches from ``numpy.random.default_rng(seed)``, so
    the same seed gives the same intervals. The draws and the percentiles
    are those of ``scipy.stats.bootstrap(paired=True, method="percentile")``;
    each resample is evaluated as weights on the texts (how often each was
    drawn), so no resample is materialised or sorted.

    Parameters
    ----------
    y_true, y_pred, scores, classes, positive
        As in :func:`evaluate`.
    n_resamples : int, default=1000
        Bootstrap replicates.
    confidence : float, default=0.95
        Confidence level.
    seed : int, default=0
        Seed of the resampling.
    batch : int, default=100
        Resamples evaluated at once (memory: ``batch`` times the test size).

    Returns
    -------
    dict of str to (low, high)
    """
    classes = list(classes)
    k = len(classes)
    y, p = encode(y_true, classes, positive), encode(y_pred, classes, positive)
    s = np.asarray(scores, dtype=float)
    table = metric_table(k, is_skewed(np.bincount(_positions(y_true, classes), minlength=k)))
    resamplers = {m.name: m.resampler(y, p, s, k) for m in table}
    draws: dict[str, list[np.ndarray]] = {m.name: [] for m in table}
    for weights in resample_weights(len(y), n_resamples, seed, batch):
        for name, values in resamplers.items():
            draws[name].append(np.asarray(values(weights), dtype=float))
    alpha = (1 - confidence) / 2
    intervals = {}
    for name, parts in draws.items():
        low, high = np.quantile(np.concatenate(parts), [alpha, 1 - alpha])
        intervals[name] = (float(low), float(high))
    return intervals
