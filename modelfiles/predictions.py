"""One prediction path for kept models: label, probability, score and evidence, per text.

``imdb-predict`` and the web service both call :func:`predict_texts`, so a
text gets the same answer from either.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from modelfiles.files import base_model

__all__ = ["plain_classes", "predict_texts", "probabilities_from_scores"]


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def probabilities_from_scores(model, scores: np.ndarray) -> np.ndarray | None:
    """A baseline's probabilities from its decision values, without scoring the texts again.

    Parameters
    ----------
    model : estimator
        A baseline, or one wrapped in its validation-split calibration (``CalibratedClassifierCV`` around
        the frozen model).
    scores : ndarray
        The base model's ``decision_function`` on the texts: shape (n,) for two classes, (n, k) for more.

    Returns
    -------
    ndarray of shape (n, k) or None
        The calibrated probabilities; Naive Bayes' posterior (its decision values are log posterior odds or
        log posteriors); a plain logistic NBSVM's own (``beta=1``); None for a model without probabilities.
    """
    from sklearn.naive_bayes import MultinomialNB

    from baselines.nbsvm import NBSVMClassifier, logistic_probabilities

    scores = np.asarray(scores, dtype=float)
    calibrated = getattr(model, "calibrated_classifiers_", None)
    if calibrated:
        margins = scores.reshape(len(scores), -1)
        each = np.column_stack([calibrator.predict(margins[:, i])
                                for i, calibrator in enumerate(calibrated[0].calibrators)])
        if each.shape[1] == 1:  # two classes: one calibrator, of the second class
            return np.column_stack([1.0 - each[:, 0], each[:, 0]])
        total = each.sum(axis=1, keepdims=True)
        return np.divide(each, total, out=np.full_like(each, 1.0 / each.shape[1]), where=total > 0)
    classifier = model.steps[-1][1] if hasattr(model, "steps") else model
    if isinstance(classifier, NBSVMClassifier) and hasattr(classifier, "predict_proba"):  # logistic, beta = 1
        return logistic_probabilities(scores)
    if isinstance(classifier, MultinomialNB):
        if scores.ndim == 1:
            positive = 1.0 / (1.0 + np.exp(-scores))
            return np.column_stack([1.0 - positive, positive])
        return np.exp(scores)
    return None


def plain_classes(model) -> list:
    """The model's ``classes_`` as plain Python values (JSON-ready)."""
    return [_plain(c) for c in model.classes_]


def predict_texts(model, texts: Sequence[str], explain: int = 0) -> list[dict[str, Any]]:
    """Predict each text with a loaded model.

    Parameters
    ----------
    model : estimator
        A model from :func:`modelfiles.load_model` (possibly wrapped in its
        validation-split calibration).
    texts : sequence of str
        The texts, raw.
    explain : int, default=0
        For the linear models, the ``explain`` n-grams that pushed each
        prediction most each way; 0 gives no explanation.

    Returns
    -------
    list of dict
        One per text: ``label``, ``probability`` (of that label; None for a
        model without probabilities), ``score`` (the model's margin or
        log-odds; None where it has none) and, if asked, ``explanation``:
        ``{"toward": [(ngram, contribution), ...], "against": [...]}``, or
        None for a Keras model, for which no sound per-n-gram explanation is given.
    """
    base = base_model(model)  # labels and margins as in the report; probabilities calibrated where they had to be
    classes = list(model.classes_)
    if hasattr(base, "decision_function") and hasattr(base, "steps"):  # a baseline: its margins, computed once
        scores = np.asarray(base.decision_function(texts), dtype=float)
        index = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
        proba = probabilities_from_scores(model, scores)
    else:  # a Keras model or the stacked ensemble: its probabilities, computed once
        proba = np.asarray(model.predict_proba(texts), dtype=float)
        index = (proba[:, 1] > 0.5).astype(int) if proba.shape[1] == 2 else proba.argmax(axis=1)
        clipped = np.clip(proba, 1e-7, 1 - 1e-7)
        scores = np.log(clipped[:, 1] / clipped[:, 0]) if proba.shape[1] == 2 else np.log(clipped)
    rows = []
    for i, position in enumerate(index.tolist()):
        row = {"label": _plain(classes[position]), "probability": None,
               "score": round(float(np.max(scores[i]) if scores.ndim == 2 else scores[i]), 6)}
        if proba is not None:
            row["probability"] = round(float(proba[i, position]), 6)
        rows.append(row)
    if explain:
        from baselines import explain as explain_texts

        reasons = explain_texts(base, texts, k=explain) if hasattr(base, "steps") else [None] * len(texts)
        for row, reason in zip(rows, reasons):
            row["explanation"] = reason
    return rows
