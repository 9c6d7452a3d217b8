"""Paired significance tests between models' predictions on the same test reviews."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["mcnemar", "mcnemar_matrix"]


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
