"""Bag-of-n-grams features over the shared text preparation.

Tokenizing and counting n-grams is most of the cost of every classical
baseline. Words are mapped to integer ids and n-grams to int64 keys, so that
counting is numpy sorting rather than Python string handling (see
:mod:`baselines.ngrams`). Given :class:`~imdb_baselines.corpus.PreparedTexts` (from
:func:`imdb_baselines.corpus.prepare`), a vectorizer uses their tokens instead of
tokenizing again, and memoises each n-gram order's counts on them, so the
baselines fitted on the same prepared texts count each order once. The
result is identical to fitting on raw texts; only the time differs.

With ``hash_bits`` the vectorizer keeps no vocabulary: an n-gram's column is
its hash (:mod:`baselines.ngrams`), so memory and saved models do not grow
with the corpus, at the cost of the rare collision and of the n-grams' names.
"""

from __future__ import annotations

import logging
from itertools import chain
from numbers import Integral
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from baselines.ngrams import TokenIds, count_matrix, decode_keys, hashed_matrix, ngram_columns, word_hashes
from baselines.sharing import shared_array, shared_word_index
from imdb_baselines.corpus.prepared import PreparedTexts, prepare
from imdb_baselines.corpus.text import Stopwords, TextPreprocessor
from imdb_baselines.corpus.validation import check_texts

__all__ = ["NgramVectorizer"]

logger = logging.getLogger(__name__)

_HASHED_BLOCK = 1 << 22  # tokens hashed and counted at a time (a few hundred MiB of work arrays)


class _Tokenized:
    """Prepared texts as n-gram material: word ids in a vocabulary, n-gram keys and counts memoised per order."""

    def __init__(self, prepared: PreparedTexts, index: dict[str, int] | None = None) -> None:
        if index is None:  # the texts' own vocabulary (fitting)
            self.words = prepared.words
            index = {word: i for i, word in enumerate(self.words.tolist())}
            ids = prepared.ids.astype(np.int64)
        else:  # another vocabulary (transforming with a fitted one)
            self.words = None
            ids = prepared.ids_in(index)
        self.index = index
        self.ids = TokenIds(ids, prepared.doc, len(prepared), len(index))
        self._counts: dict[int, tuple[np.ndarray, sp.csr_matrix]] = {}
        self._over: dict[tuple[int, int], tuple[np.ndarray, sp.csr_matrix]] = {}

    def counts(self, n: int) -> tuple[np.ndarray, sp.csr_matrix]:
        """All n-gram keys of these texts (sorted) and their document counts."""
        if n not in self._counts:
            self._counts[n] = count_matrix(*self.ids.keys(n), None, self.ids.n_docs)
        return self._counts[n]

    def counts_over(self, n: int, vocabulary: np.ndarray) -> sp.csr_matrix:
        """Document counts of the n-grams in ``vocabulary`` (sorted keys), shared by callers passing the same array."""
        key = (n, id(vocabulary))
        if key not in self._over or self._over[key][0] is not vocabulary:
            self._over[key] = (vocabulary, count_matrix(*self.ids.keys(n), vocabulary, self.ids.n_docs)[1])
        return self._over[key][1]


