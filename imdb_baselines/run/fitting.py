"""Fitting one model and reading its scores: the steps the local engine's main fit and its folds share."""

from __future__ import annotations

from typing import Any

import numpy as np

from imdb_baselines import corpus
from imdb_baselines.catalog import is_neural, spec, uses_unlabelled
from imdb_baselines.run.calibration import calibrate, probabilities_from_scores

__all__ = ["PROBABILITY_SOURCES", "fit_model", "fit_params", "probabilities_for", "raw_scores"]

#: Where a model's probabilities come from, as the report says it.
PROBABILITY_SOURCES = {"own": "the model's own", "scaled": "margins scaled on the validation split",
                       "scaled_in_folds": "margins scaled on each fold's validation carve"}


def fit_params(name: str, unlabelled: list[str] | None) -> dict[str, Any]:
    """``unlabelled`` for the models that learn from unlabelled texts (their fit refuses None clearly)."""
    return {"unlabelled": unlabelled} if uses_unlabelled(name) else {}


def fit_model(model, name: str, X: corpus.PreparedTexts, y: np.ndarray,
              validation: tuple[corpus.PreparedTexts, np.ndarray] | None = None,
              unlabelled: list[str] | None = None) -> None:
    """Fit ``model`` on ``(X, y)``; a neural model early-stops on ``validation`` (or, without one, trains on the
    same texts as the baselines, none held out), and a stack fits its stacker there."""
    extra = fit_params(name, unlabelled)
    if spec(name).takes_validation and validation is not None and len(validation[0]):
        model.fit(X, y, validation_data=validation, **extra)
    elif is_neural(name):
        model.set_params(validation_size=0.0).fit(X, y, **extra)
    else:  # a stack without the run's validation texts holds out its own share of X
        model.fit(X, y, **extra)


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
