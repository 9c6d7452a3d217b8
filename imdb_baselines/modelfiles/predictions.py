"""One prediction path for kept models: label, probability, score and evidence, per text.

``imdb-predict`` and the web service both call :func:`predict_texts`, so a
text gets the same answer from either.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from imdb_baselines.modelfiles.adapters import adapter_for
from imdb_baselines.run.calibration import probabilities_from_scores

__all__ = ["plain_classes", "predict_texts", "probabilities_from_scores"]


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def plain_classes(model) -> list:
    """The model's ``classes_`` as plain Python values (JSON-ready)."""
    return [_plain(c) for c in model.classes_]


def predict_texts(model, texts: Sequence[str], explain: int = 0, *, adapter=None) -> list[dict[str, Any]]:
    """Predict each text with a loaded model.

    Parameters
    ----------
    model : estimator
        A model from :func:`imdb_baselines.modelfiles.load_model` (possibly wrapped in its
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
    adapter : ModelAdapter, optional
        The model's adapter, when the caller keeps it (default: :func:`adapter_for` the model).
    """
    adapter = adapter or adapter_for(model)
    classes = list(model.classes_)
    index, scores, proba = adapter.answer(model, texts)  # each text scored once
    rows = []
    for i, position in enumerate(index.tolist()):
        row = {"label": _plain(classes[position]), "probability": None,
               "score": round(float(np.max(scores[i]) if scores.ndim == 2 else scores[i]), 6)}
        if proba is not None:
            row["probability"] = round(float(proba[i, position]), 6)
        rows.append(row)
    if explain:
        reasons = adapter.explain(model, texts, explain)
        for row, reason in zip(rows, reasons):
            row["explanation"] = reason
    return rows
