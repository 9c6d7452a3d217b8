"""Vectorised n-gram counting: words become integer ids, n-grams become int64 keys.

An n-gram of word ids (w1, ..., wn) over a vocabulary of V words has the key
w1·V^(n-1) + ... + wn, so counting is sorting and searching integer arrays
with numpy instead of building Python strings for every n-gram.

Hashed n-grams need no vocabulary at all: each word is hashed once (32-bit
MurmurHash3, seed 0, as scikit-learn's ``HashingVectorizer``), an n-gram's
hash mixes its words' hashes in order (:func:`ngram_hashes`), and its column
is the hash's top ``bits`` bits (:func:`ngram_columns`). Both engines call these functions, so the
local vectorizer and the Spark engine give the same columns by construction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import chain

import numpy as np
import scipy.sparse as sp
from sklearn.utils import murmurhash3_32

__all__ = ["TokenIds", "count_matrix", "decode_keys", "hashed_matrix", "ngram_columns", "ngram_hashes",
           "word_hashes"]

_MAX_KEY = np.iinfo(np.int64).max


class TokenIds:
    """The word ids of a list of tokenized documents, flattened, with their document index.

    Attributes
    ----------
    ids : ndarray of int64
        Word ids of every token in order; -1 for words outside the vocabulary.
    doc : ndarray of int64
        The document each token belongs to.
    n_docs : int
    n_words : int
        Vocabulary size V (the base of the n-gram keys).
    """

    def __init__(self, ids: np.ndarray, doc: np.ndarray, n_docs: int, n_words: int) -> None:
        self.ids, self.doc, self.n_docs, self.n_words = ids, doc, n_docs, n_words

    @classmethod
    def from_tokens(cls, tokens: Sequence[list[str]], index: dict[str, int]) -> TokenIds:
        """Encode tokenized documents with a word index (unknown words get -1)."""
        lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
        get = index.get
        ids = np.fromiter((get(t, -1) for t in chain.from_iterable(tokens)), dtype=np.int64,
                          count=int(lengths.sum()))
        doc = np.repeat(np.arange(len(tokens), dtype=np.int64), lengths)
        return cls(ids, doc, len(tokens), len(index))

    def keys(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Keys of every n-gram inside a document, and the document of each."""
        if self.n_words ** n > _MAX_KEY:
            raise ValueError(f"{n}-grams over {self.n_words:,} words do not fit in 64-bit keys; lower max_n.")
        last = len(self.ids) - n + 1
        if last <= 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        valid = self.doc[:last] == self.doc[n - 1:]
        keys = np.zeros(last, dtype=np.int64)
        for k in range(n):
            part = self.ids[k:k + last]
            valid &= part >= 0
            keys = keys * self.n_words + part
        return keys[valid], self.doc[:last][valid]


def count_matrix(keys: np.ndarray, docs: np.ndarray, vocabulary: np.ndarray | None, n_docs: int,
                 ) -> tuple[np.ndarray, sp.csr_matrix]:
    """Document-by-n-gram counts over a sorted key ``vocabulary`` (other keys are ignored).

    With ``vocabulary=None`` the vocabulary is every key present, and is
    returned. Counting sorts the keys once (``np.unique``) instead of
    searching the vocabulary for every occurrence, and builds the CSR
    arrays directly from the sorted (document, column) pairs.
    """
    distinct, inverse = np.unique(keys, return_inverse=True)
    if vocabulary is None:
        vocabulary, columns, docs_kept = distinct, inverse, docs
    else:
        where = np.searchsorted(vocabulary, distinct)  # sorted needles: one pass
        found = where < len(vocabulary)
        found[found] = vocabulary[where[found]] == distinct[found]
        kept = found[inverse]
        columns, docs_kept = where[inverse[kept]], docs[kept]
    width = max(len(vocabulary), 1)
    pairs, counts = np.unique(docs_kept * width + columns, return_counts=True)  # sorted by document, then column
    rows = pairs // width
    indptr = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_docs), out=indptr[1:])
    index_type = np.int32 if max(len(pairs), len(vocabulary)) < np.iinfo(np.int32).max else np.int64
    matrix = sp.csr_matrix((counts.astype(np.float64), (pairs % width).astype(index_type),
                            indptr.astype(index_type)), shape=(n_docs, len(vocabulary)))
    matrix.has_sorted_indices = True
    return vocabulary, matrix


