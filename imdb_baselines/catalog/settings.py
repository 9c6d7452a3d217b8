"""Settings of the catalogue's models: their defaults, ``--set`` values checked, and the estimator built."""

from __future__ import annotations

import ast
import inspect
import math
from typing import Any

from imdb_baselines.catalog.entries import spec

__all__ = ["check_model", "check_models", "check_settings", "defaults", "make_model", "parse_settings",
           "parse_grids", "resolved_settings", "search_grid"]

_RUN_WIDE = ("stopwords", "random_state", "seed", "verbose", "neural_overrides")  # set by the run, not per model


def defaults(name: str) -> dict[str, Any]:
    """Every setting ``--set`` takes for the named model, with its default (the run's stopwords and seed aside).

    A baseline's settings are its factory's parameters, with the entry's own values; a neural model's are
    :class:`neural.KerasTextClassifier`'s, with the variant's own values, and a builder's
    setting left at None shown with the builder's value.
    """
    entry = spec(name)
    if entry.is_custom:  # the user's own estimator: its settings are its own code's
        return {}
    if not entry.is_neural:  # the factory's parameters, with the values the entry gives them
        return {key: entry.settings.get(key, p.default)
                for key, p in inspect.signature(entry.build_function()).parameters.items() if key not in _RUN_WIDE}
    from neural.estimator import KerasTextClassifier
    from neural.params import BUILDER_SETTINGS
    from neural.registry import BUILDERS

    base = {key: p.default for key, p in inspect.signature(KerasTextClassifier).parameters.items()
            if key not in (*_RUN_WIDE, "model")}
    named = {k: v for k, v in entry.settings.items() if k != "model"}
    builder = inspect.signature(BUILDERS[entry.settings["model"]]).parameters
    for key in (*BUILDER_SETTINGS, "dropout", "mask_zero"):  # None there means the builder's own value: show it
        if key not in builder:
            base.pop(key, None)
        elif base.get(key) is None:
            base[key] = builder[key].default
    return {**base, **named}


def search_grid(name: str, fixed: dict[str, Any] | None = None,
                replaced: dict[str, list] | None = None) -> dict[str, list]:
    """The named model's ``--tune`` grid, each setting's values ``replaced`` where the user gave them (``--grid``),
    without the settings the user ``fixed`` with ``--set``."""
    grid = {**(spec(name).grid or {}), **(replaced or {})}
    return {key: list(values) for key, values in grid.items() if key not in (fixed or {})}


def parse_grids(assignments: list[str] | dict[str, dict[str, list]], models) -> dict[str, dict[str, list]]:
    """``MODEL.KEY=V1,V2,...`` strings (``--grid``), or ``{model: {key: [values]}}``, as checked candidate lists.

    Each value is checked as :func:`parse_settings` checks one; a tuple setting's candidates are tuples
    (``nbsvm.ngram_range=(1,2),(1,3)``).

    Examples
    --------
    >>> parse_grids(["nbsvm.C=0.1,1,10", "nbsvm.ngram_range=(1,2),(1,3)"], ["nbsvm"])
    {'nbsvm': {'C': [0.1, 1.0, 10.0], 'ngram_range': [(1, 2), (1, 3)]}}
    """
    models = list(models)
    if isinstance(assignments, dict):
        given = {(name, key): (list(values) if isinstance(values, (list, tuple)) else [values], f"{name}.{key}")
                 for name, grid in assignments.items() for key, values in grid.items()}
    else:
        given = {}
        for assignment in assignments:
            target, sep, text = assignment.partition("=")
            name, dot, key = target.strip().partition(".")
            if not sep or not dot or not key or not text.strip():
                raise ValueError(f"{assignment!r} is not MODEL.KEY=V1,V2,... (e.g. nbsvm.C=0.1,1,10)")
            value = _literal(text.strip())
            known = defaults(name).get(key) if name in models and key in defaults(name) else None
            single = not isinstance(value, tuple) or (isinstance(known, tuple) and not isinstance(value[0], tuple))
            given[(name, key)] = ([value] if single else list(value), repr(assignment))
    grids: dict[str, dict[str, list]] = {}
    for (name, key), (values, where) in given.items():
        if not values:
            raise ValueError(f"{where} gives no values")
        grids.setdefault(name, {})[key] = [_checked(name, key, v, models, shown=repr(v), where=where)
                                           for v in values]
    return grids


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
        value = _checked(name, key, _literal(text.strip()), models, shown=repr(text.strip()),
                         where=repr(assignment))
        settings.setdefault(name, {})[key] = value
    return settings


