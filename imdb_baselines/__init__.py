"""imdb-baselines: classical bag-of-words baselines against Keras models, on IMDB or your own texts.

``imdb_baselines.compare(...)`` runs a comparison from Python and returns the
leaderboard; ``imdb_baselines.load_model`` reads a saved model. The baselines
themselves live in :mod:`baselines` and the Keras models in :mod:`neural`.
Names are imported on first use, so importing the package costs nothing.
"""

from __future__ import annotations

import importlib

_HOMES = {
    "compare": "imdb_baselines.api",
    "leaderboard": "imdb_baselines.api",
    "load_model": "imdb_baselines.modelfiles",
    "predict_texts": "imdb_baselines.modelfiles",
}

__all__ = ["__version__", *sorted(_HOMES)]


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("imdb-baselines")
    except metadata.PackageNotFoundError:  # a source tree that is not installed
        return "0+unknown"


__version__ = _version()


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'imdb_baselines' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)


def __dir__() -> list[str]:
    return __all__