def decode_keys(keys: np.ndarray, n: int, words: np.ndarray) -> list[str]:
    """The n-grams (words joined by spaces) that ``keys`` stand for."""
    base = len(words)
    digits = [words[(keys // base ** (n - 1 - k)) % base] for k in range(n)]
    return [" ".join(parts) for parts in zip(*digits)] if n > 1 else digits[0].tolist()


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # splitmix64's constants: a full-period step and its finalizer
_MIX_1, _MIX_2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def word_hashes(words: Iterable[str]) -> np.ndarray:
    """The 32-bit MurmurHash3 (seed 0) of each word, as uint64.

    Examples
    --------
    >>> word_hashes(["good", "film"]).dtype
    dtype('uint64')
    """
    return np.fromiter((murmurhash3_32(word, seed=0, positive=True) for word in words), dtype=np.uint64)


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer: every input bit moves every output bit (uint64 arithmetic wraps)."""
    h = (h ^ (h >> np.uint64(30))) * _MIX_1
    h = (h ^ (h >> np.uint64(27))) * _MIX_2
    return h ^ (h >> np.uint64(31))


def ngram_hashes(hashes: np.ndarray, doc: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The 64-bit hash of every n-gram inside a document, and the document of each.

    Parameters
    ----------
    hashes : ndarray of uint64
        Every token's word hash (:func:`word_hashes`), documents one after the other.
    doc : ndarray of int64
        The document of each token.
    n : int
        The n-gram order; it seeds the hash, so an n-gram and a shorter one never share a hash by construction.

    Returns
    -------
    hashes, docs : ndarray of uint64, ndarray of int64
    """
    last = len(hashes) - n + 1
    if last <= 0:
        return np.empty(0, np.uint64), np.empty(0, np.int64)
    valid = doc[:last] == doc[n - 1:]
    h = np.full(last, (n * int(_GOLDEN)) % (1 << 64), dtype=np.uint64)
    for k in range(n):
        h = _mix(h + hashes[k:k + last] + _GOLDEN)
    return h[valid], doc[:last][valid]


def ngram_columns(hashes: np.ndarray, doc: np.ndarray, n: int, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """The column of every n-gram inside a document (its hash's top ``bits`` bits), and the document of each."""
    grams, docs = ngram_hashes(hashes, doc, n)
    return (grams >> np.uint64(64 - bits)).astype(np.int64), docs


def hashed_matrix(hashes: np.ndarray, doc: np.ndarray, n_docs: int, ngram_range: tuple[int, int],
                  bits: int) -> sp.csr_matrix:
    """Document-by-column counts of the ``ngram_range`` n-grams of tokens given by their word hashes.

    N-grams of different orders share the ``2**bits`` columns, as in scikit-learn's ``HashingVectorizer``.
    """
    width = 1 << bits
    pieces = [ngram_columns(hashes, doc, n, bits) for n in range(ngram_range[0], ngram_range[1] + 1)]
    columns = np.concatenate([c for c, _ in pieces])
    rows = np.concatenate([d for _, d in pieces])
    pairs, counts = np.unique(rows * width + columns, return_counts=True)
    indptr = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(np.bincount(pairs // width, minlength=n_docs), out=indptr[1:])
    index_type = np.int32 if max(len(pairs), width) < np.iinfo(np.int32).max else np.int64
    matrix = sp.csr_matrix((counts.astype(np.float64), (pairs % width).astype(index_type),
                            indptr.astype(index_type)), shape=(n_docs, width))
    matrix.has_sorted_indices = True
    return matrix
