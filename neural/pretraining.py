"""Vectors learned from unlabelled reviews for a run's neural models, cached by what they were learned from.

A named model whose ``embeddings`` is :data:`UNLABELLED_WORD2VEC` asks the
run for word vectors learned by word2vec (gensim, skip-gram), and one whose
``region_embeddings`` is :data:`UNLABELLED_REGIONS` for a region embedding
(:mod:`neural.region_pretraining`), each from IMDB's 50,000 unlabelled
reviews plus the run's training split (never validation or test), through the
shared text preparation. They are written once into the cache folder
(``IMDB_BASELINES_HOME``) under a key made of the texts' sha256, the text
preparation and the learning's settings, and reused by every later run with
the same key.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path

__all__ = ["UNLABELLED_REGIONS", "UNLABELLED_WORD2VEC", "WORD2VEC_SETTINGS", "unlabelled_region_vectors",
           "unlabelled_word_vectors"]

logger = logging.getLogger(__name__)

#: The ``embeddings`` value of a named model that learns its vectors from the run's unlabelled texts.
UNLABELLED_WORD2VEC = "word2vec:unlabelled"
#: The ``region_embeddings`` value of a model whose region embedding is learned from the run's unlabelled texts.
UNLABELLED_REGIONS = "unlabelled"
#: word2vec's settings for those vectors (``vector_size`` follows the model's ``embedding_dim``).
WORD2VEC_SETTINGS = {"window": 5, "min_count": 5, "epochs": 5, "workers": 1}  # one worker: repeatable


def unlabelled_word_vectors(name: str, unlabelled: Sequence[str] | None, train: Sequence[str], *, vector_size: int,
                            stopwords, seed: int = 0, cache_dir: Path | None = None) -> Path:
    """The vectors file learned from ``unlabelled`` plus ``train`` texts: from the cache, or learned and cached.

    Parameters
    ----------
    name : str
        The model that asks (for the error message).
    unlabelled : sequence of str or None
        The run's unlabelled texts (IMDB's train/unsup).
    train : sequence of str
        The run's training split.
    vector_size : int
        Dimensions of the vectors (the model's ``embedding_dim``).
    stopwords : str, path or Stopwords
        The shared stopword list.
    seed : int
        gensim's seed.
    cache_dir : path, optional
        Default: the package's cache folder.

    Returns
    -------
    Path
        A word2vec text file, named by the sha256 of the texts, the text preparation and the settings.

    Raises
    ------
    ValueError
        If there are no unlabelled texts (the user's own data has none).
    """
    from neural.embeddings import train_word2vec

    texts = _unlabelled_and_training(name, "word vectors", unlabelled, train)
    path = _cached_path("word2vec", texts, {**WORD2VEC_SETTINGS, "vector_size": vector_size, "seed": seed},
                        stopwords, cache_dir)
    if path.is_file():
        logger.info("Word vectors from the unlabelled reviews: cached %s", path)
        return path
    logger.info("Learning word vectors from %d unlabelled and training texts (word2vec, %d dimensions)",
                len(texts), vector_size)
    return train_word2vec(texts, path, vector_size=vector_size, stopwords=stopwords, seed=seed,
                          **WORD2VEC_SETTINGS)


def unlabelled_region_vectors(name: str, unlabelled: Sequence[str] | None, train: Sequence[str], *, stopwords,
                              seed: int = 0, region_size: int | None = None, cache_dir: Path | None = None) -> Path:
    """The region embedding learned from ``unlabelled`` plus ``train`` texts
    (:func:`neural.region_pretraining.learn_region_vectors` with :data:`REGION_SETTINGS`, and ``region_size``
    words a region when given): from the cache, or learned and cached under a key made as
    :func:`unlabelled_word_vectors` makes its own.

    Raises
    ------
    ValueError
        If there are no unlabelled texts (the user's own data has none).
    """
    from neural.region_pretraining import REGION_METHOD, REGION_SETTINGS, learn_region_vectors

    texts = _unlabelled_and_training(name, "a region embedding", unlabelled, train)
    settings = {**REGION_SETTINGS, "region_size": region_size or REGION_SETTINGS["region_size"]}
    path = _cached_path("regions", texts, {**settings, "seed": seed, "method": REGION_METHOD}, stopwords, cache_dir)
    if path.is_file():
        logger.info("Region embedding of %d-word regions from the unlabelled reviews: cached %s",
                    settings["region_size"], path)
        return path
    logger.info("Learning an embedding of %d-word regions from %d unlabelled and training texts",
                settings["region_size"], len(texts))
    return learn_region_vectors(texts, path, stopwords=stopwords, seed=seed, **settings)


def _unlabelled_and_training(name: str, what: str, unlabelled: Sequence[str] | None,
                             train: Sequence[str]) -> list[str]:
    if not unlabelled:
        raise ValueError(f"{name} learns {what} from unlabelled texts, which only IMDB provides (its 50,000 "
                         "train/unsup reviews); this data has none.")
    return list(unlabelled) + list(train)


def _cached_path(kind: str, texts: list[str], settings: dict, stopwords, cache_dir: Path | None) -> Path:
    """The cache file of vectors of ``kind`` learned from ``texts`` with ``settings``: named by the sha256 of the
    texts, the text preparation and the settings."""
    from imdb_baselines.corpus import TextPreprocessor, default_cache_dir

    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode("utf-8", "surrogatepass") + b"\0")
    keyed = {**settings, "texts_sha256": digest.hexdigest(), "text_preparation": TextPreprocessor(stopwords).settings}
    key = hashlib.sha256(json.dumps(keyed, sort_keys=True).encode()).hexdigest()[:20]
    return Path(cache_dir or default_cache_dir()) / "vectors" / f"{kind}-{key}.txt"
