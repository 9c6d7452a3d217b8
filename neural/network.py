"""The Keras network a :class:`neural.KerasTextClassifier` trains: its pre-trained vectors and its builder's call.

:func:`pretrained_vectors` resolves the word vectors and region embeddings a fit reads (a file given, or learned
from the unlabelled texts and cached); :func:`build_network` reads their rows for the fitted encoding's ids and
calls the estimator's builder with its settings.
"""

from __future__ import annotations

import logging

import numpy as np

from imdb_baselines.corpus.validation import check_texts
from neural.backend import load_keras
from neural.embeddings import embedding_matrix, read_vectors
from neural.params import BUILDER_SETTINGS
from neural.pretraining import (
    UNLABELLED_REGIONS,
    UNLABELLED_WORD2VEC,
    unlabelled_region_vectors,
    unlabelled_word_vectors,
)
from neural.registry import BUILDERS

keras = load_keras()

__all__ = ["build_network", "pretrained_vectors"]

logger = logging.getLogger(__name__)


def pretrained_vectors(estimator, unlabelled, X_fit: list[str]) -> tuple[str | None, list[str] | None]:
    """The word-vectors file and the region embeddings' files that fitting ``estimator`` on ``X_fit`` reads.

    Parameters
    ----------
    estimator : KerasTextClassifier
        Its ``embeddings`` and ``region_embeddings``: a file, None, or the ``"unlabelled"`` forms, which learn
        the vectors from ``unlabelled`` plus ``X_fit`` (:mod:`neural.pretraining`, cached by the texts' checksum).
    unlabelled : iterable of str or None
        The unlabelled texts ``fit`` was given.
    X_fit : list of str
        The texts the network trains on (without the validation texts).

    Returns
    -------
    word_vectors : str or None
    region_vectors : list of str or None
        One file per region size.
    """
    word_vectors = estimator.embeddings
    if estimator.embeddings == UNLABELLED_WORD2VEC:
        texts = None if unlabelled is None else check_texts(unlabelled, "unlabelled")
        word_vectors = str(unlabelled_word_vectors(
            f"embeddings={UNLABELLED_WORD2VEC!r}", texts, X_fit, vector_size=estimator.embedding_dim,
            stopwords=estimator.stopwords, seed=estimator.seed))
    region_vectors = None if estimator.region_embeddings is None else [estimator.region_embeddings]
    if estimator.region_embeddings == UNLABELLED_REGIONS:
        texts = None if unlabelled is None else check_texts(unlabelled, "unlabelled")
        region_vectors = [str(unlabelled_region_vectors(
            f"region_embeddings={UNLABELLED_REGIONS!r}", texts, X_fit, stopwords=estimator.stopwords,
            seed=estimator.seed, region_size=size)) for size in estimator.region_sizes or (None,)]
    return word_vectors, region_vectors


def build_network(estimator) -> keras.Model:
    """The compiled Keras model of ``estimator``, whose encoding is fitted (``encoder_``, ``ngram_indexer_``,
    ``maxlen_``, ``classes_``) and whose vectors are resolved (``word_vectors_``, ``region_vectors_``).

    Raises
    ------
    ValueError
        If the word vectors' size is not ``embedding_dim``, or a vectors file covers none of the vocabulary.
    """
    if estimator.ngram_indexer_ is not None:
        input_dim = estimator.ngram_indexer_.input_dim
    else:
        input_dim = estimator.encoder_.vocabulary_size
    options = {"num_words": input_dim, "maxlen": estimator.maxlen_, "embedding_dim": estimator.embedding_dim,
               "l2": estimator.l2, "learning_rate": estimator.learning_rate,
               "trainable_embeddings": estimator.trainable_embeddings, "n_classes": len(estimator.classes_)}
    for name in ("dropout", "mask_zero", *BUILDER_SETTINGS):
        if getattr(estimator, name) is not None:
            options[name] = getattr(estimator, name)
    if estimator.word_vectors_ is not None:
        matrix = _rows_of(estimator, estimator.word_vectors_, input_dim, "Pre-trained vectors")
        if matrix.shape[1] != estimator.embedding_dim:
            raise ValueError(
                f"The vectors in {estimator.word_vectors_} have {matrix.shape[1]} dimensions but "
                f"embedding_dim={estimator.embedding_dim}. Set embedding_dim={matrix.shape[1]}."
            )
        options["embedding_weights"] = matrix
    if getattr(estimator, "region_vectors_", None) is not None:
        options["region_vectors"] = [_rows_of(estimator, path, input_dim, "The region embedding")
                                     for path in estimator.region_vectors_]
    return BUILDERS[estimator.model](**options)


def _rows_of(estimator, path, input_dim: int, what: str) -> np.ndarray:
    """An embedding's rows for the estimator's encoder's ids from the word-vectors file ``path``
    (:func:`neural.embeddings.embedding_matrix`); the share of the vocabulary it covers is logged."""
    encoder = estimator.encoder_
    vectors = read_vectors(path, words=encoder.word_index_)
    if not vectors:
        raise ValueError(f"None of the vocabulary's words has a vector in {path}.")
    matrix, coverage = embedding_matrix(vectors, encoder.word_index_, input_dim, index_from=encoder.index_from,
                                        seed=estimator.seed, word_rows=encoder.vocabulary_size)
    logger.info("%s cover%s %.1f%% of the vocabulary", what, "" if what.endswith("s") else "s", 100 * coverage)
    return matrix
