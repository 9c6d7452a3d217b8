"""One prediction path for kept models: label, probability, score and evidence, per text.

``imdb-predict`` and the web service both call :func:`predict_texts`, so a
text gets the same answer from either.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from modelfiles.files import base_model

__all__ = ["plain_classes", "predict_texts"]


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


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
    labels = base.predict(texts)
    proba = model.predict_proba(texts) if hasattr(model, "predict_proba") else None
    scores = base.decision_function(texts) if hasattr(base, "decision_function") else None
    classes = list(model.classes_)
    rows = []
    for i, label in enumerate(labels):
        row = {"label": _plain(label), "probability": None, "score": None}
        if proba is not None:
            row["probability"] = round(float(proba[i, classes.index(label)]), 6)
        if scores is not None:
            row["score"] = round(float(np.max(scores[i]) if np.ndim(scores) == 2 else scores[i]), 6)
        rows.append(row)
    if explain:
        from baselines import explain as explain_texts

        reasons = explain_texts(base, texts, k=explain) if hasattr(base, "steps") else [None] * len(texts)
        for row, reason in zip(rows, reasons):
            row["explanation"] = reason
    return rows
