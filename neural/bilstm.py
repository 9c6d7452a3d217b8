"""A bidirectional LSTM variant of the tutorial's model."""

from __future__ import annotations

import numpy as np

from neural.backend import load_keras
from neural.layers import classifier_output, compile_classifier, embedded_ids

keras = load_keras()
layers = keras.layers

__all__ = ["build_bilstm"]


def build_bilstm(
    *,
    num_words: int,
    maxlen: int,
    embedding_dim: int,
    units: int = 64,
    dropout: float = 0.5,
    l2: float,
    mask_zero: bool = True,
    embedding_weights: np.ndarray | None = None,
    trainable_embeddings: bool,
    learning_rate: float,
    n_classes: int,
) -> keras.Model:
    """``Embedding → Bidirectional(LSTM) → Dropout → Dense(sigmoid)``.

    Padding is masked by default, so that both directions read only the
    review; parameters are those of :func:`neural.build_lstm`.
    """
    inputs, x = embedded_ids(num_words=num_words, maxlen=maxlen, embedding_dim=embedding_dim,
                             weights=embedding_weights, trainable=trainable_embeddings,
                             mask_zero=mask_zero, l2=l2)
    x = layers.Bidirectional(layers.LSTM(units), name="bilstm")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    outputs = classifier_output(x, n_classes, l2=l2)
    return compile_classifier(keras.Model(inputs, outputs, name="bilstm"), learning_rate, n_classes)
