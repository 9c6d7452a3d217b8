"""Pre-trained word vectors: read GloVe / word2vec text files, or train word2vec on unlabelled reviews."""

from __future__ import annotations

import logging
import os
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

from imdb_baselines.corpus.text import TextPreprocessor
from imdb_baselines.storage import atomic_file

__all__ = ["embedding_matrix", "read_vectors", "train_word2vec"]

logger = logging.getLogger(__name__)


def read_vectors(path: str | os.PathLike, words: Iterable[str] | None = None) -> dict[str, np.ndarray]:
    """Read a GloVe or word2vec text file (``word v1 v2 ...`` per line).

    Parameters
    ----------
    path : path
        The vectors file; a word2vec header line (``count dim``) is skipped.
    words : iterable of str, optional
        Keep only these words (saves memory with large files).

    Returns
    -------
    dict of str to ndarray

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the lines do not all have the same number of values.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Word-vectors file not found: {path}. Pass a GloVe or word2vec text file.")
    wanted = set(words) if words is not None else None
    vectors: dict[str, np.ndarray] = {}
    dim = None
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            parts = line.rstrip().split(" ")
            if number == 1 and len(parts) == 2 and all(p.isdigit() for p in parts):
                continue  # word2vec header
            word, values = parts[0], parts[1:]
            if dim is None:
                dim = len(values)
            elif len(values) != dim:
                raise ValueError(f"{path}, line {number}: {len(values)} values, expected {dim}.")
            if wanted is None or word in wanted:
                vectors[word] = np.asarray(values, dtype=np.float32)
    if dim is None:
        raise ValueError(f"{path} holds no vectors.")
    return vectors


def embedding_matrix(
    vectors: Mapping[str, np.ndarray], word_index: Mapping[str, int], num_words: int, *,
    index_from: int = 3, seed: int = 0, word_rows: int | None = None,
) -> tuple[np.ndarray, float]:
    """Rows of an ``Embedding`` layer from word vectors, for ids made by :class:`imdb_baselines.corpus.SequenceEncoder`.

    Words without a vector get small random values; padding gets zeros. ``word_rows`` is the number of rows
    that are word ids (the encoder's vocabulary size, default ``num_words``): rows above it (fastText's
    n-gram ids) keep their random values, and words ranked beyond it (out of the vocabulary) are not counted.

    Returns
    -------
    matrix : ndarray of shape (num_words, dim)
    coverage : float
        Share of the vocabulary's words that had a vector.
    """
    dim = len(next(iter(vectors.values())))
    rng = np.random.RandomState(seed)
    matrix = rng.uniform(-0.05, 0.05, size=(num_words, dim)).astype(np.float32)
    matrix[0] = 0.0
    found = total = 0
    limit = num_words if word_rows is None else min(word_rows, num_words)
    for word, rank in word_index.items():
        row = rank + index_from
        if row >= limit:
            continue
        total += 1
        if word in vectors:
            matrix[row] = vectors[word]
            found += 1
    return matrix, found / max(total, 1)


def _stable_hash(text: str) -> int:
    """gensim seeds each word's first vector with this hash: Python's own changes with PYTHONHASHSEED."""
    return zlib.crc32(text.encode("utf-8"))


def train_word2vec(
    texts: Iterable[str],
    path: str | os.PathLike,
    *,
    vector_size: int = 128,
    window: int = 5,
    min_count: int = 5,
    epochs: int = 5,
    seed: int = 0,
    stopwords: str | None = None,
    workers: int = 2,
) -> Path:
    """Train word2vec (gensim, skip-gram) on review texts and write a text vectors file.

    Nothing can be downloaded at run time, so the 50,000 unlabelled training
    reviews of the corpus (``load_imdb(include_unsup=True).unsup``) are the
    natural input: they are neither validation nor test reviews.

    Parameters
    ----------
    texts : iterable of str
        Raw reviews, prepared by the shared :class:`imdb_baselines.corpus.TextPreprocessor`.
    path : path
        The text file to write (word2vec format), written atomically; an existing file is refused.
    vector_size, window, min_count, epochs : int
        gensim's parameters of the same names.
    seed : int, default=0
        gensim's seed (exact repeatability also needs ``workers=1``; the initial vectors never depend on
        ``PYTHONHASHSEED``).
    stopwords : str, optional
        The shared stopword list.

    Returns
    -------
    Path
    """
    try:
        from gensim.models import Word2Vec
    except ImportError as error:  # pragma: no cover - depends on the install
        raise ImportError("train_word2vec needs gensim: pip install 'imdb-baselines[word2vec]'") from error
    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path} exists; train_word2vec never replaces a file. Remove it or choose another "
                              "path.")
    prep = TextPreprocessor(stopwords)
    sentences = prep.tokenize_many(texts)
    logger.info("Training word2vec on %d reviews", len(sentences))
    gensim_log = logging.getLogger("gensim")
    level = gensim_log.level
    gensim_log.setLevel(max(logging.WARNING, level))  # its progress lines would flood the run's console
    try:
        model = Word2Vec(sentences, vector_size=vector_size, window=window, min_count=min_count, sg=1,
                         epochs=epochs, seed=seed, workers=workers, hashfxn=_stable_hash)
    finally:
        gensim_log.setLevel(level)
    vectors = model.wv
    with atomic_file(path, "w", encoding="utf-8") as out:  # word2vec's text format: a header, then a word a line
        out.write(f"{len(vectors.index_to_key)} {vectors.vector_size}\n")
        for word, row in zip(vectors.index_to_key, vectors.vectors):
            out.write(word + " " + " ".join(f"{value:.7g}" for value in row.tolist()) + "\n")
    return path
