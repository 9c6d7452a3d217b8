"""Paired significance tests between models' predictions on the same test reviews."""

from __future__ import annotations

from collections.abc import Hashable, Mapping

import numpy as np
import pandas as pd
from scipy import stats

from imdb_baselines.evaluation.metrics import resample_weights
from imdb_baselines.evaluation.sections import markdown_table

__all__ = ["accuracy_differences", "holm", "holm_matrix", "mcnemar", "mcnemar_matrix", "p_value_table"]


def mcnemar(y_true, pred_a, pred_b) -> dict[str, float | int]:
    """Exact McNemar test of two classifiers on the same reviews.

    Only the discordant reviews count: ``b`` (A right, B wrong) and ``c``
    (A wrong, B right). Under the null hypothesis of equal error rates,
    ``b ~ Binomial(b + c, 1/2)``; the p-value is scipy's two-sided exact
    binomial test.

    Returns
    -------
    dict
        ``b``, ``c`` and ``p_value`` (1.0 when the models never disagree).

    Examples
    --------
    >>> mcnemar([1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 0, 0], [0, 0, 0, 0, 0, 0])
    {'b': 4, 'c': 0, 'p_value': 0.125}
    """
    y_true = np.asarray(y_true)
    right_a = np.asarray(pred_a) == y_true
    right_b = np.asarray(pred_b) == y_true
    b = int(np.sum(right_a & ~right_b))
    c = int(np.sum(~right_a & right_b))
    p_value = 1.0 if b + c == 0 else float(stats.binomtest(b, b + c, 0.5).pvalue)
    return {"b": b, "c": c, "p_value": p_value}


def mcnemar_matrix(y_true, predictions: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """p-values of McNemar's test for every pair of models (symmetric, NaN on the diagonal)."""
    names = list(predictions)
    matrix = pd.DataFrame(np.nan, index=names, columns=names)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            p = mcnemar(y_true, predictions[a], predictions[b])["p_value"]
            matrix.loc[a, b] = matrix.loc[b, a] = p
    return matrix


def holm(p_values: Mapping[Hashable, float]) -> dict[Hashable, float]:
    """Holm's step-down adjustment of a family of p-values (Holm, 1979).

    The ``i``-th smallest of ``m`` p-values becomes the largest of ``(m - j + 1) · p_(j)`` over ``j <= i``, capped
    at 1: the tests whose adjusted p-value is below ``alpha`` reject with a family-wise error rate of at most
    ``alpha``, whatever the dependence between the tests.

    Examples
    --------
    >>> holm({"a": 0.0625, "b": 0.25, "c": 0.125})
    {'a': 0.1875, 'b': 0.25, 'c': 0.25}
    """
    ranked = sorted(p_values, key=lambda key: p_values[key])
    adjusted, running = {}, 0.0
    for rank, key in enumerate(ranked):
        running = max(running, min(1.0, (len(ranked) - rank) * p_values[key]))
        adjusted[key] = running
    return {key: adjusted[key] for key in p_values}


def holm_matrix(matrix: pd.DataFrame) -> pd.DataFrame:
    """A symmetric matrix of pairwise p-values (NaN on the diagonal) adjusted by :func:`holm` over its pairs."""
    names = list(matrix.index)
    pairs = {(a, b): float(matrix.loc[a, b]) for i, a in enumerate(names) for b in names[i + 1:]}
    adjusted = matrix.copy()
    for (a, b), p in holm(pairs).items():
        adjusted.loc[a, b] = adjusted.loc[b, a] = p
    return adjusted


def p_value_table(matrix: pd.DataFrame, adjusted: pd.DataFrame, names: list[str]) -> tuple[str, str]:
    """A markdown table of pairwise p-values, each with its Holm adjustment (``adjusted``, from
    :func:`holm_matrix`) beside it when there are several pairs, and the sentence that says so (empty for one pair).

    Returns
    -------
    (str, str)
        The table, and the sentence to print before it.
    """
    pairs = len(names) * (len(names) - 1) // 2

    def cell(a: str, b: str) -> str:
        if a == b:
            return "—"
        return f"{matrix.loc[a, b]:.2g}" + (f" ({adjusted.loc[a, b]:.2g})" if pairs > 1 else "")

    table = markdown_table(["p-value"] + [f"`{n}`" for n in names], [[f"`{a}`"] + [cell(a, b) for b in names]
                                                                      for a in names])
    said = "" if pairs < 2 else (
        f"In brackets, the p-value adjusted by Holm's method for the {pairs} pairs compared here: where it is below "
        "0.05 the two models differ even allowing for the number of tests.")
    return table, said


def accuracy_differences(y_true, predictions: Mapping[str, np.ndarray], n_resamples: int, seed: int = 0,
                         confidence: float = 0.95) -> dict[str, dict[str, dict[str, float]]]:
    """Each pair's difference in test accuracy, with a paired percentile bootstrap interval.

    The resamples are those of the models' own intervals (the same ``seed``:
    :func:`~imdb_baselines.evaluation.metrics.resample_weights`), and each draws the test texts once for both
    models of a pair. Where two models are right and wrong on the same texts their accuracies move together
    from resample to resample, so the difference's interval is narrower than their two intervals suggest.

    Parameters
    ----------
    y_true : array-like
        The test labels.
    predictions : mapping of str to array-like
        Each model's test predictions.
    n_resamples : int
        Bootstrap resamples; 0 gives the differences without intervals.
    seed : int, default=0
        Seed of the resampling.
    confidence : float, default=0.95
        Confidence level.

    Returns
    -------
    dict
        ``{a: {b: {"difference": ..., "ci_low": ..., "ci_high": ...}}}``: ``a``'s accuracy minus ``b``'s, for every
        ordered pair.

    Examples
    --------
    >>> y = np.array([1, 1, 1, 1, 0, 0, 0, 0] * 25)
    >>> one_in_ten_wrong = np.where(np.arange(200) % 10 == 0, 1 - y, y)
    >>> gap = accuracy_differences(y, {"a": y, "b": one_in_ten_wrong}, 200)["a"]["b"]
    >>> round(gap["difference"], 4), 0 < gap["ci_low"] < 0.1 < gap["ci_high"]
    (0.1, True)
    """
    y = np.asarray(y_true)
    names = list(predictions)
    right = np.column_stack([np.asarray(predictions[name]) == y for name in names]).astype(np.float64)
    accuracy = right.mean(axis=0)
    draws = np.vstack([weights @ right / len(y) for weights in resample_weights(len(y), n_resamples, seed)]) \
        if n_resamples else None
    alpha = (1 - confidence) / 2
    differences: dict[str, dict[str, dict[str, float]]] = {}
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            if i != j:
                entry = {"difference": float(accuracy[i] - accuracy[j])}
                if draws is not None:
                    low, high = np.quantile(draws[:, i] - draws[:, j], [alpha, 1 - alpha])
                    entry.update(ci_low=float(low), ci_high=float(high))
                differences.setdefault(a, {})[b] = entry
    return differences
