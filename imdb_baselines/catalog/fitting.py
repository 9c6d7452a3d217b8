"""How a named model is fitted: which of the run's texts its ``fit`` takes besides the training texts.

A model that takes validation texts (a Keras model early-stops on them; a stack fits its stacker there) gets
them; a model that learns from unlabelled texts (IMDB's train/unsup) gets those. The local engine, its folds
and a stack's members all fit through :func:`fit_model`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from imdb_baselines.catalog.entries import spec

__all__ = ["fit_model", "fit_params"]


def fit_params(name: str, unlabelled: Sequence[str] | None) -> dict[str, Any]:
    """``unlabelled`` for the models that learn from unlabelled texts (their fit refuses None clearly), and for a
    stack, which hands them to the members that learn from them.

    Examples
    --------
    >>> fit_params("nbsvm", ["an unlabelled review"])
    {}
    >>> fit_params("region_cnn_unlabelled", ["an unlabelled review"])
    {'unlabelled': ['an unlabelled review']}
    """
    entry = spec(name)
    return {"unlabelled": unlabelled} if entry.needs_unlabelled or entry.kind == "stack" else {}


def fit_model(model, name: str, X: Sequence[str], y: np.ndarray,
              validation: tuple[Sequence[str], np.ndarray] | None = None,
              unlabelled: Sequence[str] | None = None,
              fitted_members: Mapping[str, tuple[Any, float]] | None = None) -> None:
    """Fit ``model``, the catalogue's ``name``, on ``(X, y)`` with the other texts its fit takes.

    Parameters
    ----------
    model : estimator
        The unfitted model (:func:`imdb_baselines.catalog.make_model`).
    name : str
        Its catalogue name.
    X : sequence of str
        Training texts (raw or :class:`~imdb_baselines.corpus.PreparedTexts`).
    y : ndarray of shape (n_samples,)
    validation : (texts, labels), optional
        A Keras model early-stops on them and a stack fits its stacker there. Without them a Keras model trains
        on all of ``X`` (none held out, like the baselines) and a stack holds out its own share of ``X``.
    unlabelled : sequence of str, optional
        Unlabelled texts, for the models that learn from them.
    fitted_members : mapping of str to (estimator, float), optional
        For a stack: Keras models already fitted on these very texts, with their fit seconds, that it takes as
        its members where their settings are its members' (:meth:`ValidationStack.fit
        <imdb_baselines.catalog.stacking.ValidationStack.fit>`).
    """
    extra, entry = fit_params(name, unlabelled), spec(name)
    if entry.kind == "stack" and fitted_members:
        extra["fitted_members"] = fitted_members
    if entry.takes_validation and validation is not None and len(validation[0]):
        model.fit(X, y, validation_data=validation, **extra)
    elif entry.is_neural:
        model.set_params(validation_size=0.0).fit(X, y, **extra)
    else:
        model.fit(X, y, **extra)
