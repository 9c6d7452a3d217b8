"""A fitted :class:`neural.estimator.KerasTextClassifier` as files: ``model.keras`` and ``state.json``.

The network is written for answering (layers and weights, deflated, without the optimizer's state); the
state holds the settings, the stopwords and tokenizer version, the vocabulary, the n-gram rows and the history.
Reading runs no code from the files (Keras' safe mode).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from imdb_baselines.corpus.sequences import SequenceEncoder
from imdb_baselines.corpus.text import Stopwords, TextPreprocessor
from neural.backend import load_keras
from neural.ngrams import NgramIndexer

keras = load_keras()

__all__ = ["read_classifier", "write_classifier"]


def write_classifier(clf, folder: Path) -> None:
    """Write the fitted ``clf``'s network (``model.keras``) and text encoding's state (``state.json``) into
    ``folder``, a folder :func:`imdb_baselines.storage.write_folder` is filling."""
    config = json.loads(clf.model_.to_json())
    config.pop("compile_config", None)
    network = keras.models.model_from_json(json.dumps(config))
    network.set_weights(clf.model_.get_weights())
    network.save(folder / "model.keras")
    _deflate(folder / "model.keras")
    state = {
        "params": {k: (str(v) if isinstance(v, (Path, Stopwords)) else v) for k, v in clf.get_params().items()},
        "stopwords": sorted(clf.encoder_.preprocessor_.stopwords.words),
        "stopwords_name": clf.encoder_.preprocessor_.stopwords.name,
        "tokenizer_version": clf.encoder_.preprocessor_.tokenizer_version,
        "classes": clf.classes_.tolist(),
        "maxlen": clf.maxlen_,
        "word_index": clf.encoder_.word_index_,
        "ngrams": None if clf.ngram_indexer_ is None else clf.ngram_indexer_.rows(),
        "history": clf.history_,
        "word_vectors": getattr(clf, "word_vectors_", None) and str(clf.word_vectors_),
        "region_vectors": getattr(clf, "region_vectors_", None) and [str(p) for p in clf.region_vectors_],
    }
    (folder / "state.json").write_text(json.dumps(state, separators=(",", ":")), encoding="utf-8")


def read_classifier(cls, path: str | os.PathLike):
    """The classifier of class ``cls`` that :func:`write_classifier` wrote to the folder ``path``.

    Raises
    ------
    FileNotFoundError
        If ``path`` lacks ``state.json`` or ``model.keras``.
    """
    path = Path(path)
    if not (path / "state.json").is_file() or not (path / "model.keras").is_file():
        raise FileNotFoundError(f"{path} is not a saved KerasTextClassifier (state.json, model.keras).")
    state = json.loads((path / "state.json").read_text(encoding="utf-8"))
    # JSON has no tuples: a tuple setting (region_sizes, a range) reads back as the tuple it was.
    params = {key: tuple(value) if isinstance(value, list) else value for key, value in state["params"].items()}
    stopwords = Stopwords(state["stopwords_name"], frozenset(state["stopwords"]))
    params["stopwords"] = stopwords
    clf = cls(**params)
    clf.classes_ = np.asarray(state["classes"])
    clf.maxlen_ = state.get("maxlen", clf.maxlen)
    clf.encoder_ = SequenceEncoder(clf.num_words, stopwords=stopwords)
    clf.encoder_.word_index_ = state["word_index"]
    # A model saved before the version was recorded tokenized with version 1.
    clf.encoder_.preprocessor_ = TextPreprocessor(stopwords, tokenizer_version=state.get("tokenizer_version", "1"))
    clf.ngram_indexer_ = None
    if state["ngrams"] is not None:
        clf.ngram_indexer_ = NgramIndexer(clf.ngram, clf.encoder_.vocabulary_size,
                                          clf.ngram_min_count).from_rows(state["ngrams"])
    clf.history_ = state["history"]
    clf.word_vectors_, clf.region_vectors_ = state.get("word_vectors"), state.get("region_vectors")
    clf.model_ = keras.models.load_model(path / "model.keras", safe_mode=True)  # no code from the file runs
    return clf


def _deflate(archive: Path) -> None:
    """Rewrite a ``.keras`` file (a zip Keras stores uncompressed) with its entries deflated, in place."""
    import zipfile

    packed = archive.with_name(archive.name + ".deflated")
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for entry in source.infolist():
            out.writestr(entry.filename, source.read(entry), compress_type=zipfile.ZIP_DEFLATED)
    packed.replace(archive)
