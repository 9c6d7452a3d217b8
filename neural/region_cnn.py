"""A region-embedding CNN after Johnson & Zhang's bow-CNN (NAACL 2015) and their semi-supervised CNN (NIPS 2015).

Each region of ``kernel_size`` consecutive words is the sum of its words' rows of one embedding table of
``filters`` maps (a bag-of-words convolution over one-hot words), plus a bias, through a ReLU; global
max-pooling keeps each map's strongest region, and a logistic (or softmax) output reads them. With
``region_vectors`` (learned from unlabelled texts by :func:`neural.region_pretraining.learn_region_vectors`),
each position also gets the frozen embedding of the wider region around it, mapped into the same maps before
the ReLU, as the semi-supervised CNN feeds its "tv-embeddings".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from neural.backend import load_keras
from neural.layers import classifier_output, compile_classifier, dense_regularizer, embedded_ids, embedding_layer
from neural.region_pretraining import REGION_SETTINGS

keras = load_keras()
layers = keras.layers

__all__ = ["build_region_cnn", "region_sums"]


def region_sums(vectors, size: int, name: str):
    """Each position's sum of the ``size`` vectors from ``(size - 1) // 2`` before it to ``size // 2`` after it
    (zero vectors past the ends), shape unchanged: zeros padded, then every window's mean times ``size``."""
    padded = layers.ZeroPadding1D(((size - 1) // 2, size // 2), name=f"{name}_padded")(vectors)
    average = layers.AveragePooling1D(pool_size=size, strides=1, padding="valid", name=f"{name}_window")(padded)
    return layers.Rescaling(float(size), name=f"{name}_sum")(average)


def build_region_cnn(
    *,
    num_words: int,
    maxlen: int,
    embedding_dim: int,
    filters: int = 500,
    kernel_size: int = 3,
    dropout: float = 0.5,
    l2: float,
    mask_zero: bool = False,
    embedding_weights: np.ndarray | None = None,
    trainable_embeddings: bool,
    learning_rate: float,
    n_classes: int,
    region_vectors: Sequence[np.ndarray] | None = None,
    region_sizes: Sequence[int] = (REGION_SETTINGS["region_size"],),
) -> keras.Model:
    """``Embedding(filters) → region sums → ReLU → GlobalMaxPooling1D → Dropout → Dense(sigmoid)``.

    Parameters
    ----------
    filters : int, default=500
        Maps: the width of the region embedding (Johnson & Zhang used 1,000).
    kernel_size : int, default=3
        Words in a region.
    embedding_dim : int
        Unused: a region's embedding has ``filters`` dimensions (accepted for a common signature).
    mask_zero : bool, default=False
        Unused: padding's row is zeros, so a region past the end sums fewer words.
    embedding_weights : None
        Refused: word vectors do not fit a region embedding of ``filters`` maps (``region_vectors`` do).
    trainable_embeddings : bool
        Unused (the region embedding is always learned).
    region_vectors : sequence of ndarray of shape (num_words, d), optional
        Frozen word rows of region embeddings learned from unlabelled texts; each position's ReLU also reads,
        for each embedding, the ReLU of the sum of its rows over that embedding's region, through a learned
        ``d × filters`` map.
    region_sizes : sequence of int, default=(5,)
        Words of each embedding's regions (the size it was learned with), one per ``region_vectors``.

    Other parameters are those of :func:`neural.build_lstm`.
    """
    del embedding_dim, mask_zero, trainable_embeddings
    if embedding_weights is not None:
        raise ValueError("region_cnn learns its region embedding of `filters` maps from the labels; word vectors "
                         "(embeddings=...) do not fit it. Give region_embeddings (a file, or 'unlabelled') instead.")
    inputs, words = embedded_ids(num_words=num_words, maxlen=maxlen, embedding_dim=filters, weights=None,
                                 trainable=True, mask_zero=False, l2=l2)
    regions = region_sums(PaddingZeroed(name="padding_zeroed")([words, inputs]), kernel_size, "region")
    region_vectors = list(region_vectors or ())
    if region_vectors and len(region_vectors) != len(region_sizes):
        raise ValueError(f"{len(region_vectors)} region embeddings but {len(region_sizes)} region sizes "
                         f"{tuple(region_sizes)}: give one size for each.")
    for number, (vectors, size) in enumerate(zip(region_vectors, region_sizes)):
        name = "unlabelled" if number == 0 else f"unlabelled_{number + 1}"  # the first keeps its earlier names
        table = embedding_layer(num_words, vectors.shape[1], weights=vectors, trainable=False, name=f"{name}_embedding")
        learned = PaddingZeroed(name=f"{name}_padding_zeroed")([table(inputs), inputs])
        wide = layers.ReLU(name=f"{name}_regions")(region_sums(learned, size, name))
        regions = layers.Add(name="both" if number == 0 else f"with_{name}")(
            [regions, layers.Dense(filters, use_bias=False, kernel_regularizer=dense_regularizer(l2),
                                   name=f"{name}_map")(wide)])
    x = layers.ReLU(name="relu")(BiasAdd(name="region_bias")(regions))
    x = layers.GlobalMaxPooling1D(name="max_pool")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    outputs = classifier_output(x, n_classes, l2=l2)
    return compile_classifier(keras.Model(inputs, outputs, name="region_cnn"), learning_rate, n_classes)


@keras.saving.register_keras_serializable(package="imdb_baselines")
class PaddingZeroed(layers.Layer):
    """``[vectors, ids]``: the vectors with padding's (id 0) set to zeros."""

    def call(self, inputs):
        vectors, ids = inputs
        return vectors * keras.ops.expand_dims(keras.ops.cast(ids > 0, vectors.dtype), -1)


@keras.saving.register_keras_serializable(package="imdb_baselines")
class BiasAdd(layers.Layer):
    """Adds one learned bias per map (the region embedding's bias)."""

    def build(self, input_shape) -> None:
        self.bias = self.add_weight(shape=(input_shape[-1],), initializer="zeros", name="bias")

    def call(self, inputs):
        return inputs + self.bias
