"""Reading a fitted model's scores and probabilities: the steps the local engine's main fit and its folds share
(the fit itself is :func:`imdb_baselines.catalog.fit_model`)."""

from __future__ import annotations

import numpy as np

from imdb_baselines import corpus
from imdb_baselines.run.calibration import calibrate, probabilities_from_scores

__all__ = ["PROBABILITY_SOURCES", "probabilities_for", "raw_scores"]

#: Where a model's probabilities come from, as the report says it.
PROBABILITY_SOURCES = {"own": "the model's own", "scaled": "margins scaled on the validation split",
                       "scaled_in_folds": "margins scaled on each fold's validation carve"}


def raw_scores(model, X: corpus.PreparedTexts) -> np.ndarray:
    """The model's margins (``decision_function``), else its probabilities."""
    return model.decision_function(X) if hasattr(model, "decision_function") else model.predict_proba(X)


def probabilities_for(model, X: corpus.PreparedTexts, raw: np.ndarray,
                      validation: tuple[corpus.PreparedTexts, np.ndarray] | None):
    """The model that gives probabilities, its probabilities on ``X`` and where they come from.

    A model with ``predict_proba`` is its own; a model with only margins gets their scale fitted on
    ``validation`` only (:func:`imdb_baselines.run.calibration.calibrate`), so the scored texts stay untouched,
    and the calibrated model is returned. Without a validation split such a model has no probabilities
    (``(model, None, "")``).
    """
    if hasattr(model, "predict_proba"):
        return model, np.asarray(model.predict_proba(X), dtype=float), PROBABILITY_SOURCES["own"]
    calibrated = calibrate(model, *validation) if validation is not None and len(validation[0]) else None
    if calibrated is None:
        return model, None, ""
    return calibrated, probabilities_from_scores(calibrated, raw), PROBABILITY_SOURCES["scaled"]
