"""The tutorial's model: Embedding → LSTM → Dense(relu) → Dropout → Dense(sigmoid)."""

from __future__ import annotations

import numpy as np

from neural.backend import load_keras
from neural.layers import classifier_output, compile_classifier, dense_regularizer, embedded_ids

keras = load_keras()
layers = keras.layers

__all__ = ["build_lstm"]


def build_lstm(
    *,
    num_words: int,
    maxlen: int,
    embedding_dim: int,
    units: int = 64,
    recurrent_dropout: float = 0.2,
    dense_units: int = 64,
    dropout: float = 0.5,
    lstm_dropout: float = 0.2,
    l2: float,
    mask_zero: bool = False,
    embedding_weights: np.ndarray | None = None,
    trainable_embeddings: bool,
    learning_rate: float,
    n_classes: int,
) -> keras.Model:
    """Build and compile the classic Keras IMDB tutorial's LSTM.

    With :class:`neural.KerasTextClassifier`'s defaults (which hold the tutorial's sizes:
    ``num_words=10000, maxlen=200, embedding_dim=128``, Adam at ``1e-3``, no L2) and this
    builder's own, this is exactly the tutorial's model:
    ``Embedding(10000, 128) → LSTM(64, dropout=0.2, recurrent_dropout=0.2) →
    Dense(64, relu) → Dropout(0.5) → Dense(1, sigmoid)``, compiled with Adam
    and binary cross-entropy.

    Parameters
    ----------
    num_words, maxlen, embedding_dim : int
        Vocabulary size (input dimension), sequence length, embedding size.
    units : int, default=64
        LSTM units.
    recurrent_dropout, lstm_dropout : float, default=0.2
        The LSTM's recurrent and input dropout.
    dense_units : int, default=64
        Units of the hidden ``Dense(relu)`` layer.
    dropout : float, default=0.5
        Dropout before the output layer.
    l2 : float
        L2 penalty on the embedding and dense kernels.
    mask_zero : bool, default=False
        Mask padding, so the LSTM skips it (the tutorial does not).
    embedding_weights : ndarray, optional
        Pre-trained vectors for the embedding.
    trainable_embeddings : bool
        Whether those vectors are fine-tuned.
    learning_rate : float
        Adam's learning rate (Keras' default).
    n_classes : int
        Two classes: the tutorial's ``Dense(1, sigmoid)``; more: ``Dense(k, softmax)``.

    Returns
    -------
    keras.Model
        A compiled model from padded id sequences to P(second class), or to
        the class probabilities for k > 2.
    """
    inputs, x = embedded_ids(num_words=num_words, maxlen=maxlen, embedding_dim=embedding_dim,
                             weights=embedding_weights, trainable=trainable_embeddings,
                             mask_zero=mask_zero, l2=l2)
    x = layers.LSTM(units, dropout=lstm_dropout, recurrent_dropout=recurrent_dropout, name="lstm")(x)
    x = layers.Dense(dense_units, activation="relu", kernel_regularizer=dense_regularizer(l2), name="dense")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    outputs = classifier_output(x, n_classes)
    return compile_classifier(keras.Model(inputs, outputs, name="lstm"), learning_rate, n_classes)
