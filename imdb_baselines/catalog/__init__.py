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

import difflib
import logging
from collections.abc import Sequence
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

logger = logging.getLogger(__name__)

__all__ = ["CATALOG", "DEFAULT_MODELS", "ModelSpec", "add_estimator", "check_model", "check_models", "check_settings",
           "defaults", "describe", "fit_model", "fit_params", "import_factory",
           "is_neural", "make_model", "missing_extra", "model_names", "models_on", "parse_settings",
           "parse_grids", "resolve_models", "resolved_settings", "search_grid", "spec", "uses_seed", "uses_unlabelled"]


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


def resolve_models(names: Sequence[str] | None, *, engine: str = "local",
                   custom: Sequence[str] = ()) -> tuple[str, ...]:
    """The models a comparison runs: ``names`` checked against the catalogue, or the default list.

    Parameters
    ----------
    names : sequence of str or None
        Catalogue names, in the order to run them; None: :data:`DEFAULT_MODELS` (on another engine than
        ``"local"``, every model it runs), less those whose extra is not installed, which a warning names.
    engine : str, default="local"
        The engine the models run on; chooses the default list.
    custom : sequence of str, default=()
        The user's own estimators' names (:func:`add_estimator`), which always run, after ``names``.

    Raises
    ------
    ValueError
        For an empty list, an unknown name (with the closest catalogue names), a name given twice, or a named
        model whose extra is not installed (with the ``pip install`` that adds it).

    Examples
    --------
    >>> resolve_models(["nbsvm", "naive_bayes"])
    ('nbsvm', 'naive_bayes')
    >>> resolve_models(["NBSVM"])
    Traceback (most recent call last):
    ...
    ValueError: --models: unknown 'NBSVM' (did you mean nbsvm?); valid names: naive_bayes, linear_svm, nbsvm, ...
    """
    known = [*model_names(), *custom]
    if names is not None and (isinstance(names, str) or not list(names)):
        raise ValueError("--models is empty, or not a list of names; give catalogue names (see --list-models)")
    models = tuple(names) if names is not None else tuple(DEFAULT_MODELS if engine == "local" else models_on(engine))
    models += tuple(name for name in custom if name not in models)
    unknown = [m for m in models if m not in known]
    if unknown:
        close = [difflib.get_close_matches(str(m).lower().replace("-", "_"), known, n=2) for m in unknown]
        meant = [f"{m!r} (did you mean {' or '.join(c)}?)" if c else repr(m) for m, c in zip(unknown, close)]
        raise ValueError(f"--models: unknown {', '.join(meant)}; valid names: {', '.join(known)}")
    if len(set(models)) != len(models):
        raise ValueError(f"--models: {', '.join(sorted({m for m in models if models.count(m) > 1}))} named twice")
    lacking = {m: missing_extra(m) for m in models if missing_extra(m)}
    extras = ",".join(sorted(set(lacking.values())))
    if lacking and names is None:  # the default list: run what is installed, and say what was left out
        logger.warning("Leaving out %s: the %s extra is not installed (pip install 'imdb-baselines[%s]')",
                       ", ".join(lacking), extras, extras)
        return tuple(m for m in models if m not in lacking)
    if lacking:
        raise ValueError(f"--models: {', '.join(lacking)} need the {extras} extra, which is not installed: "
                         f"pip install 'imdb-baselines[{extras}]'")
    return models
