"""Pieces every Keras builder shares: the embedding layer and the compile step."""

from __future__ import annotations

import numpy as np

from neural.backend import load_keras

keras = load_keras()
layers, regularizers = keras.layers, keras.regularizers

__all__ = ["classifier_output", "compile_classifier", "dense_regularizer", "embedded_ids", "embedding_layer"]


def embedding_layer(
    num_words: int,
    embedding_dim: int,
    *,
    weights: np.ndarray | None = None,
    trainable: bool = True,
    mask_zero: bool = False,
    l2: float = 0.0,
    name: str = "embedding",
) -> layers.Embedding:
    """``Embedding(num_words, embedding_dim)``, optionally pre-trained, masked or L2-regularised.

    Parameters
    ----------
    num_words : int
        Input dimension: the largest id plus one.
    embedding_dim : int
        Output dimension.
    weights : ndarray of shape (num_words, embedding_dim), optional
        Pre-trained vectors (see :mod:`neural.embeddings`).
    trainable : bool, default=True
        Whether the vectors are updated in training.
    mask_zero : bool, default=False
        Mask padding (id 0) in the layers after it.
    l2 : float, default=0.0
        L2 penalty on the embedding weights.
    name : str, default="embedding"
        The layer's name.
    """
    if weights is not None and weights.shape != (num_words, embedding_dim):
        raise ValueError(
            f"Pre-trained embedding weights have shape {weights.shape}; expected "
            f"({num_words}, {embedding_dim}). Match embedding_dim to the vectors' size."
        )
    layer = layers.Embedding(
        num_words,
        embedding_dim,
        embeddings_initializer="uniform" if weights is None else "zeros",  # zeros draw no random numbers
        embeddings_regularizer=regularizers.L2(l2) if l2 else None,
        mask_zero=mask_zero,
        trainable=trainable,
        name=name,
    )
    if weights is not None:
        # Set as weights, not as a Constant initializer: that would write the whole matrix into the saved
        # model's JSON configuration (426 MB for fastText's word2vec start) next to the weights file.
        layer.build()
        layer.set_weights([np.asarray(weights, dtype="float32")])
    return layer


def dense_regularizer(l2: float) -> regularizers.Regularizer | None:
    """An L2 kernel regulariser, or None for ``l2 == 0``."""
    return regularizers.L2(l2) if l2 else None


def classifier_output(x, n_classes: int = 2, *, l2: float = 0.0, name: str = "output"):
    """The output layer: ``Dense(1, sigmoid)`` for two classes (the tutorial's), ``Dense(k, softmax)`` for k > 2."""
    units, activation = (1, "sigmoid") if n_classes == 2 else (n_classes, "softmax")
    return layers.Dense(units, activation=activation, kernel_regularizer=dense_regularizer(l2), name=name)(x)


def compile_classifier(model: keras.Model, learning_rate: float = 1e-3, n_classes: int = 2) -> keras.Model:
    """Adam and accuracy, with binary cross-entropy (the tutorial's) or, for k > 2, sparse categorical."""
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="binary_crossentropy" if n_classes == 2 else "sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def embedded_ids(
    *,
    num_words: int,
    maxlen: int,
    embedding_dim: int,
    weights: np.ndarray | None,
    trainable: bool,
    mask_zero: bool,
    l2: float,
):
    """The model input (padded ids of length ``maxlen``) and its embedding: ``(inputs, vectors)``."""
    inputs = keras.Input(shape=(maxlen,), dtype="int32", name="ids")
    layer = embedding_layer(num_words, embedding_dim, weights=weights, trainable=trainable, mask_zero=mask_zero, l2=l2)
    return inputs, layer(inputs)
