"""Keras models for text classification, behind the scikit-learn estimator contract.

``KerasTextClassifier(model="lstm")`` with its defaults is the classic Keras
IMDB tutorial's model; the other builders are the variants it suggests.
The named configurations (``fasttext``, ``cnn``...) are entries of the model
catalogue (:mod:`imdb_baselines.catalog`). Names are imported on first use;
each loads Keras once, quietly (see :mod:`neural.backend`).
"""

from __future__ import annotations

import importlib

_HOMES = {
    "BUILDERS": "neural.registry",
    "KerasTextClassifier": "neural.estimator",
    "build_bilstm": "neural.bilstm",
    "build_cnn": "neural.cnn",
    "build_fasttext": "neural.fasttext",
    "build_gru": "neural.gru",
    "build_lstm": "neural.lstm",
    "embedding_matrix": "neural.embeddings",
    "plot_history": "neural.plots",
    "read_vectors": "neural.embeddings",
    "train_word2vec": "neural.embeddings",
}
_WITHOUT_KERAS = {"neural.embeddings", "neural.plots"}

__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'neural' has no attribute {name!r}")
    if _HOMES[name] not in _WITHOUT_KERAS:
        from neural.backend import load_keras

        load_keras()
    return getattr(importlib.import_module(_HOMES[name]), name)


def __dir__() -> list[str]:
    return __all__