def _tokenized(prepared: PreparedTexts, index: dict[str, int] | None = None) -> _Tokenized:
    """The n-gram material of ``prepared``, shared through its memo by every vectorizer that uses it."""
    fitted = prepared.memo.get("ngrams")
    if index is None or (fitted is not None and fitted.index is index):
        if fitted is None:
            fitted = prepared.memo["ngrams"] = _Tokenized(prepared)
        return fitted
    key = ("ngrams in", id(index))
    if key not in prepared.memo:
        prepared.memo[key] = _Tokenized(prepared, index)
    return prepared.memo[key]


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
        The shared stopword list (see :func:`imdb_baselines.corpus.get_stopwords`), removed
        before n-grams are formed.
    hash_bits : int or None, default=None
        None: a vocabulary of every training n-gram (one column each). An int: ``2**hash_bits``
        columns and no vocabulary; an n-gram's column is the top ``hash_bits`` bits of its hash,
        the same on the Spark engine. Every n-gram is kept (``min_df`` must be 1), and n-grams
        unseen in training still get a column.

    Attributes
    ----------
    words_ : ndarray of str
        The training words, sorted; a word's position is its id.
    keys_ : list of ndarray
        Per n-gram order, the sorted int64 keys of the kept n-grams; columns
        follow this order (unigrams first, each order alphabetical).
    vocabulary_ : dict of str to int
        N-gram to column index (built on demand).
    n_features_out_ : int
        The number of columns.

    Examples
    --------
    >>> vec = NgramVectorizer(ngram_range=(1, 2), stopwords="sentiment")
    >>> vec.fit_transform(["Not a good film", "A good film"]).toarray()
    array([[1., 1., 1., 1., 1.],
           [1., 1., 0., 1., 0.]])
    >>> vec.get_feature_names_out().tolist()
    ['film', 'good', 'not', 'good film', 'not good']
    """

    hash_bits: int | None = None  # what vectorizers saved before the parameter existed were fitted with

    def __init__(
        self,
        *,
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int | float = 1,
        binary: bool = False,
        stopwords: str | Path | Stopwords | None = None,
        hash_bits: int | None = None,
    ) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.binary = binary
        self.stopwords = stopwords
        self.hash_bits = hash_bits

    def fit(self, X, y=None) -> NgramVectorizer:
        """Learn the n-gram vocabulary of the texts ``X``."""
        self.fit_transform(X)
        return self

    def fit_transform(self, X, y=None) -> sp.csr_matrix:
        """Learn the vocabulary and return the document-n-gram matrix."""
        X = check_texts(X, "X")
        self._check_params()
        prep = TextPreprocessor(self.stopwords)
        if self.hash_bits is not None:
            self.preprocessor_, self.n_features_out_ = prep, 1 << self.hash_bits
            return self._finish([self._hashed(prepare(X, prep))])
        lo, hi = self.ngram_range
        tokenized = _tokenized(prepare(X, prep))
        min_count = self.min_df if isinstance(self.min_df, Integral) else self.min_df * len(X)
        blocks, self.keys_ = [], []
        for n in range(lo, hi + 1):
            vocabulary, counts = tokenized.counts(n)
            keep = np.bincount(counts.indices, minlength=len(vocabulary)) >= min_count
            if keep.all():  # the same array for every vectorizer that keeps all: their test counts are shared
                self.keys_.append(vocabulary)
                blocks.append(counts)
            else:
                self.keys_.append(vocabulary[keep])
                blocks.append(counts[:, keep])
        if sum(len(keys) for keys in self.keys_) == 0:
            raise ValueError("After pruning, no terms remain. Try a lower min_df.")
        self.preprocessor_ = prep
        self.words_, self._word_index = tokenized.words, tokenized.index
        self._feature_names = None
        self.n_features_out_ = sum(len(keys) for keys in self.keys_)
        return self._finish(blocks)

    def transform(self, X) -> sp.csr_matrix:
        """The document-n-gram matrix of ``X`` over the fitted vocabulary."""
        check_is_fitted(self, "preprocessor_")
        X = check_texts(X, "X")
        if self.hashed:
            return self._finish([self._hashed(prepare(X, self.preprocessor_))])
        tokenized = _tokenized(prepare(X, self.preprocessor_), self.word_index_)
        lo = self.ngram_range[0]
        blocks = [tokenized.counts_over(lo + i, keys) for i, keys in enumerate(self.keys_)]
        return self._finish(blocks)

    @property
    def hashed(self) -> bool:
        """Whether the columns are hashed n-grams (no vocabulary)."""
        return getattr(self, "hash_bits", None) is not None

    def _hashed(self, prepared: PreparedTexts) -> sp.csr_matrix:
        """The hashed n-gram counts of ``prepared``, memoised on it for vectorizers of the same orders and bits.

        Texts are hashed and counted a block of about :data:`_HASHED_BLOCK` tokens at a time, so the work
        arrays stay small whatever the corpus; only the counts grow with it.
        """
        lo, hi = self.ngram_range
        key = ("hashed ngrams", lo, hi, self.hash_bits)
        if key not in prepared.memo:
            if "word hashes" not in prepared.memo:
                prepared.memo["word hashes"] = word_hashes(prepared.words.tolist())
            words, offsets = prepared.memo["word hashes"], prepared.offsets
            blocks, first = [], 0
            while first < len(prepared) or not blocks:
                last = max(int(np.searchsorted(offsets, offsets[first] + _HASHED_BLOCK, side="right")) - 1, first + 1)
                last = min(last, len(prepared))
                tokens = words[prepared.ids[offsets[first]:offsets[last]]]
                doc = np.repeat(np.arange(last - first, dtype=np.int64), np.diff(offsets[first:last + 1]))
                blocks.append(hashed_matrix(tokens, doc, last - first, (lo, hi), self.hash_bits))
                first = last
            prepared.memo[key] = sp.vstack(blocks, format="csr") if len(blocks) > 1 else blocks[0]
        return prepared.memo[key]

    def named_columns(self, text: str) -> dict[int, str]:
        """The columns of one text's n-grams and their names (n-grams sharing a column joined by " / ").

        With a vocabulary, a column's name is its n-gram; hashed columns have names only through the texts
        that fill them, so this is how a hashed model's contributions are named.
        """
        check_is_fitted(self, "preprocessor_")
        tokens = self.preprocessor_(text)
        lo, hi = self.ngram_range
        named: dict[int, list[str]] = {}
        if self.hashed:
            hashes, doc = word_hashes(tokens), np.zeros(len(tokens), dtype=np.int64)
            for n in range(lo, hi + 1):
                grams = [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
                columns = ngram_columns(hashes, doc, n, self.hash_bits)[0]
                for column, gram in zip(columns.tolist(), grams):
                    names = named.setdefault(column, [])
                    if gram not in names:
                        names.append(gram)
        else:
            columns = self.transform([text]).indices
            named = {int(c): [name] for c, name in zip(columns, self.feature_names(columns))}
        return {column: " / ".join(names) for column, names in named.items()}

    def _finish(self, blocks: list[sp.csr_matrix]) -> sp.csr_matrix:
        """The blocks side by side, as a new matrix (the blocks may be shared), binarized if asked."""
        counts = sp.hstack(blocks, format="csr") if len(blocks) > 1 else blocks[0].copy()
        if self.binary:
            counts.data[:] = 1.0  # in place: the matrix is this call's own
        return counts

    @property
    def word_index_(self) -> dict[str, int]:
        """Word to id (its position in ``words_``); shared with the texts it was fitted on."""
        check_is_fitted(self, "words_")
        if getattr(self, "_word_index", None) is None:
            self._word_index = shared_word_index(self.words_)  # one per vocabulary among the loaded models
        return self._word_index

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        # Rebuilt on demand; the words travel as one fixed-width string array, not one object per word.
        state.update(_feature_names=None, _word_index=None)
        if "words_" in state:
            state["words_"] = np.asarray(self.words_, dtype=str)
        return state

    def __setstate__(self, state: dict) -> None:
        state = dict(state)
        if "words_" in state:  # loaded: the vocabulary another loaded model holds alike is held once
            state["words_"] = shared_array(np.asarray(state["words_"], dtype=object))
        if state.get("keys_") is not None:
            state["keys_"] = [shared_array(np.asarray(keys)) for keys in state["keys_"]]
        super().__setstate__(state)

    def feature_names(self, columns: np.ndarray) -> list[str]:
        """The n-grams of the given columns (cheaper than all of :meth:`get_feature_names_out`).

        Hashed columns have no names of their own: they are called ``#COLUMN`` (see :meth:`named_columns`).
        """
        check_is_fitted(self, "preprocessor_")
        if self.hashed:
            return [f"#{int(c)}" for c in np.asarray(columns).ravel()]
        columns = np.asarray(columns, dtype=np.int64)
        offsets = np.cumsum([0] + [len(keys) for keys in self.keys_])
        names = np.empty(len(columns), dtype=object)
        for i, keys in enumerate(self.keys_):
            inside = (columns >= offsets[i]) & (columns < offsets[i + 1])
            names[inside] = decode_keys(keys[columns[inside] - offsets[i]], self.ngram_range[0] + i, self.words_)
        return names.tolist()

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """The n-grams, in column order: by order, then alphabetically word by word."""
        check_is_fitted(self, "preprocessor_")
        if self.hashed:
            raise AttributeError("Hashed n-grams have no vocabulary, so no feature names; see named_columns(text).")
        if self._feature_names is None:
            lo = self.ngram_range[0]
            names = [decode_keys(keys, lo + i, self.words_) for i, keys in enumerate(self.keys_)]
            self._feature_names = np.array(list(chain.from_iterable(names)), dtype=object)
        return self._feature_names

    @property
    def vocabulary_(self) -> dict[str, int]:
        """N-gram to column index."""
        names = self.get_feature_names_out()
        return dict(zip(names.tolist(), range(len(names))))

    def _check_params(self) -> None:
        bits = self.hash_bits
        if bits is not None and (isinstance(bits, bool) or not isinstance(bits, Integral) or not 1 <= bits <= 30):
            raise ValueError("The 'hash_bits' parameter of NgramVectorizer must be an int in [1, 30] or None. "
                             f"Got {bits!r} instead.")
        if bits is not None and not (isinstance(self.min_df, Integral) and self.min_df == 1):
            raise ValueError("The 'min_df' parameter of NgramVectorizer must be 1 with hash_bits: hashed n-grams "
                             f"have no vocabulary to prune. Got {self.min_df!r} instead.")
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
