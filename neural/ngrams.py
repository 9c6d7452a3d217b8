"""N-gram ids appended to word-id sequences, for the fastText-style model."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

__all__ = ["NgramIndexer"]


class NgramIndexer:
    """Give ids to the word-id n-grams (orders 2..ngram) seen in training.

    Parameters
    ----------
    ngram : int
        Highest n-gram order (2 adds bigrams).
    start : int
        The first free id (the word vocabulary's size).
    min_count : int, default=1
        Keep n-grams seen at least this often in training.

    Attributes
    ----------
    index_ : dict of tuple to int
        N-gram to id, most frequent first (ties broken by the ids).
    input_dim : int
        The embedding size needed for words and n-grams.

    Examples
    --------
    >>> indexer = NgramIndexer(ngram=2, start=10).fit([[1, 4, 5], [1, 4, 6]])
    >>> indexer.transform([[1, 4, 6, 7]])
    [[1, 4, 6, 7, 10, 12]]
    """

    def __init__(self, ngram: int, start: int, min_count: int = 1) -> None:
        self.ngram = ngram
        self.start = start
        self.min_count = min_count

    def _ngrams(self, seq: Sequence[int]):
        for n in range(2, self.ngram + 1):
            yield from zip(*(seq[i:] for i in range(n)))

    def fit(self, sequences: Sequence[Sequence[int]]) -> NgramIndexer:
        """Count the n-grams of the training sequences."""
        counts = Counter()
        for seq in sequences:
            counts.update(self._ngrams(seq))
        kept = sorted((g for g, c in counts.items() if c >= self.min_count), key=lambda g: (-counts[g], g))
        self.index_ = {gram: self.start + i for i, gram in enumerate(kept)}
        return self

    def transform(self, sequences: Sequence[Sequence[int]]) -> list[list[int]]:
        """Each sequence followed by the ids of its known n-grams, in order."""
        index = self.index_
        return [list(seq) + [index[g] for g in self._ngrams(seq) if g in index] for seq in sequences]

    def int64_keys(self) -> tuple[int, dict[int, tuple[np.ndarray, np.ndarray]]]:
        """The n-grams as int64 keys, for lookup tables outside Python (the exports).

        Returns
        -------
        base : int
            One more than the largest word id: an n-gram (w1, ..., wn) has the key w1·base^(n-1) + ... + wn.
        keys : dict of int to (ndarray, ndarray)
            Per order n, the keys of its n-grams and their ids.
        """
        base = int(max(max(gram) for gram in self.index_) + 1) if self.index_ else 1
        keys = {}
        for n in range(2, self.ngram + 1):
            grams = [(gram, i) for gram, i in self.index_.items() if len(gram) == n]
            if grams:
                digits = np.asarray([gram for gram, _ in grams], dtype=np.int64)
                keys[n] = (digits @ base ** np.arange(n - 1, -1, -1, dtype=np.int64),
                           np.asarray([i for _, i in grams], dtype=np.int64))
        return base, keys

    @property
    def input_dim(self) -> int:
        return self.start + len(self.index_)
