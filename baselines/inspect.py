"""Which n-grams push a fitted baseline towards positive or negative."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from baselines.features import NgramVectorizer
from baselines.nbsvm import NBSVMClassifier
from imdb_baselines.corpus.dataset import plain_label

__all__ = ["explain", "top_features"]


def top_features(model: Pipeline, n: int = 20) -> pd.DataFrame:
    """The ``n`` n-grams a fitted baseline weighs most towards each side, or each class.

    Parameters
    ----------
    model : Pipeline
        A fitted baseline from :mod:`baselines` (or any pipeline with an
        :class:`~baselines.NgramVectorizer` step and a final linear model or
        ``MultinomialNB``).
    n : int, default=20
        How many n-grams per side (two classes) or per class (more).

    Returns
    -------
    DataFrame
        Columns ``polarity``, ``rank`` (1 = strongest), ``feature`` and
        ``weight``. Two classes: ``polarity`` is "positive" (towards
        ``classes_[1]``) or "negative", the weight the linear weight
        (``coef_``) or, for Naive Bayes, ``log P(f|pos) - log P(f|neg)``.
        More classes: ``polarity`` is the class, the weight that class's
        one-vs-rest weight or, for Naive Bayes, ``log P(f|class)`` minus the
        mean over the other classes.

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
    weights = _class_weights(classifier)
    if len(weights) == 1:  # two classes: one weight vector, read both ways
        order = np.argsort(weights[0], kind="stable")
        sides = [("positive", weights[0], order[::-1][:n]), ("negative", weights[0], order[:n])]
    else:
        sides = [(plain_label(label), w, np.argsort(w, kind="stable")[::-1][:n])
                 for label, w in zip(classifier.classes_, weights)]
    rows = []
    for polarity, w, picks in sides:
        names = vectorizers[0].feature_names(picks)
        rows += [(polarity, rank, name, float(w[i])) for rank, (i, name) in enumerate(zip(picks, names), start=1)]
    return pd.DataFrame(rows, columns=["polarity", "rank", "feature", "weight"])


def _class_weights(classifier) -> np.ndarray:
    """One weight vector (two classes) or one per class."""
    if hasattr(classifier, "feature_log_prob_"):
        log_prob = classifier.feature_log_prob_
        if len(log_prob) == 2:
            return (log_prob[1] - log_prob[0])[np.newaxis]
        others = (log_prob.sum(axis=0, keepdims=True) - log_prob) / (len(log_prob) - 1)
        return log_prob - others
    if hasattr(classifier, "coef_"):
        return np.atleast_2d(np.asarray(classifier.coef_))
    raise TypeError(f"{type(classifier).__name__} has neither coef_ nor feature_log_prob_.")



def explain(model: Pipeline, texts, k: int = 5) -> list[dict[str, list[tuple[str, float]]]]:
    """The n-grams that pushed each prediction of a fitted baseline, and by how much.

    A linear model's decision value is a sum over the n-grams present in the text
    (feature value times weight, plus the bias); each term is an n-gram's
    contribution. The ``k`` largest each way are returned: ``toward`` the predicted
    class and ``against`` it (for more than two classes, the predicted class's
    one-vs-rest weights; for Naive Bayes, the log probability ratio of the
    predicted class against the others).

    Parameters
    ----------
    model : Pipeline
        A fitted baseline pipeline (vectorizer, optional transforms, linear model or Naive Bayes).
    texts : sequence of str
        The texts to explain.
    k : int, default=5
        N-grams each way.

    Returns
    -------
    list of dict
        Per text, ``{"toward": [(ngram, contribution), ...], "against": [...]}``, largest first.

    Examples
    --------
    >>> from baselines import make_nbsvm
    >>> model = make_nbsvm(ngram_range=(1, 1)).fit(
    ...     ["a great film", "great acting", "the worst film", "worst plot ever"], [1, 1, 0, 0])
    >>> [name for name, _ in explain(model, ["great plot"], k=1)[0]["toward"]]
    ['great']
    """
    if not isinstance(model, Pipeline) or not any(isinstance(s, NgramVectorizer) for _, s in model.steps):
        raise TypeError("explain needs a baseline pipeline with an NgramVectorizer step; Keras models have no "
                        "sound per-n-gram explanation here.")
    vectorizer = next(step for _, step in model.steps if isinstance(step, NgramVectorizer))
    classifier = model.steps[-1][1]
    features = model[:-1].transform(texts)
    if isinstance(classifier, NBSVMClassifier) or hasattr(classifier, "feature_log_prob_"):
        features = features.copy()
        features.data[:] = 1.0  # NBSVM and the binarized Naive Bayes weigh presence
    weights = _class_weights(classifier)
    predicted = model.predict(texts)
    classes = list(classifier.classes_)
    explanations = []
    for row, label in enumerate(predicted):
        index = classes.index(label)
        if len(weights) == 1:  # two classes: one weight vector, signed towards classes_[1]
            w, sign = weights[0], 1.0 if index == 1 else -1.0
        else:
            w, sign = weights[index], 1.0
        start, stop = features.indptr[row], features.indptr[row + 1]
        columns = features.indices[start:stop]
        contributions = sign * features.data[start:stop] * w[columns]
        order = np.argsort(-contributions, kind="stable")
        if vectorizer.hashed:  # a hashed column is named by the n-grams of this text that fill it
            named = vectorizer.named_columns(texts[row])
            names = [named.get(int(c), f"#{c}") for c in columns[order]]
        else:
            names = vectorizer.feature_names(columns[order]) if len(columns) else []
        pairs = [(name, round(float(c), 4)) for name, c in zip(names, contributions[order])]
        explanations.append({"toward": [p for p in pairs if p[1] > 0][:k],
                             "against": [p for p in reversed(pairs) if p[1] < 0][:k]})
    return explanations
