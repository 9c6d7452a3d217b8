"""N-gram ids appended to word-id sequences, for the fastText-style model."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain

import numpy as np

__all__ = ["NgramIndexer"]


class NgramIndexer:
    """Give ids to the word-id n-grams (orders 2..ngram) seen in training.

    The n-grams are held as int64 keys in numpy arrays (an n-gram (w1, ..., wn) has the key
    w1·base^(n-1) + ... + wn, ``base_`` above every word id), not as Python tuples: a fastText model
    indexes a million and more.

    Parameters
    ----------
    ngram : int
        Highest n-gram order (2 adds bigrams).
    start : int
        The first free id (the word vocabulary's size); word ids are below it.
    min_count : int, default=1
        Keep n-grams seen at least this often in training.

    Attributes
    ----------
    base_ : int
        One more than the largest word id seen in training, and at least ``start``.
    keys_ : dict of int to ndarray
        Per order n, the sorted keys of the kept n-grams.
    ids_ : dict of int to ndarray
        Per order n, the id of each key: ids run from ``start``, most frequent n-gram first (ties broken by
        the n-grams, a shorter one before the longer ones it begins).
    input_dim : int
        The embedding size needed for words and n-grams.

    Examples
    --------
    >>> indexer = NgramIndexer(ngram=2, start=10).fit([[1, 4, 5], [1, 4, 6]])
    >>> indexer.transform([[1, 4, 6, 7]])
    [[1, 4, 6, 7, 10, 12]]
    >>> indexer.index_
    {(1, 4): 10, (4, 5): 11, (4, 6): 12}
    """

    def __init__(self, ngram: int, start: int, min_count: int = 1) -> None:
        self.ngram = ngram
        self.start = start
        self.min_count = min_count

    def _keys(self, sequences: Sequence[Sequence[int]], n: int) -> tuple[np.ndarray, np.ndarray]:
        """The key of every n-gram inside a sequence, and the sequence of each, in order."""
        lengths = np.fromiter(map(len, sequences), dtype=np.int64, count=len(sequences))
        ids = np.fromiter(chain.from_iterable(sequences), dtype=np.int64, count=int(lengths.sum()))
        doc = np.repeat(np.arange(len(sequences), dtype=np.int64), lengths)
        last = len(ids) - n + 1
        if last <= 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        valid = doc[:last] == doc[n - 1:]
        keys = np.zeros(last, dtype=np.int64)
        for k in range(n):  # a word id outside [0, base_) is in no indexed n-gram
            part = ids[k:k + last]
            valid &= (part >= 0) & (part < self.base_)
            keys = keys * self.base_ + np.clip(part, 0, self.base_ - 1)
        return keys[valid], doc[:last][valid]

    def _set_base(self, largest: int) -> None:
        self.base_ = max(int(self.start), int(largest) + 1)
        if self.base_ ** self.ngram > np.iinfo(np.int64).max:
            raise ValueError(f"{self.ngram}-grams over {self.base_:,} words do not fit in 64-bit keys; lower ngram.")

    def _digits(self, keys: np.ndarray, n: int) -> np.ndarray:
        """The word ids of n-gram keys, one row per key."""
        return np.stack([(keys // self.base_ ** (n - 1 - k)) % self.base_ for k in range(n)], axis=1) \
            if len(keys) else np.empty((0, n), dtype=np.int64)

    def fit(self, sequences: Sequence[Sequence[int]]) -> NgramIndexer:
        """Count the n-grams of the training sequences."""
        self._set_base(max((max(seq) for seq in sequences if len(seq)), default=0))
        orders, keys, counts = [], [], []
        for n in range(2, self.ngram + 1):
            distinct, count = np.unique(self._keys(sequences, n)[0], return_counts=True)
            kept = count >= self.min_count
            orders.append(np.full(int(kept.sum()), n))
            keys.append(distinct[kept])
            counts.append(count[kept])
        order, key, count = np.concatenate(orders), np.concatenate(keys), np.concatenate(counts)
        digits = np.full((len(key), self.ngram), -1, dtype=np.int64)  # -1 after a shorter n-gram's last word
        for n in range(2, self.ngram + 1):
            digits[order == n, :n] = self._digits(key[order == n], n)
        ranking = np.lexsort([digits[:, j] for j in reversed(range(self.ngram))] + [-count])
        ids = np.empty(len(key), dtype=np.int64)
        ids[ranking] = self.start + np.arange(len(key), dtype=np.int64)
        self.keys_ = {n: key[order == n] for n in range(2, self.ngram + 1)}  # sorted: np.unique's order
        self.ids_ = {n: ids[order == n] for n in range(2, self.ngram + 1)}
        return self

    def transform(self, sequences: Sequence[Sequence[int]]) -> list[list[int]]:
        """Each sequence followed by the ids of its known n-grams: bigrams in order, then trigrams..."""
        docs, found = [], []
        for n in range(2, self.ngram + 1):
            keys, doc = self._keys(sequences, n)
            table = self.keys_.get(n, np.empty(0, np.int64))
            where = np.searchsorted(table, keys)
            known = where < len(table)
            known[known] = table[where[known]] == keys[known]
            docs.append(doc[known])
            found.append(self.ids_[n][where[known]] if known.any() else np.empty(0, np.int64))
        doc, ids = np.concatenate(docs), np.concatenate(found)
        ordered = np.argsort(doc, kind="stable")  # by sequence; within one, orders then positions as found
        parts = np.split(ids[ordered], np.cumsum(np.bincount(doc, minlength=len(sequences)))[:-1])
        return [list(seq) + part.tolist() for seq, part in zip(sequences, parts)]

    @property
    def index_(self) -> dict[tuple[int, ...], int]:
        """N-gram (a tuple of word ids) to id, most frequent first (built on demand)."""
        pairs = [(tuple(row), int(i)) for n in self.keys_ for row, i in
                 zip(self._digits(self.keys_[n], n).tolist(), self.ids_[n])]
        return dict(sorted(pairs, key=lambda pair: pair[1]))

    def rows(self) -> list[list[int]]:
        """``[w1, ..., wn, id]`` for every n-gram, by id: the saved form (:meth:`from_rows` reads it)."""
        return [[*gram, i] for gram, i in self.index_.items()]

    def from_rows(self, rows: list[list[int]]) -> NgramIndexer:
        """Set the index from :meth:`rows`; returns ``self``."""
        self._set_base(max((max(row[:-1]) for row in rows), default=0))
        self.keys_, self.ids_ = {}, {}
        for n in range(2, self.ngram + 1):
            grams = np.asarray([row for row in rows if len(row) == n + 1], dtype=np.int64).reshape(-1, n + 1)
            keys = grams[:, :n] @ self.base_ ** np.arange(n - 1, -1, -1, dtype=np.int64)
            order = np.argsort(keys)
            self.keys_[n], self.ids_[n] = keys[order], grams[order, n]
        return self

    def int64_keys(self) -> tuple[int, dict[int, tuple[np.ndarray, np.ndarray]]]:
        """The n-grams as int64 keys, for lookup tables outside Python (the exports).

        Returns
        -------
        base : int
            One more than the largest word id in an n-gram: an n-gram (w1, ..., wn) has the key
            w1·base^(n-1) + ... + wn.
        keys : dict of int to (ndarray, ndarray)
            Per order n, the keys of its n-grams and their ids.
        """
        digits = {n: self._digits(keys, n) for n, keys in self.keys_.items() if len(keys)}
        base = int(max(d.max() for d in digits.values()) + 1) if digits else 1
        return base, {n: (d @ base ** np.arange(n - 1, -1, -1, dtype=np.int64), self.ids_[n])
                      for n, d in digits.items()}

    @property
    def input_dim(self) -> int:
        return self.start + sum(len(keys) for keys in self.keys_.values())
