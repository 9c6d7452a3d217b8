"""Texts prepared once by the shared text preparation, handed to every model.

:func:`prepare` runs :class:`~imdb_baselines.corpus.TextPreprocessor` over a list of texts
and keeps the result compactly: the sorted distinct words, and each text's
tokens as ids into them. A :class:`PreparedTexts` is still a sequence of the
raw texts, so any estimator accepts it; the package's vectorizers and
sequence encoder see that it was prepared with their own settings and use
its tokens instead of tokenizing again. Work derived from the tokens (n-gram
keys and counts) is memoised on the object itself and dropped by
:meth:`PreparedTexts.release`, so it lives exactly as long as the caller
keeps the prepared texts.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
from collections.abc import Iterator, Sequence
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from imdb_baselines.corpus.progress import progress_bar
from imdb_baselines.corpus.text import Stopwords, TextPreprocessor

__all__ = ["PreparedTexts", "prepare", "take_texts"]


class PreparedTexts(Sequence):
    """Raw texts with their tokens, prepared once.

    Attributes
    ----------
    texts : list of str
        The raw texts.
    settings : str
        The text preparation that made the tokens (:attr:`TextPreprocessor.settings`).
    words : ndarray of str
        The distinct tokens, sorted.
    ids : ndarray of int32
        Every token of every text, in order, as its position in ``words``.
    offsets : ndarray of int64
        Text ``i``'s tokens are ``ids[offsets[i]:offsets[i + 1]]``.
    memo : dict
        Work derived from the tokens by its users, freed by :meth:`release`.
    """

    def __init__(self, texts: list[str], settings: str, words: np.ndarray, ids: np.ndarray,
                 offsets: np.ndarray) -> None:
        self.texts, self.settings, self.words, self.ids, self.offsets = texts, settings, words, ids, offsets
        self.memo: dict[Any, Any] = {}

    def __len__(self) -> int:
        return len(self.texts)

    def __getitem__(self, item):
        """A text (an int) or texts (a slice); an array or list of positions or a boolean mask gives
        :class:`PreparedTexts` of those texts, so scikit-learn's cross-validation splits keep their tokens."""
        if isinstance(item, tuple) and len(item) == 2 and item[1] is Ellipsis:  # scikit-learn's array indexing
            item = item[0]
        if isinstance(item, (np.ndarray, list)):
            positions = np.asarray(item)
            if positions.dtype == bool:
                positions = np.flatnonzero(positions)
            return self.take(positions)
        return self.texts[item]

    @property
    def shape(self) -> tuple[int]:
        """``(n_texts,)``: scikit-learn indexes the texts as an array (see ``__getitem__``), not one by one."""
        return (len(self.texts),)

    def __iter__(self) -> Iterator[str]:
        return iter(self.texts)

    def __repr__(self) -> str:
        return f"PreparedTexts({len(self)} texts, {len(self.words):,} words, {len(self.ids):,} tokens)"

    @property
    def doc(self) -> np.ndarray:
        """The text each token belongs to."""
        return np.repeat(np.arange(len(self), dtype=np.int64), np.diff(self.offsets))

    def prepared_by(self, preprocessor: TextPreprocessor) -> bool:
        """Whether these tokens are what ``preprocessor`` would make."""
        return self.settings == preprocessor.settings

    def ids_in(self, index: dict[str, int], missing: int = -1) -> np.ndarray:
        """Every token as its id in another vocabulary ``index`` (``missing`` where it has none)."""
        get = index.get
        remap = np.fromiter((get(word, missing) for word in self.words.tolist()), dtype=np.int64,
                            count=len(self.words))
        return remap[self.ids]

    def tokens(self) -> list[list[str]]:
        """The token lists, rebuilt from the ids."""
        words = self.words[self.ids].tolist()
        return [words[a:b] for a, b in zip(self.offsets[:-1].tolist(), self.offsets[1:].tolist())]

    def take(self, positions: Sequence[int]) -> PreparedTexts:
        """The prepared texts at ``positions`` (same vocabulary)."""
        positions = np.asarray(positions, dtype=np.int64)
        starts, stops = self.offsets[positions], self.offsets[positions + 1]
        lengths = stops - starts
        offsets = np.zeros(len(positions) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        gather = np.repeat(starts - offsets[:-1], lengths) + np.arange(offsets[-1])
        return PreparedTexts([self.texts[i] for i in positions.tolist()], self.settings, self.words,
                             self.ids[gather], offsets)

    @classmethod
    def concatenate(cls, first: PreparedTexts, second: PreparedTexts) -> PreparedTexts:
        """The texts of ``first`` then ``second`` (prepared alike), over the union of their vocabularies.

        Examples
        --------
        >>> both = PreparedTexts.concatenate(prepare(["a good film"], "none"), prepare(["bad"], "none"))
        >>> both.tokens(), len(both)
        ([['a', 'good', 'film'], ['bad']], 2)
        """
        if first.settings != second.settings:
            raise ValueError("PreparedTexts.concatenate needs texts prepared with the same settings")
        words = np.union1d(first.words.astype(str), second.words.astype(str)).astype(object)
        ids = np.concatenate([np.searchsorted(words.astype(str), part.words.astype(str))[part.ids]
                              for part in (first, second)]).astype(np.int32)
        offsets = np.concatenate([first.offsets, first.offsets[-1] + second.offsets[1:]])
        return cls([*first.texts, *second.texts], first.settings, words, ids, offsets)

    def span(self, start: int | None = None, stop: int | None = None) -> PreparedTexts:
        """Each text's tokens ``[start:stop]``, as Python slices them (``span(-100)``: the last 100 tokens).

        The result keeps the raw texts, the vocabulary and the preparation; it is memoised, so the models
        that read the same span share its n-gram counts.

        Examples
        --------
        >>> prepared = prepare(["a good film at last", "bad"], stopwords="none")
        >>> prepared.span(-2).tokens(), prepared.span(0, 1).tokens()
        ([['at', 'last'], ['bad']], [['a'], ['bad']])
        """
        key = ("span", start, stop)
        if key not in self.memo:
            lengths = np.diff(self.offsets)
            begin, end = (np.clip(np.where(bound < 0, lengths + bound, bound), 0, lengths) for bound in
                          (np.int64(start or 0), lengths if stop is None else np.int64(stop)))
            kept = np.maximum(end - begin, 0)
            offsets = np.zeros(len(self) + 1, dtype=np.int64)
            np.cumsum(kept, out=offsets[1:])
            gather = np.repeat(self.offsets[:-1] + begin - offsets[:-1], kept) + np.arange(offsets[-1])
            self.memo[key] = PreparedTexts(self.texts, self.settings, self.words, self.ids[gather], offsets)
        return self.memo[key]

    def release(self) -> None:
        """Drop the work memoised by the texts' users (n-gram counts...); the tokens stay."""
        self.memo.clear()


def take_texts(texts: Sequence[str], positions: Sequence[int]) -> Sequence[str]:
    """The texts at ``positions``: :class:`PreparedTexts` keep their tokens, other sequences give a list.

    Examples
    --------
    >>> take_texts(["a good film", "a dull film", "fine"], [2, 0])
    ['fine', 'a good film']
    """
    if isinstance(texts, PreparedTexts):
        return texts.take(positions)
    return [texts[i] for i in positions]


def prepare(texts: Sequence[str], stopwords: str | Path | Stopwords | TextPreprocessor | None = None, *,
            n_jobs: int = 1) -> PreparedTexts:
    """Normalise, tokenize and stopword-filter ``texts`` once, for every model to reuse.

    Parameters
    ----------
    texts : sequence of str
        Raw texts (already checked).
    stopwords : str, path, Stopwords, TextPreprocessor or None
        The shared stopword list, or the preprocessor itself.
    n_jobs : int, default=1
        Processes to tokenize with. Above 1 (and where the system can fork),
        the texts are cut into ``n_jobs`` parts tokenized at the same time;
        the result is identical.

    Returns
    -------
    PreparedTexts

    Examples
    --------
    >>> prepared = prepare(["A good film", "a bad film"], stopwords="none")
    >>> prepared.words.tolist(), prepared.ids.tolist()
    (['a', 'bad', 'film', 'good'], [0, 3, 2, 0, 1, 2])
    >>> prepared.tokens()
    [['a', 'good', 'film'], ['a', 'bad', 'film']]
    """
    preprocessor = stopwords if isinstance(stopwords, TextPreprocessor) else TextPreprocessor(stopwords)
    if isinstance(texts, PreparedTexts):
        if texts.prepared_by(preprocessor):
            return texts
        texts = texts.texts  # prepared with other settings: prepare the raw texts again
    texts = list(texts)
    with progress_bar(total=len(texts), desc=f"Tokenizing {len(texts):,} texts", unit=" texts") as bar:
        if n_jobs > 1 and len(texts) >= _PARALLEL_FROM and "fork" in multiprocessing.get_all_start_methods():
            parts = _tokenize_in_parallel(texts, preprocessor, n_jobs, bar)
        else:
            parts = [_tokenize(texts, preprocessor, bar)]
    words = np.array(sorted(set(chain.from_iterable(part[0] for part in parts))), dtype=object)
    index = {word: i for i, word in enumerate(words.tolist())}
    ids = np.concatenate([np.fromiter(map(index.__getitem__, part_words), dtype=np.int32,
                                      count=len(part_words))[part_ids] for part_words, part_ids, _ in parts])
    lengths = np.concatenate([part[2] for part in parts])
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return PreparedTexts(texts, preprocessor.settings, words, ids.astype(np.int32), offsets)


_PARALLEL_FROM = 2000  # fewer texts tokenize faster than a process starts
_CHUNK = 1000  # texts whose token lists are held at once
_shared: tuple[list[str], TextPreprocessor] | None = None  # what forked workers read, set only while they run


def _tokenize(texts: list[str], preprocessor: TextPreprocessor, bar=None,
              scale: int = 1) -> tuple[list[str], np.ndarray, np.ndarray]:
    """One part's distinct words (in first-seen order), its tokens as ids into them, and each text's length.

    ``bar`` (a progress bar) advances by ``scale`` times the texts done, for parts tokenized alongside.
    """
    index: dict[str, int] = {}
    setdefault = index.setdefault
    ids, lengths = [], []
    for start in range(0, len(texts), _CHUNK):  # token lists of a chunk at a time: little memory held
        tokens = [preprocessor(text) for text in texts[start:start + _CHUNK]]
        if bar is not None and not bar.disable:
            bar.update(min(len(tokens) * scale, bar.total - bar.n))
        lengths.append(np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens)))
        ids.append(np.fromiter((setdefault(t, len(index)) for t in chain.from_iterable(tokens)), dtype=np.int32,
                               count=int(lengths[-1].sum())))
    if not ids:
        return [], np.empty(0, np.int32), np.empty(0, np.int64)
    return list(index), np.concatenate(ids), np.concatenate(lengths)


