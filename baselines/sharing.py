"""Arrays that several loaded models hold alike, held once.

The baselines of one comparison are fitted on the same prepared texts, so their vocabularies are equal:
Naive Bayes, NBSVM and the ensemble's NBSVM hold the same 4.9 million uni- to trigram keys on IMDB, and every
baseline the same words. Loaded side by side (a service, ``imdb-predict --all``), each would hold its own
copy. :func:`shared_array` hands out one read-only array per content while any model holds it, and
:func:`shared_word_index` one word-to-id dictionary per vocabulary.
"""

from __future__ import annotations

import hashlib
import weakref

import numpy as np

__all__ = ["WordIndex", "shared_array", "shared_word_index"]

_ARRAYS: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
_INDEXES: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


class WordIndex(dict):
    """Word to id: a ``dict`` that the models sharing it hold, and nothing else keeps alive."""


def _content(array: np.ndarray) -> tuple:
    """The key of an array's content: its type, shape and a digest of its values."""
    if array.dtype == object:
        data = "\0".join(map(str, array.ravel().tolist())).encode("utf-8", "surrogatepass")
    else:
        data = np.ascontiguousarray(array).tobytes()
    return array.dtype.str, array.shape, hashlib.blake2b(data, digest_size=20).hexdigest()


def shared_array(array: np.ndarray) -> np.ndarray:
    """``array``, or an equal array a loaded model already holds; read-only either way.

    Examples
    --------
    >>> a, b = shared_array(np.arange(3)), shared_array(np.arange(3))
    >>> a is b, a.flags.writeable
    (True, False)
    """
    key = _content(array)
    held = _ARRAYS.get(key)
    if held is not None:
        return held
    array.flags.writeable = False
    _ARRAYS[key] = array
    return array


def shared_word_index(words: np.ndarray) -> WordIndex:
    """The word-to-position dictionary of ``words``, one per vocabulary among the models loaded.

    Examples
    --------
    >>> words = np.array(["bad", "good"], dtype=object)
    >>> index = shared_word_index(words)
    >>> index["good"], shared_word_index(words.copy()) is index
    (1, True)
    """
    key = _content(words)
    index = _INDEXES.get(key)
    if index is None:
        index = WordIndex((word, i) for i, word in enumerate(words.tolist()))
        _INDEXES[key] = index
    return index
