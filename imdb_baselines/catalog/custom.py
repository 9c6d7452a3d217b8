"""The user's own estimators beside the catalogue's models, for one process: ``--estimator`` and
``imdb_baselines.compare(models=[..., (name, estimator)])``.

They are entered as :class:`~imdb_baselines.catalog.entries.ModelSpec` of kind ``custom``, found by
:func:`~imdb_baselines.catalog.entries.spec` but not listed in :data:`~imdb_baselines.catalog.entries.CATALOG`.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from typing import Any

from imdb_baselines.catalog.entries import CATALOG, CUSTOM_ENTRIES, ModelSpec

__all__ = ["add_estimator", "import_factory"]

_CUSTOM_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")


def add_estimator(name: str, estimator) -> ModelSpec:
    """Enter the user's own estimator under ``name``, beside the catalogue's models, for this process.

    Parameters
    ----------
    name : str
        Letters, digits, ``_`` and ``-``, starting with a letter; not a catalogue name. Entering a name again
        replaces its estimator.
    estimator : scikit-learn classifier, or callable
        An unfitted classifier or pipeline over raw texts (each fit uses a ``clone`` of it), or a function
        without arguments that returns one (``--estimator module:factory``).

    Returns
    -------
    ModelSpec
        Its entry: kind ``custom``, the local engine only, no grid, no exports.

    Raises
    ------
    ValueError
        For a bad or taken name, or an estimator that is neither a classifier nor a factory of one.
    """
    if not isinstance(name, str) or not _CUSTOM_NAME.match(name) or name in CATALOG:
        raise ValueError(f"An estimator's name must be letters, digits, _ or -, start with a letter and not be a "
                         f"catalogue model's ({', '.join(CATALOG)}). Got {name!r}.")
    if hasattr(estimator, "fit") and hasattr(estimator, "get_params"):
        from sklearn.base import clone

        def factory(template=estimator):
            return clone(template)
    elif callable(estimator):
        factory = estimator
    else:
        raise ValueError(f"The estimator {name!r} must be a scikit-learn classifier or pipeline over raw texts, "
                         f"or a function that returns one. Got {type(estimator).__name__}.")
    built = factory()
    if not (hasattr(built, "fit") and (hasattr(built, "predict_proba") or hasattr(built, "decision_function"))):
        raise ValueError(f"The estimator {name!r} ({type(built).__name__}) needs fit and predict_proba or "
                         "decision_function, as a scikit-learn classifier has.")
    description = " ".join(repr(built).split())
    entry = ModelSpec(name=name, description=f"your estimator: {description[:300]}", kind="custom",
                      factory=factory, no_grid="your own estimator: tune it in its own code", exports=(),
                      uses_seed=False, probabilities="own" if hasattr(built, "predict_proba") else "calibrated")
    CUSTOM_ENTRIES[name] = entry
    return entry


def import_factory(text: str) -> tuple[str, Any]:
    """``[NAME=]module:factory`` (``--estimator``) as (name, factory): the module imported from the current
    folder or the installed packages; the name defaults to the factory's.

    Raises
    ------
    ValueError
        Naming the text and what is wrong: its form, a module or function that cannot be found.
    """
    name, sep, target = str(text).partition("=")
    if not sep:
        name, target = "", name
    module, colon, attribute = target.strip().partition(":")
    if not colon or not module or not attribute.isidentifier():
        raise ValueError(f"--estimator {text!r} is not [NAME=]module:factory (e.g. my_models:make_tfidf_lr)")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())  # a module beside the data, as python -m would find it
    try:
        factory = getattr(importlib.import_module(module), attribute)
    except (ImportError, AttributeError) as error:
        raise ValueError(f"--estimator {text!r}: {error}") from None
    if not callable(factory):
        raise ValueError(f"--estimator {text!r}: {module}.{attribute} is not a function")
    return (name.strip() or attribute), factory
