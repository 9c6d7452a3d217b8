"""Which n-grams push a fitted baseline towards positive or negative."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from baselines.features import NgramVectorizer

__all__ = ["top_features"]


def top_features(model: Pipeline, n: int = 20) -> pd.DataFrame:
    """The ``n`` most positive and ``n`` most negative n-grams of a fitted baseline.

    Parameters
    ----------
    model : Pipeline
        A fitted baseline from :mod:`baselines` (or any pipeline with an
        :class:`~baselines.NgramVectorizer` step and a final linear model or
        ``MultinomialNB``).
    n : int, default=20
        How many n-grams per side.

    Returns
    -------
    DataFrame
        Columns ``polarity`` ("positive" / "negative"), ``rank`` (1 = strongest),
        ``feature`` and ``weight``: the linear weight (``coef_``) or, for Naive
        Bayes, the log probability ratio ``log P(f|pos) - log P(f|neg)``.

    Examples
    --------
    >>> from baselines import make_naive_bayes
    >>> model = make_naive_bayes(ngram_range=(1, 1)).fit(
    ...     ["a great film", "great acting", "the worst film", "worst plot ever"], [1, 1, 0, 0])
    >>> top_features(model, n=1)[["polarity", "feature"]].values.tolist()
    [['positive', 'great'], ['negative', 'worst']]
    """
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise ValueError(f"The 'n' parameter of top_features must be an int >= 1. Got {n!r} instead.")
    if not isinstance(model, Pipeline):
        raise TypeError(f"top_features needs a baseline pipeline; got {type(model).__name__}.")
    vectorizers = [step for _, step in model.steps if isinstance(step, NgramVectorizer)]
    if not vectorizers:
        raise TypeError("top_features needs a pipeline with an NgramVectorizer step.")
    classifier = model.steps[-1][1]
    check_is_fitted(classifier)
    if len(getattr(classifier, "classes_", ())) > 2:
        raise ValueError(f"top_features ranks n-grams between two classes; this model has "
                         f"{len(classifier.classes_)}. Fit it on two classes (one against the rest) to rank them.")
    if hasattr(classifier, "feature_log_prob_"):
        weights = classifier.feature_log_prob_[1] - classifier.feature_log_prob_[0]
    elif hasattr(classifier, "coef_"):
        weights = np.asarray(classifier.coef_).ravel()
    else:
        raise TypeError(f"{type(classifier).__name__} has neither coef_ nor feature_log_prob_.")
    order = np.argsort(weights, kind="stable")
    rows = []
    for polarity, picks in (("positive", order[::-1][:n]), ("negative", order[:n])):
        names = vectorizers[0].feature_names(picks)
        for rank, (index, name) in enumerate(zip(picks, names), start=1):
            rows.append((polarity, rank, name, float(weights[index])))
    return pd.DataFrame(rows, columns=["polarity", "rank", "feature", "weight"])
