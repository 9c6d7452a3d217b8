"""fastText-style model: the average of word and n-gram embeddings, then a logistic output.

Joulin et al. (2016), "Bag of Tricks for Efficient Text Classification", as in
the Keras example ``imdb_fasttext.py``: n-gram ids are appended to each
review's word ids (see :class:`neural.ngrams.NgramIndexer`), embedded, and
averaged.
"""

from __future__ import annotations

import numpy as np

from neural.backend import load_keras
from neural.layers import classifier_output, compile_classifier, embedded_ids

keras = load_keras()
layers = keras.layers

__all__ = ["build_fasttext"]


def build_fasttext(
    *,
    num_words: int,
    maxlen: int,
    embedding_dim: int,
    dropout: float = 0.0,
    l2: float,
    mask_zero: bool = True,
    embedding_weights: np.ndarray | None = None,
    trainable_embeddings: bool,
    learning_rate: float,
    n_classes: int,
) -> keras.Model:
    """``Embedding → GlobalAveragePooling1D → Dropout → Dense(sigmoid)``.

    Parameters
    ----------
    num_words : int
        Input dimension, n-gram ids included.
    mask_zero : bool, default=True
        Average over the review's ids only, not over padding.

    Other parameters are those of :func:`neural.build_lstm`.
    """
    inputs, x = embedded_ids(num_words=num_words, maxlen=maxlen, embedding_dim=embedding_dim,
                             weights=embedding_weights, trainable=trainable_embeddings,
                             mask_zero=mask_zero, l2=l2)
    x = layers.GlobalAveragePooling1D(name="average")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    outputs = classifier_output(x, n_classes, l2=l2)
    return compile_classifier(keras.Model(inputs, outputs, name="fasttext"), learning_rate, n_classes)
