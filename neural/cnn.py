"""A 1-D convolutional variant: Conv1D over word vectors and global max pooling."""

from __future__ import annotations

import numpy as np

from neural.backend import load_keras
from neural.layers import classifier_output, compile_classifier, dense_regularizer, embedded_ids

keras = load_keras()
layers = keras.layers

__all__ = ["build_cnn"]


def build_cnn(
    *,
    num_words: int,
    maxlen: int,
    embedding_dim: int,
    filters: int = 128,
    kernel_size: int = 5,
    dense_units: int = 64,
    dropout: float = 0.5,
    l2: float,
    mask_zero: bool = False,
    embedding_weights: np.ndarray | None = None,
    trainable_embeddings: bool,
    learning_rate: float,
    n_classes: int,
) -> keras.Model:
    """``Embedding → Conv1D(relu) → GlobalMaxPooling1D → Dense(relu) → Dropout → Dense(sigmoid)``.

    Parameters
    ----------
    filters, kernel_size : int, default=128, 5
        Convolution filters and their width in words.
    mask_zero : bool, default=False
        Accepted for a common signature; Conv1D does not use masks, and max
        pooling over zero-padding is harmless.

    Other parameters are those of :func:`neural.build_lstm`.
    """
    inputs, x = embedded_ids(num_words=num_words, maxlen=maxlen, embedding_dim=embedding_dim,
                             weights=embedding_weights, trainable=trainable_embeddings,
                             mask_zero=False, l2=l2)
    x = layers.Conv1D(filters, kernel_size, activation="relu", kernel_regularizer=dense_regularizer(l2),
                      name="conv")(x)
    x = layers.GlobalMaxPooling1D(name="max_pool")(x)
    x = layers.Dense(dense_units, activation="relu", kernel_regularizer=dense_regularizer(l2), name="dense")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    outputs = classifier_output(x, n_classes)
    return compile_classifier(keras.Model(inputs, outputs, name="cnn"), learning_rate, n_classes)
