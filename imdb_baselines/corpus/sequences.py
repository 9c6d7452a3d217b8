"""Keras-compatible integer encoding of reviews, padding and decoding.

The conventions are those of ``keras.datasets.imdb``: words are ranked by
frequency (1 = most frequent) on the training split only, and shifted by
``index_from`` so that 0 is padding, ``start_char`` (1) starts every review
and ``oov_char`` (2) stands for words out of the vocabulary.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from imdb_baselines.corpus.padding import pad_sequences
from imdb_baselines.corpus.prepared import prepare
from imdb_baselines.corpus.text import Stopwords, TextPreprocessor
from imdb_baselines.corpus.validation import check_texts

__all__ = ["SequenceEncoder", "decode_review", "get_word_index", "load_data", "pad_sequences"]

_MARKERS = {0: "<PAD>", 1: "<START>", 2: "<UNK>", 3: "<UNUSED>"}


class SequenceEncoder(TransformerMixin, BaseEstimator):
    """Encode raw reviews as lists of word ids, with the Keras IMDB conventions.

    Parameters
    ----------
    num_words : int or None, default=None
        Keep ids below ``num_words`` (the ``num_words - index_from`` most
        frequent words); rarer words become ``oov_char``. None keeps all.
    skip_top : int, default=0
        Ids below ``skip_top`` (the most frequent words) become ``oov_char``.
        The start marker is always kept.
    start_char : int or None, default=1
        Id put at the start of every review; None puts none.
    oov_char : int or None, default=2
        Id for words cut by ``num_words`` / ``skip_top`` or unseen in
        training; None drops such words.
    index_from : int, default=3
        Offset added to every word rank.
    stopwords : str, path, Stopwords or None, default=None
        The shared stopword list (see :func:`imdb_baselines.corpus.get_stopwords`).

    Attributes
    ----------
    word_index_ : dict of str to int
        Word to frequency rank (1 = most frequent), ties broken alphabetically,
        counted on the texts passed to ``fit``.

    Examples
    --------
    >>> enc = SequenceEncoder(stopwords="none").fit(["a good film", "a bad film"])
    >>> enc.word_index_
    {'a': 1, 'film': 2, 'bad': 3, 'good': 4}
    >>> enc.transform(["a good day"])
    [[1, 4, 7, 2]]
    """

    def __init__(
        self,
        num_words: int | None = None,
        *,
        skip_top: int = 0,
        start_char: int | None = 1,
        oov_char: int | None = 2,
        index_from: int = 3,
        stopwords: str | Path | Stopwords | None = None,
    ) -> None:
        self.num_words = num_words
        self.skip_top = skip_top
        self.start_char = start_char
        self.oov_char = oov_char
        self.index_from = index_from
        self.stopwords = stopwords

    def fit(self, X: Iterable[str], y: object = None) -> SequenceEncoder:
        """Rank the words of the training texts ``X`` by frequency (raw or :class:`PreparedTexts`)."""
        self._check_params()
        X = check_texts(X, "X")
        self.preprocessor_ = TextPreprocessor(self.stopwords)
        prepared = prepare(X, self.preprocessor_)
        counts = np.bincount(prepared.ids, minlength=len(prepared.words))
        order = np.argsort(-counts, kind="stable")  # the words are sorted: ties stay alphabetical
        words = prepared.words[order].tolist()
        self.word_index_ = {word: rank for rank, word in enumerate(words, start=1)}
        self._lookup_key = None  # a refit invalidates the cached word -> id lookup
        return self

    def transform(self, X: Iterable[str]) -> list[list[int]]:
        """Encode each text as a list of ids (no padding, no truncation)."""
        check_is_fitted(self, "word_index_")
        X = check_texts(X, "X")
        prepared = prepare(X, self.preprocessor_)
        unknown = -1 if self.oov_char is None else self.oov_char
        ids = prepared.ids_in(self._resolved_lookup(), missing=unknown)
        head = [] if self.start_char is None else [self.start_char]
        bounds = prepared.offsets.tolist()
        flat = ids.tolist()
        encoded = [head + flat[a:b] for a, b in zip(bounds[:-1], bounds[1:])]
        if self.oov_char is None:
            encoded = [[i for i in seq if i != -1] for seq in encoded]
        return encoded

    def _id_lookup(self) -> dict[str, int | None]:
        """Word to final id, with the num_words / skip_top cut already applied."""
        if getattr(self, "_lookup_key", None) != (self.num_words, self.skip_top, self.oov_char):
            limit = self.num_words if self.num_words is not None else np.inf
            shift = self.index_from
            self._lookup = {
                word: (rank + shift if self.skip_top <= rank + shift < limit else self.oov_char)
                for word, rank in self.word_index_.items()
            }
            self._lookup_key = (self.num_words, self.skip_top, self.oov_char)
        return self._lookup

    def _resolved_lookup(self) -> dict[str, int]:
        """Word to final id, with -1 for words cut when ``oov_char`` is None; cached with the lookup."""
        lookup = self._id_lookup()
        if getattr(self, "_resolved", (None,))[0] is not lookup:
            unknown = -1 if self.oov_char is None else self.oov_char
            self._resolved = (lookup, {word: (unknown if i is None else i) for word, i in lookup.items()})
        return self._resolved[1]

    @property
    def vocabulary_size(self) -> int:
        """The input dimension an ``Embedding`` layer needs for these ids."""
        check_is_fitted(self, "word_index_")
        top = len(self.word_index_) + self.index_from + 1  # ranks start at 1: the last word's id is len + index_from
        markers = [m for m in (self.start_char, self.oov_char) if m is not None]
        return max([top] + [m + 1 for m in markers]) if self.num_words is None else self.num_words

    def _check_params(self) -> None:
        name = type(self).__name__
        for param, low, allow_none in (
            ("num_words", 1, True),
            ("skip_top", 0, False),
            ("index_from", 0, False),
            ("start_char", 0, True),
            ("oov_char", 0, True),
        ):
            value = getattr(self, param)
            if value is None and allow_none:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
                none = " or None" if allow_none else ""
                raise ValueError(
                    f"The '{param}' parameter of {name} must be an int >= {low}{none}. "
                    f"Got {value!r} instead."
                )
        if self.num_words is not None and self.num_words <= self.index_from:
            raise ValueError(
                f"The 'num_words' parameter of {name} must be greater than index_from "
                f"({self.index_from}) to keep any word. Got {self.num_words} instead."
            )


def load_data(
    num_words: int | None = None,
    *,
    path: str | os.PathLike | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
    stopwords: str | Path | Stopwords | None = None,
):
    """Encoded IMDB reviews, like ``keras.datasets.imdb.load_data``, from the raw text.

    The vocabulary is ranked on the training split only. Unlike Keras,
    ``maxlen`` never drops a review: longer ones are truncated to their
    first ``maxlen`` ids, so the splits keep all 25,000 reviews each.

    Parameters
    ----------
    num_words, skip_top, start_char, oov_char, index_from, stopwords
        As in :class:`SequenceEncoder`.
    path : path or TextCorpus, optional
        The data source, as in :func:`imdb_baselines.corpus.load_imdb`, or a loaded corpus.
    maxlen : int or None, default=None
        Truncate every review to at most ``maxlen`` ids.
    seed : int, default=113
        Seed of the shuffle of each split (Keras' default).

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        ``x_*`` are object arrays of lists of ids; ``y_*`` are int arrays of
        labels (1 = positive).

    Examples
    --------
    >>> (x_train, y_train), (x_test, y_test) = load_data(num_words=10000)  # doctest: +SKIP
    """
    if maxlen is not None and (isinstance(maxlen, bool) or not isinstance(maxlen, int) or maxlen < 1):
        raise ValueError(
            f"The 'maxlen' parameter of load_data must be an int >= 1 or None. Got {maxlen!r} instead."
        )
    corpus = _as_corpus(path)
    encoder = SequenceEncoder(
        num_words,
        skip_top=skip_top,
        start_char=start_char,
        oov_char=oov_char,
        index_from=index_from,
        stopwords=stopwords,
    ).fit(corpus.train["text"].tolist())
    rng = np.random.RandomState(seed)
    result = []
    for frame in (corpus.train, corpus.test):
        order = np.arange(len(frame))
        rng.shuffle(order)
        ids = encoder.transform(frame["text"].iloc[order].tolist())
        x = np.empty(len(ids), dtype=object)
        x[:] = [seq[:maxlen] for seq in ids] if maxlen else ids
        result.append((x, frame["label"].to_numpy()[order]))
    return tuple(result)


def _as_corpus(path):
    from imdb_baselines.corpus.dataset import TextCorpus
    from imdb_baselines.corpus.imdb import load_imdb

    return path if isinstance(path, TextCorpus) else load_imdb(path)


def get_word_index(
    path: str | os.PathLike | None = None, *, stopwords: str | Path | Stopwords | None = None
) -> dict[str, int]:
    """Word to frequency rank (1 = most frequent) on the training split, like Keras."""
    texts = _as_corpus(path).train["text"].tolist()
    return SequenceEncoder(stopwords=stopwords).fit(texts).word_index_


def decode_review(
    ids: Iterable[int],
    word_index: Mapping[str, int] | SequenceEncoder,
    *,
    index_from: int = 3,
    skip_padding: bool = True,
) -> str:
    """Turn ids back into words, as the tutorial's ``decode_review`` helper does.

    Parameters
    ----------
    ids : iterable of int
        One encoded review.
    word_index : dict or fitted SequenceEncoder
        Word to rank, as from :func:`get_word_index`.
    index_from : int, default=3
        The offset used when encoding (taken from the encoder if one is given).
    skip_padding : bool, default=True
        Leave out padding (id 0) instead of writing ``<PAD>``.

    Returns
    -------
    str
        Words joined by spaces; ``<START>``, ``<UNK>``, ``<UNUSED>`` for the
        markers and ``?`` for ids not in the index.

    Examples
    --------
    >>> decode_review([1, 4, 2, 0], {"great": 1})
    '<START> great <UNK>'
    """
    if isinstance(word_index, SequenceEncoder):
        index_from = word_index.index_from
        word_index = word_index.word_index_
    reverse = dict(_MARKERS)
    reverse.update({rank + index_from: word for word, rank in word_index.items()})
    words = [reverse.get(int(i), "?") for i in ids if not (skip_padding and int(i) == 0)]
    return " ".join(words)
