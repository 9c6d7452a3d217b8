"""Padding and cutting id sequences to one length, with ``keras.utils.pad_sequences``' conventions.

Written in NumPy so that the light core's Keras-compatible encoding (``load_data``, ``pad_sequences``,
``decode_review``) needs no Keras; the neural models pad with it too.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["pad_sequences"]


def pad_sequences(
    sequences: Sequence[Sequence],
    maxlen: int | None = None,
    dtype: str | type = "int32",
    padding: str = "pre",
    truncating: str = "pre",
    value: float | str = 0.0,
) -> np.ndarray:
    """Pad and cut sequences to one length, as ``keras.utils.pad_sequences`` does, without Keras.

    Parameters
    ----------
    sequences : sequence of sequences
        Lists or arrays of ids (or of equally shaped vectors), one per text.
    maxlen : int or None, default=None
        The length of every row; None: the longest sequence's.
    dtype : str or type, default="int32"
        The result's dtype (``object`` for strings).
    padding : {"pre", "post"}, default="pre"
        Where shorter sequences are padded.
    truncating : {"pre", "post"}, default="pre"
        Where longer sequences lose values: "post" keeps their beginnings, "pre" their ends.
    value : float or str, default=0.0
        The padding value.

    Returns
    -------
    ndarray of shape (len(sequences), maxlen) or (len(sequences), maxlen, *vector shape)

    Examples
    --------
    >>> pad_sequences([[1], [2, 3], [4, 5, 6]], maxlen=2, padding="post", truncating="post").tolist()
    [[1, 0], [2, 3], [4, 5]]
    """
    for name, where in (("padding", padding), ("truncating", truncating)):
        if where not in ("pre", "post"):
            raise ValueError(f"The '{name}' parameter of pad_sequences must be 'pre' or 'post'. Got {where!r} instead.")
    if maxlen is not None and (isinstance(maxlen, bool) or not isinstance(maxlen, (int, np.integer)) or maxlen < 0):
        raise ValueError(
            f"The 'maxlen' parameter of pad_sequences must be an int >= 0 or None. Got {maxlen!r} instead."
        )
    if not hasattr(sequences, "__len__"):
        raise ValueError("pad_sequences takes a sequence of sequences (a list of lists of ids, for example).")
    lengths, sample_shape = [], None
    for position, sequence in enumerate(sequences):
        if not hasattr(sequence, "__len__"):
            raise ValueError(f"pad_sequences takes a sequence of sequences; item {position} is {sequence!r}.")
        lengths.append(len(sequence))
        if sample_shape is None and len(sequence):
            sample_shape = np.asarray(sequence).shape[1:]  # the first non-empty sequence's vector shape
    sample_shape = sample_shape or ()
    length = int(maxlen) if maxlen is not None else max(lengths, default=0)
    text_dtype = np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.bytes_)
    if isinstance(value, str) and dtype is not object and not text_dtype:
        raise ValueError(f"A text padding value needs dtype=object or a string dtype, not {dtype!r}.")
    padded = np.full((len(lengths), length, *sample_shape), value, dtype=dtype)
    if length == 0:
        return padded
    for row, sequence in enumerate(sequences):
        if not len(sequence):
            continue
        kept = np.asarray(sequence[-length:] if truncating == "pre" else sequence[:length], dtype=dtype)
        if kept.shape[1:] != sample_shape:
            raise ValueError(f"Sequence {row} holds items of shape {kept.shape[1:]}; the first held {sample_shape}.")
        if padding == "post":
            padded[row, : len(kept)] = kept
        else:
            padded[row, -len(kept):] = kept
    return padded