def _tokenize_range(start: int, stop: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    texts, preprocessor = _shared
    return _tokenize(texts[start:stop], preprocessor)


def _tokenize_in_parallel(texts: list[str], preprocessor: TextPreprocessor, n_jobs: int,
                          bar) -> list[tuple[list[str], np.ndarray, np.ndarray]]:
    """Tokenize ``n_jobs`` parts at once: forked workers read the texts they inherit, this process does one part.

    The workers never outlive this process: the kernel kills each one when its parent dies (even by
    SIGKILL), and they are terminated when the work ends early (an error, Ctrl-C, SIGTERM). Stop signals are
    held while the workers are forked, so that none lands inside a fork (where an exception would be lost),
    and delivered right after.
    """
    global _shared
    bounds = np.linspace(0, len(texts), n_jobs + 1).astype(int).tolist()
    _shared = (texts, preprocessor)
    pool = None
    try:
        with _stop_signals_held():  # a signal held here is raised as the block ends, with the pool made
            pool = multiprocessing.get_context("fork").Pool(n_jobs - 1, initializer=_start_worker,
                                                            initargs=(os.getpid(),))
        others = [pool.apply_async(_tokenize_range, (a, b)) for a, b in zip(bounds[1:-1], bounds[2:])]
        first = _tokenize(texts[bounds[0]:bounds[1]], preprocessor, bar, scale=n_jobs)
        parts = [first, *(result.get() for result in others)]
        pool.close()
        return parts
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        _shared = None


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_PR_SET_PDEATHSIG = 1  # Linux prctl: the signal a process gets when its parent dies


@contextlib.contextmanager
def _stop_signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM for the block: noted, not acted on; one that came is raised again when it ends.

    The signals are blocked in this thread, and any that another thread takes only reaches a handler that
    notes it, so no handler raises inside ``fork`` or its hooks. Outside the main thread (where handlers
    cannot be changed) the block runs as it is.
    """
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    came: list[int] = []
    handlers = {signum: signal.signal(signum, lambda signum, frame: came.append(signum)) for signum in _STOP_SIGNALS}
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS) if hasattr(signal, "pthread_sigmask") else None
    try:
        yield
    finally:
        if mask is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a blocked signal reaches the noting handler now
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
        for signum in dict.fromkeys(came):
            signal.raise_signal(signum)  # to the handler the caller had


def _start_worker(parent: int) -> None:
    """A forked worker: die with the parent, leave Ctrl-C to it, end on SIGTERM, and take the signals again."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (AttributeError, OSError):  # not Linux: the parent's terminate() is what ends the workers
        pass
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
