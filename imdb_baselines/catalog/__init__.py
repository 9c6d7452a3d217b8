"""The model catalogue: every named model declared once (:mod:`imdb_baselines.catalog.entries`), and its
settings read from there (:mod:`imdb_baselines.catalog.settings`).

Examples
--------
>>> model_names()[:3]
['naive_bayes', 'linear_svm', 'nbsvm']
>>> spec("fasttext").grid
{'learning_rate': [0.001, 0.003], 'maxlen': [400, 800]}
"""

from __future__ import annotations

from typing import Any

from imdb_baselines.catalog.custom import add_estimator, import_factory
from imdb_baselines.catalog.entries import CATALOG, DEFAULT_MODELS, ModelSpec, spec
from imdb_baselines.catalog.fitting import fit_model, fit_params
from imdb_baselines.catalog.settings import (
    check_model,
    check_models,
    check_settings,
    defaults,
    make_model,
    parse_grids,
    parse_settings,
    resolved_settings,
    search_grid,
)

__all__ = ["CATALOG", "DEFAULT_MODELS", "ModelSpec", "add_estimator", "check_model", "check_models", "check_settings",
           "defaults", "describe", "fit_model", "fit_params", "import_factory",
           "is_neural", "make_model", "missing_extra", "model_names", "models_on", "parse_settings",
           "parse_grids", "resolved_settings", "search_grid", "spec", "uses_seed", "uses_unlabelled"]


def model_names() -> list[str]:
    """Every name of the catalogue: the baselines first, then the neural models."""
    return list(CATALOG)


def models_on(engine: str) -> tuple[str, ...]:
    """The names the engine runs (``"local"`` runs them all; ``"spark"`` the three baselines)."""
    return tuple(name for name, entry in CATALOG.items() if engine in entry.engines)


def is_neural(name: str) -> bool:
    """Whether ``name`` is a Keras model (it takes validation data and epochs)."""
    return spec(name).is_neural


def uses_seed(name: str) -> bool:
    """Whether the model's result depends on the seed (initial weights, liblinear's shuffling)."""
    return spec(name).uses_seed


def uses_unlabelled(name: str, settings: dict[str, Any] | None = None) -> bool:
    """Whether the model, with ``settings`` (its ``--set`` values), learns from unlabelled texts the run provides
    (IMDB's train/unsup). A stack does when one of its members does.

    Examples
    --------
    >>> uses_unlabelled("ensemble_region_cnn")
    True
    >>> uses_unlabelled("ensemble_region_cnn", {"members": ("nbsvm", "fasttext")})
    False
    """
    if spec(name).kind == "stack":
        members = resolved_settings(name, settings)["members"]
        return any(uses_unlabelled(member) for member in ((members,) if isinstance(members, str) else members))
    return spec(name).needs_unlabelled


#: The modules each pip extra installs that a model's estimator imports ("backend": the one Keras runs on).
_EXTRA_MODULES = {"neural": ("backend", "keras"), "word2vec": ("gensim",)}


def missing_extra(name: str) -> str | None:
    """The pip extra the named model needs and this installation lacks (``"neural"``...), or None.

    Examples
    --------
    >>> missing_extra("nbsvm") is None
    True
    """
    import importlib.util

    from neural.backend import BACKEND_MODULES, keras_backend

    for extra in filter(None, spec(name).extra.split(",")):
        modules = [BACKEND_MODULES.get(keras_backend(), keras_backend()) if module == "backend" else module
                   for module in _EXTRA_MODULES.get(extra, ())]
        if any(importlib.util.find_spec(module) is None for module in modules):
            return extra
    return None


def describe(name: str) -> tuple[str, dict]:
    """A model's one-line description and its settings with their defaults, as ``--set`` takes them."""
    return spec(name).description, defaults(name)
