"""Every model the comparison can run, by name: the baselines and the neural models."""

from __future__ import annotations

import inspect
import re
from typing import Any

from baselines import BASELINES

__all__ = ["DEFAULT_MODELS", "describe", "is_neural", "make_model", "model_names", "uses_seed"]

#: The default comparison: the three baselines and the tutorial's LSTM.
DEFAULT_MODELS = ("naive_bayes", "linear_svm", "nbsvm", "lstm")


def model_names() -> list[str]:
    """All registered names: baselines first, then the neural models."""
    from neural import NEURAL_MODELS

    return list(BASELINES) + list(NEURAL_MODELS)


def is_neural(name: str) -> bool:
    """Whether ``name`` is a Keras model (it takes validation data and epochs)."""
    return name not in BASELINES


def describe(name: str) -> tuple[str, dict[str, Any]]:
    """A model's one-line description and its main settings (without the run-wide stopwords and seed)."""
    if name in BASELINES:
        factory = BASELINES[name]
        settings = {key: p.default for key, p in inspect.signature(factory).parameters.items()
                    if key not in ("stopwords", "random_state")}
        first = (factory.__doc__ or "").strip().splitlines()[0]
        return re.sub(r":\w+:`~?([^`]+)`", r"\1", first).replace("``", ""), settings
    from neural import NEURAL_DESCRIPTIONS, NEURAL_MODELS

    return NEURAL_DESCRIPTIONS[name], {k: v for k, v in NEURAL_MODELS[name].items() if k != "model"}


def uses_seed(name: str) -> bool:
    """Whether the model's result depends on the seed (initial weights, liblinear's shuffling)."""
    return is_neural(name) or "random_state" in inspect.signature(BASELINES[name]).parameters


def make_model(name: str, *, stopwords: str, seed: int, neural_overrides: dict[str, Any] | None = None):
    """An unfitted estimator over raw texts for ``name``, using the shared stopword list.

    Parameters
    ----------
    name : str
        A name from :func:`model_names`.
    stopwords : str
        The stopword list every model of the run uses.
    seed : int
        The run's seed (liblinear's shuffling, Keras' initialisation).
    neural_overrides : dict, optional
        Parameters applied to every neural model (e.g. ``{"epochs": 1}``).

    Raises
    ------
    ValueError
        If ``name`` is not registered.
    """
    if name in BASELINES:
        factory = BASELINES[name]
        options: dict[str, Any] = {"stopwords": stopwords}
        if "random_state" in inspect.signature(factory).parameters:
            options["random_state"] = seed
        return factory(**options)
    from neural import NEURAL_MODELS, make_neural

    if name not in NEURAL_MODELS:
        raise ValueError(f"Unknown model {name!r}. Choose from: {', '.join(model_names())}.")
    return make_neural(name, stopwords=stopwords, seed=seed, **(neural_overrides or {}))
