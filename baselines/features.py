"""Bag-of-n-grams features over the shared text preparation, with an opt-in shared count matrix.

Counting n-grams is most of the cost of every classical baseline. Inside
``with shared_ngram_counts(max_n=3):`` the first vectorizer fitted on a list
of texts counts all n-grams up to ``max_n`` once; every later vectorizer on
the same texts (with the same stopword list) takes its columns from that
matrix instead of tokenizing again. The result is identical to fitting each
vectorizer on its own; only the time differs.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Iterator
from numbers import Integral
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.utils.validation import check_is_fitted

from corpus.text import Stopwords, TextPreprocessor
from corpus.validation import check_texts

__all__ = ["NgramVectorizer", "shared_ngram_counts"]

logger = logging.getLogger(__name__)


def _count_vectorizer(prep: TextPreprocessor, ngram_range, **kwargs) -> CountVectorizer:
    # The shared preprocessor does all text preparation; CountVectorizer only makes n-grams.
    return CountVectorizer(
        tokenizer=prep, lowercase=False, token_pattern=None, ngram_range=ngram_range,
        dtype=np.float64, **kwargs,
    )


def _texts_key(texts: list[str], prep: TextPreprocessor) -> str:
    digest = hashlib.sha1(prep.settings.encode(), usedforsecurity=False)
    digest.update(len(texts).to_bytes(8, "little"))
    for text in texts:
        digest.update(text.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


class _NgramCountCache:
    """All n-grams up to ``max_n`` counted once per list of training texts."""

    def __init__(self, max_n: int) -> None:
        self.max_n = max_n
        # texts key -> (vectorizer, counts, feature names, n-gram orders, document frequencies)
        self._fitted: dict[str, tuple] = {}
        self._transformed: dict[tuple[str, str], sp.csr_matrix] = {}

    def fit(self, texts: list[str], prep: TextPreprocessor) -> tuple[str, tuple]:
        key = _texts_key(texts, prep)
        if key not in self._fitted:
            logger.info("Counting 1- to %d-grams of %d texts (shared by the baselines)", self.max_n, len(texts))
            vectorizer = _count_vectorizer(prep, (1, self.max_n))
            counts = vectorizer.fit_transform(texts).tocsc()
            names = vectorizer.get_feature_names_out()
            orders = np.char.count(names.astype(str), " ") + 1
            doc_freq = np.diff(counts.indptr)
            self._fitted[key] = (vectorizer, counts.tocsr(), names, orders, doc_freq)
        return key, self._fitted[key]

    def transform(self, key: str, texts: list[str], prep: TextPreprocessor) -> sp.csr_matrix:
        text_key = _texts_key(texts, prep)
        if text_key == key:
            return self._fitted[key][1]
        if (key, text_key) not in self._transformed:
            self._transformed[(key, text_key)] = self._fitted[key][0].transform(texts)
        return self._transformed[(key, text_key)]


_active_cache: _NgramCountCache | None = None


@contextlib.contextmanager
def shared_ngram_counts(max_n: int = 3) -> Iterator[None]:
    """Share one n-gram count matrix between the vectorizers fitted in this block.

    Parameters
    ----------
    max_n : int, default=3
        The highest n-gram order counted; vectorizers asking for more count on
        their own.

    Examples
    --------
    >>> from baselines import make_naive_bayes, make_nbsvm
    >>> with shared_ngram_counts(max_n=3):  # doctest: +SKIP
    ...     nb = make_naive_bayes().fit(X_train, y_train)
    ...     nbsvm = make_nbsvm().fit(X_train, y_train)  # reuses nb's counting
    """
    global _active_cache
    previous, _active_cache = _active_cache, _NgramCountCache(max_n)
    try:
        yield
    finally:
        _active_cache = previous


class NgramVectorizer(TransformerMixin, BaseEstimator):
    """Counts of word n-grams, using the corpus layer's shared tokenizer and stopword filter.

    Parameters
    ----------
    ngram_range : tuple (min_n, max_n), default=(1, 2)
        The n-gram orders to count.
    min_df : int or float, default=1
        Ignore n-grams in fewer documents than this (a float is a fraction).
    binary : bool, default=False
        Count presence (0/1) instead of occurrences.
    stopwords : str, path, Stopwords or None, default=None
        The shared stopword list (see :func:`corpus.get_stopwords`), removed
        before n-grams are formed.

    Attributes
    ----------
    vocabulary_ : dict of str to int
        N-gram to column index, sorted alphabetically.

    Examples
    --------
    >>> vec = NgramVectorizer(ngram_range=(1, 2), stopwords="sentiment")
    >>> vec.fit_transform(["Not a good film", "A good film"]).toarray()
    array([[1., 1., 1., 1., 1.],
           [1., 1., 1., 0., 0.]])
    >>> vec.get_feature_names_out().tolist()
    ['film', 'good', 'good film', 'not', 'not good']
    """

    def __init__(
        self,
        *,
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int | float = 1,
        binary: bool = False,
        stopwords: str | Path | Stopwords | None = None,
    ) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.binary = binary
        self.stopwords = stopwords

    def fit(self, X, y=None) -> NgramVectorizer:
        """Learn the n-gram vocabulary of the texts ``X``."""
        self.fit_transform(X)
        return self

    def fit_transform(self, X, y=None) -> sp.csr_matrix:
        """Learn the vocabulary and return the document-n-gram matrix."""
        X = check_texts(X, "X")
        self._check_params()
        prep = TextPreprocessor(self.stopwords)
        lo, hi = self.ngram_range
        cache = _active_cache
        self._shared_key = None
        if cache is None or hi > cache.max_n:
            self.vectorizer_ = _count_vectorizer(prep, self.ngram_range, min_df=self.min_df, binary=self.binary)
            return self.vectorizer_.fit_transform(X)
        key, (_, counts, names, orders, doc_freq) = cache.fit(X, prep)
        min_count = self.min_df if isinstance(self.min_df, Integral) else self.min_df * len(X)
        columns = np.flatnonzero((orders >= lo) & (orders <= hi) & (doc_freq >= min_count))
        if columns.size == 0:
            raise ValueError("After pruning, no terms remain. Try a lower min_df.")
        vocabulary = dict(zip(names[columns].tolist(), range(columns.size)))
        self.vectorizer_ = _count_vectorizer(prep, self.ngram_range, binary=self.binary, vocabulary=vocabulary)
        self.vectorizer_.vocabulary_ = vocabulary  # as if fitted, without re-counting
        self.vectorizer_.fixed_vocabulary_ = True
        self._shared_key, self._columns = key, columns
        return self._finish(counts[:, columns])

    def transform(self, X) -> sp.csr_matrix:
        """The document-n-gram matrix of ``X`` over the fitted vocabulary."""
        check_is_fitted(self, "vectorizer_")
        X = check_texts(X, "X")
        cache = _active_cache
        if self._shared_key is not None and cache is not None and self._shared_key in cache._fitted:
            counts = cache.transform(self._shared_key, X, self.vectorizer_.tokenizer)
            return self._finish(counts[:, self._columns])
        return self.vectorizer_.transform(X)

    def _finish(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        counts = counts.tocsr()
        if self.binary:
            counts = counts.copy()
            counts.data[:] = 1.0
        return counts

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.update(_shared_key=None, _columns=None)  # the shared matrix does not travel
        return state

    @property
    def vocabulary_(self) -> dict[str, int]:
        check_is_fitted(self, "vectorizer_")
        return self.vectorizer_.vocabulary_

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """The n-grams, in column order."""
        check_is_fitted(self, "vectorizer_")
        return self.vectorizer_.get_feature_names_out()

    def _check_params(self) -> None:
        rng = self.ngram_range
        if not (isinstance(rng, (tuple, list)) and len(rng) == 2
                and all(isinstance(n, Integral) and not isinstance(n, bool) for n in rng)
                and 1 <= rng[0] <= rng[1]):
            raise ValueError(
                "The 'ngram_range' parameter of NgramVectorizer must be a tuple (min_n, max_n) "
                f"with 1 <= min_n <= max_n. Got {rng!r} instead."
            )
        df = self.min_df
        if isinstance(df, bool) or not (
            (isinstance(df, Integral) and df >= 1) or (isinstance(df, float) and 0.0 <= df <= 1.0)
        ):
            raise ValueError(
                "The 'min_df' parameter of NgramVectorizer must be an int >= 1 or a float in "
                f"[0.0, 1.0]. Got {df!r} instead."
            )
