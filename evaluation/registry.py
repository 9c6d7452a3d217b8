"""Every model the comparison can run, by name: the baselines and the neural models."""

from __future__ import annotations

import ast
import inspect
import math
import re
from typing import Any

from baselines import BASELINES

__all__ = ["DEFAULT_MODELS", "check_model", "check_models", "describe", "is_neural", "make_model", "model_names",
           "parse_settings", "resolved_settings", "uses_seed", "uses_unlabelled"]

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


def _defaults(name: str) -> dict[str, Any]:
    """Every setting a model takes, with its value for this named model (the run's stopwords and seed aside)."""
    if name in BASELINES:
        return describe(name)[1]
    from neural import NEURAL_MODELS
    from neural.estimator import KerasTextClassifier
    from neural.params import BUILDER_SETTINGS
    from neural.registry import BUILDERS

    base = {key: p.default for key, p in inspect.signature(KerasTextClassifier).parameters.items()
            if key not in ("model", "stopwords", "seed")}
    named = {k: v for k, v in NEURAL_MODELS[name].items() if k != "model"}
    builder = inspect.signature(BUILDERS[NEURAL_MODELS[name]["model"]]).parameters
    for key in (*BUILDER_SETTINGS, "dropout", "mask_zero"):  # None there means the builder's own value: show it
        if key not in builder:
            base.pop(key, None)
        elif base.get(key) is None:
            base[key] = builder[key].default
    return {**base, **named}


def parse_settings(assignments: list[str], models: list[str]) -> dict[str, dict[str, Any]]:
    """``MODEL.KEY=VALUE`` strings as ``{model: {key: value}}``, each value checked against the setting's type.

    Values are Python literals (``0.5``, ``3``, ``True``, ``(1, 2)``, ``None``) or bare words (strings).

    Raises
    ------
    ValueError
        Naming the model, key or value, and what is valid.
    """
    settings: dict[str, dict[str, Any]] = {}
    for assignment in assignments:
        target, sep, text = assignment.partition("=")
        name, dot, key = target.strip().partition(".")
        if not sep or not dot or not key:
            raise ValueError(f"{assignment!r} is not MODEL.KEY=VALUE (e.g. nbsvm.C=0.5)")
        if name not in models:
            raise ValueError(f"{assignment!r} names {name!r}, which this run does not train; its models: "
                             f"{', '.join(models)}")
        defaults = _defaults(name)
        if key not in defaults:
            raise ValueError(f"{name} has no setting {key!r}; its settings: {', '.join(sorted(defaults))}")
        value = _literal(text.strip())
        if not _fits(value, defaults[key]):
            raise ValueError(f"{name}.{key} must be like {defaults[key]!r} ({type(defaults[key]).__name__}); "
                             f"got {text.strip()!r}")
        settings.setdefault(name, {})[key] = float(value) if isinstance(defaults[key], float) else value
    return settings


def _literal(text: str) -> Any:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text  # a bare word: a string


def _fits(value: Any, default: Any) -> bool:
    if default is None:
        return True
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, tuple):
        return isinstance(value, (tuple, list)) and len(value) == len(default)
    return isinstance(value, type(default))


def resolved_settings(name: str, settings: dict[str, Any] | None = None,
                      neural_overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every setting of the named model as a run uses it, as :func:`make_model` applies them: the model's
    values, then (neural models) the run-wide ``neural_overrides`` such as ``--epochs``, then ``settings``.

    ``verbose`` is left out: it changes what is printed, not what is learned.
    """
    run_wide = {k: v for k, v in (neural_overrides or {}).items() if k != "verbose"} if is_neural(name) else {}
    return {**_defaults(name), **run_wide, **(settings or {})}


def uses_unlabelled(name: str) -> bool:
    """Whether the model learns from unlabelled texts the run provides (IMDB's train/unsup)."""
    if not is_neural(name):
        return False
    from neural import NEURAL_MODELS
    from neural.pretraining import UNLABELLED_WORD2VEC

    return NEURAL_MODELS[name].get("embeddings") == UNLABELLED_WORD2VEC


def uses_seed(name: str) -> bool:
    """Whether the model's result depends on the seed (initial weights, liblinear's shuffling)."""
    return is_neural(name) or "random_state" in inspect.signature(BASELINES[name]).parameters


def make_model(name: str, *, stopwords: str, seed: int, neural_overrides: dict[str, Any] | None = None,
               settings: dict[str, Any] | None = None):
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
    settings : dict, optional
        This model's own settings (from ``--set``), applied last.

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
        return factory(**options, **(settings or {}))
    from neural import NEURAL_MODELS, make_neural

    if name not in NEURAL_MODELS:
        raise ValueError(f"Unknown model {name!r}. Choose from: {', '.join(model_names())}.")
    return make_neural(name, stopwords=stopwords, seed=seed, **{**(neural_overrides or {}), **(settings or {})})


def check_model(model) -> None:
    """Raise ValueError naming the first out-of-range setting of ``model`` or of any estimator inside it.

    Each estimator checks its own parameters as it would in ``fit`` (the package's own ``_check_params``,
    scikit-learn's ``_parameter_constraints``), without data; a float setting must also be finite.
    """
    from sklearn.base import BaseEstimator

    estimators, seen = [model], set()
    while estimators:
        estimator = estimators.pop()
        if id(estimator) in seen:
            continue
        seen.add(id(estimator))
        params = estimator.get_params(deep=False)
        for key, value in params.items():
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"The {key!r} parameter of {type(estimator).__name__} must be finite. "
                                 f"Got {value!r} instead.")
            if isinstance(value, BaseEstimator):
                estimators.append(value)
            elif isinstance(value, (list, tuple)):  # Pipeline steps, stacked members: (name, estimator) pairs
                estimators += [item[1] for item in value if isinstance(item, tuple) and len(item) == 2
                               and isinstance(item[1], BaseEstimator)]
        if callable(getattr(estimator, "_check_params", None)):
            estimator._check_params()
        elif getattr(estimator, "_parameter_constraints", None):
            estimator._validate_params()


def check_models(models, *, stopwords: str, seed: int, settings: dict[str, dict[str, Any]] | None = None,
                 neural_overrides: dict[str, Any] | None = None) -> None:
    """Build every named model of a run with its settings and check them all, before any data is read.

    Raises
    ------
    ValueError
        Naming the model and the setting out of range, and what is valid.
    """
    for name in models:
        try:
            check_model(make_model(name, stopwords=stopwords, seed=seed, neural_overrides=neural_overrides,
                                   settings=(settings or {}).get(name)))
        except ValueError as error:
            raise ValueError(f"{name}: {error}") from None
