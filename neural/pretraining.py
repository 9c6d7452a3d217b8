"""Word vectors learned from unlabelled reviews for a run's neural models, cached by what they were learned from.

A named model whose ``embeddings`` is :data:`UNLABELLED_WORD2VEC` asks the
run for vectors learned by word2vec (gensim, skip-gram) on IMDB's 50,000
unlabelled reviews plus the run's training split (never validation or test),
through the shared text preparation. They are written once into the cache
folder (``IMDB_BASELINES_HOME``) under a key made of the data's sha256, the
split's fingerprint, the text preparation and the word2vec settings, and
reused by every later run with the same key.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path

__all__ = ["UNLABELLED_WORD2VEC", "WORD2VEC_SETTINGS", "unlabelled_word_vectors"]

logger = logging.getLogger(__name__)

#: The ``embeddings`` value of a named model that learns its vectors from the run's unlabelled texts.
UNLABELLED_WORD2VEC = "word2vec:unlabelled"
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
    from imdb_baselines.corpus import TextPreprocessor, default_cache_dir
    from neural.embeddings import train_word2vec

    if not unlabelled:
        raise ValueError(f"{name} learns word vectors from unlabelled texts, which only IMDB provides (its 50,000 "
                         "train/unsup reviews); this data has none.")
    texts = list(unlabelled) + list(train)
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode("utf-8", "surrogatepass") + b"\0")
    settings = {**WORD2VEC_SETTINGS, "vector_size": vector_size, "seed": seed, "texts_sha256": digest.hexdigest(),
                "text_preparation": TextPreprocessor(stopwords).settings}
    key = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:20]
    path = Path(cache_dir or default_cache_dir()) / "vectors" / f"word2vec-{key}.txt"
    if path.is_file():
        logger.info("Word vectors from the unlabelled reviews: cached %s", path)
        return path
    logger.info("Learning word vectors from %d unlabelled and training texts (word2vec, %d dimensions)",
                len(texts), vector_size)
    return train_word2vec(texts, path, vector_size=vector_size, stopwords=stopwords, seed=seed,
                          **WORD2VEC_SETTINGS)