def check_settings(settings: dict[str, dict[str, Any]] | list[str] | None, models) -> dict[str, dict[str, Any]]:
    """``{model: {key: value}}`` (or ``MODEL.KEY=VALUE`` strings) checked as :func:`parse_settings` checks them.

    Examples
    --------
    >>> check_settings({"nbsvm": {"C": 1}}, ["nbsvm"])
    {'nbsvm': {'C': 1.0}}
    """
    if isinstance(settings, (list, tuple)):
        return parse_settings(list(settings), list(models))
    if not isinstance(settings or {}, dict):
        raise ValueError(f"settings must be {{model: {{setting: value}}}}, e.g. {{'nbsvm': {{'C': 0.5}}}}. "
                         f"Got {settings!r} instead.")
    checked: dict[str, dict[str, Any]] = {}
    for name, values in (settings or {}).items():
        if not isinstance(values, dict):
            raise ValueError(f"settings[{name!r}] must be a dict of setting names to values. Got {values!r}.")
        for key, value in values.items():
            checked.setdefault(name, {})[key] = _checked(name, key, value, list(models), shown=repr(value),
                                                          where=f"{name}.{key}")
    return checked


def _checked(name: str, key: str, value: Any, models: list[str], *, shown: str, where: str) -> Any:
    if name not in models:
        raise ValueError(f"{where} names {name!r}, which this run does not train; its models: {', '.join(models)}")
    known = defaults(name)
    if key not in known:
        raise ValueError(f"{name} has no setting {key!r}; its settings: {', '.join(sorted(known))}")
    if not _fits(value, known[key], key):
        raise ValueError(f"{name}.{key} must be like {known[key]!r} ({type(known[key]).__name__}); got {shown}")
    return float(value) if isinstance(known[key], float) else value


def _literal(text: str) -> Any:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text  # a bare word: a string


def _fits(value: Any, default: Any, key: str = "") -> bool:
    if default is None:
        return True
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, tuple) and key.endswith("_range"):  # (low, high)
        return isinstance(value, (tuple, list)) and len(value) == len(default)
    if isinstance(default, tuple) and default:  # names, sizes...: any number of the same kind
        return isinstance(value, (tuple, list)) and all(_fits(v, default[0]) for v in value)
    return isinstance(value, type(default))


def resolved_settings(name: str, settings: dict[str, Any] | None = None,
                      neural_overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every setting of the named model as a run uses it, as :func:`make_model` applies them: the model's
    values, then (neural models) the run-wide ``neural_overrides`` such as ``--epochs``, then ``settings``.

    ``verbose`` is left out: it changes what is printed, not what is learned.
    """
    if spec(name).is_custom:
        return {"estimator": spec(name).description.removeprefix("your estimator: ")}
    run_wide = {k: v for k, v in (neural_overrides or {}).items() if k != "verbose"} if spec(name).is_neural else {}
    return {**defaults(name), **run_wide, **(settings or {})}


def make_model(name: str, *, stopwords: str | None = None, seed: int = 0,
               neural_overrides: dict[str, Any] | None = None, settings: dict[str, Any] | None = None):
    """An unfitted estimator over raw texts for the named model, using the shared stopword list.

    Parameters
    ----------
    name : str
        A name of the catalogue (:data:`imdb_baselines.catalog.CATALOG`).
    stopwords : str, optional
        The stopword list every model of the run uses (None: the default list).
    seed : int, default=0
        The run's seed (liblinear's shuffling, Keras' initialisation).
    neural_overrides : dict, optional
        Parameters applied to every neural model (e.g. ``{"epochs": 1}``).
    settings : dict, optional
        This model's own settings (``--set`` names), applied last.

    Raises
    ------
    ValueError
        If ``name`` is not in the catalogue.
    ModuleNotFoundError
        If the model's extra is not installed; the message names it.

    Examples
    --------
    >>> make_model("nbsvm", settings={"C": 0.5}).named_steps["classifier"].C
    0.5
    """
    entry = spec(name)
    if entry.is_custom:  # the user's own estimator: built as given, with no settings of the run
        return entry.build_function()()
    try:
        factory = entry.build_function()
    except ModuleNotFoundError as error:
        raise ModuleNotFoundError(f"{name} needs {error.name}, which is not installed: pip install "
                                  f"'imdb-baselines[{entry.extra or 'neural'}]'", name=error.name) from None
    options: dict[str, Any] = {"stopwords": stopwords, **entry.settings}
    if entry.is_neural:
        options.update(seed=seed, **(neural_overrides or {}))
    elif entry.kind == "stack":  # its Keras members take the run's overrides
        options.update(random_state=seed, neural_overrides=neural_overrides)
    elif "random_state" in inspect.signature(factory).parameters:
        options["random_state"] = seed
    return factory(**{**options, **(settings or {})})


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
