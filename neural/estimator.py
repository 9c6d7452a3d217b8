"""A scikit-learn classifier over raw review texts that trains one of the Keras models."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_consistent_length, check_is_fitted

from imdb_baselines.corpus.prepared import take_texts
from imdb_baselines.corpus.sequences import SequenceEncoder, pad_sequences
from imdb_baselines.corpus.text import Stopwords
from imdb_baselines.corpus.validation import check_classification_target, check_texts
from imdb_baselines.storage import write_folder
from neural.backend import forward_function, load_keras
from neural.network import build_network, pretrained_vectors
from neural.ngrams import NgramIndexer
from neural.params import check_params
from neural.saving import read_classifier, write_classifier
from neural.training import (
    balanced_class_weights,
    check_validation_data,
    fitted_maxlen,
    training_callbacks,
    validation_carve,
)

keras = load_keras()

__all__ = ["KerasTextClassifier"]


#: Up to this many texts, predict_proba calls the Keras model directly (``model.predict`` costs tens of
#: milliseconds of set-up per call); more go through ``model.predict`` in batches.
_DIRECT_CALL_LIMIT = 256


class KerasTextClassifier(ClassifierMixin, BaseEstimator):
    """Text classifier over raw texts, training a Keras model from :mod:`neural`.

    Texts go through the corpus layer's shared tokenizer and stopword filter
    and its Keras-compatible encoding (:class:`imdb_baselines.corpus.SequenceEncoder`, fitted
    on the training texts only), then ``pad_sequences`` (Keras' conventions). The defaults
    are the classic Keras IMDB tutorial's: ``model="lstm"``, 10,000 words,
    ``maxlen=200`` with ``post`` padding and truncating, 128-dimensional
    embeddings, 5 epochs of batch 64 with Adam.

    Parameters
    ----------
    model : {"lstm", "bilstm", "gru", "cnn", "fasttext", "region_cnn"}, default="lstm"
        The builder (see :data:`neural.BUILDERS`).
    num_words : int, default=10000
        Vocabulary size, markers included (Keras' ``num_words``).
    maxlen : int, default=200
        Length of the padded sequences (the most, with ``maxlen_quantile``).
    maxlen_quantile : float or None, default=None
        Shorten the sequences to this quantile of the training sequences'
        lengths when that is below ``maxlen`` (e.g. 0.95: a corpus of short
        sentences is not padded to hundreds of ids). None keeps ``maxlen``.
    padding, truncating : {"pre", "post"}, default="post"
        Where ``pad_sequences`` pads and cuts.
    embedding_dim : int, default=128
        Size of the word vectors.
    ngram : int, default=1
        Append ids of word n-grams up to this order (fastText's bigrams: 2).
    ngram_min_count : int, default=1
        Keep n-grams seen at least this often in training.
    dropout : float or None, default=None
        Dropout before the output layer; None keeps the builder's default.
    units : int or None, default=None
        Units of the recurrent layer (``lstm``, ``bilstm``, ``gru``; the tutorial's 64); None keeps the
        builder's default.
    dense_units : int or None, default=None
        Units of the hidden dense layer (``lstm``, ``cnn``; 64); None keeps the builder's default.
    recurrent_dropout, lstm_dropout : float or None, default=None
        The tutorial LSTM's ``recurrent_dropout`` and ``dropout`` (both 0.2; ``lstm`` only); None keeps them.
    filters, kernel_size : int or None, default=None
        The convolution's filters and width (``cnn``: 128 and 5); None keeps the builder's default.
    l2 : float, default=0.0
        L2 penalty on embeddings and dense kernels.
    mask_zero : bool or None, default=None
        Mask padding; None keeps the builder's default.
    embeddings : path, "word2vec:unlabelled" or None, default=None
        A GloVe / word2vec text file to initialise the embedding from, or
        ``"word2vec:unlabelled"``: vectors learned by word2vec from the texts
        given to ``fit`` as ``unlabelled`` plus the training texts (cached).
    trainable_embeddings : bool, default=True
        Whether pre-trained vectors are fine-tuned.
    region_embeddings : path, "unlabelled" or None, default=None
        ``region_cnn`` only: a word-vectors file of a region embedding learned without labels, or
        ``"unlabelled"``: learned from the texts given to ``fit`` as ``unlabelled`` plus the training texts
        (:func:`neural.pretraining.unlabelled_region_vectors`, cached). Each position then also reads the
        frozen embedding of the region around it.
    region_sizes : tuple of int or None, default=None
        ``region_cnn`` with ``region_embeddings`` only: the words of the region embedding's regions (None: 5,
        the learning's default); with ``"unlabelled"``, one embedding is learned (and cached) for each size
        and the CNN reads them all, e.g. ``(5, 3)``.
    epochs, batch_size : int, default=5, 64
        Training length and batch size.
    learning_rate : float, default=1e-3
        Adam's learning rate.
    validation_size : float, default=0.1
        Share of the training texts carved out (stratified, seeded) for
        validation when ``fit`` gets no ``validation_data``; 0 for none.
    early_stopping : bool, default=False
        Stop when the validation loss has not improved for ``patience``
        epochs and restore the best weights.
    patience : int, default=2
        Epochs without improvement before stopping.
    seed : int, default=0
        Seed of ``keras.utils.set_random_seed`` and of the validation carve.
    stopwords : str, path, Stopwords or None, default=None
        The shared stopword list (``None``: the corpus default).
    verbose : "auto", 0, 1, 2 or "log", default="auto"
        Keras' progress display during training; ``"log"``: the package's own instead (a bar on standard
        error and one log line per epoch), as ``compare.py`` uses so that every model shows progress alike.
    class_weight : "balanced" or None, default=None
        "balanced": each training text's loss is weighted inversely to its class's frequency (scikit-learn's
        ``compute_class_weight``, passed to Keras' ``fit``).

    Attributes
    ----------
    model_ : keras.Model
        Ends in ``Dense(1, sigmoid)`` for two classes (the tutorial's) and
        ``Dense(k, softmax)`` for k > 2.
    encoder_ : corpus.SequenceEncoder
    classes_ : ndarray of shape (n_classes,)
    maxlen_ : int
        The sequence length used: ``maxlen``, or shorter by ``maxlen_quantile``.
    history_ : dict of str to list
        Keras' history (``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``)
        plus ``epoch_time`` in seconds.
    validation_indices_ : ndarray
        Positions in ``X`` of the reviews carved out for validation.

    Examples
    --------
    >>> clf = KerasTextClassifier(epochs=5).fit(X_train, y_train)  # doctest: +SKIP
    >>> clf.predict_proba(["A wonderful, moving film."])[:, 1]  # doctest: +SKIP
    array([0.93], dtype=float32)
    """

    def __init__(
        self,
        model: str = "lstm",
        *,
        num_words: int = 10_000,
        maxlen: int = 200,
        maxlen_quantile: float | None = None,
        padding: str = "post",
        truncating: str = "post",
        embedding_dim: int = 128,
        ngram: int = 1,
        ngram_min_count: int = 1,
        dropout: float | None = None,
        units: int | None = None,
        dense_units: int | None = None,
        recurrent_dropout: float | None = None,
        lstm_dropout: float | None = None,
        filters: int | None = None,
        kernel_size: int | None = None,
        l2: float = 0.0,
        mask_zero: bool | None = None,
        embeddings: str | os.PathLike | None = None,
        trainable_embeddings: bool = True,
        region_embeddings: str | os.PathLike | None = None,
        region_sizes: tuple[int, ...] | None = None,
        epochs: int = 5,
        batch_size: int = 64,
        learning_rate: float = 1e-3,
        validation_size: float = 0.1,
        early_stopping: bool = False,
        patience: int = 2,
        seed: int = 0,
        stopwords: str | Path | Stopwords | None = None,
        verbose: str | int = "auto",
        class_weight: str | None = None,
    ) -> None:
        self.model = model
        self.num_words = num_words
        self.maxlen = maxlen
        self.maxlen_quantile = maxlen_quantile
        self.padding = padding
        self.truncating = truncating
        self.embedding_dim = embedding_dim
        self.ngram = ngram
        self.ngram_min_count = ngram_min_count
        self.dropout = dropout
        self.units = units
        self.dense_units = dense_units
        self.recurrent_dropout = recurrent_dropout
        self.lstm_dropout = lstm_dropout
        self.filters = filters
        self.kernel_size = kernel_size
        self.l2 = l2
        self.mask_zero = mask_zero
        self.embeddings = embeddings
        self.trainable_embeddings = trainable_embeddings
        self.region_embeddings = region_embeddings
        self.region_sizes = region_sizes
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.validation_size = validation_size
        self.early_stopping = early_stopping
        self.patience = patience
        self.seed = seed
        self.stopwords = stopwords
        self.verbose = verbose
        self.class_weight = class_weight

    def fit(self, X, y, validation_data: tuple | None = None, unlabelled=None) -> KerasTextClassifier:
        """Train on texts ``X`` with labels ``y``.

        Parameters
        ----------
        X : iterable of str
            Training reviews.
        y : array-like of shape (n_samples,)
            Two or more classes (for IMDB, 1 = positive).
        validation_data : (texts, labels), optional
            Validation reviews (never the test set). Without it,
            ``validation_size`` of ``X`` is carved out, stratified and seeded.
        unlabelled : iterable of str, optional
            Unlabelled texts (IMDB's train/unsup), needed when ``embeddings`` is
            ``"word2vec:unlabelled"``: word vectors are learned from them and ``X``
            (:func:`neural.pretraining.unlabelled_word_vectors`, cached).

        Returns
        -------
        self
        """
        check_params(self)
        X = check_texts(X, "X")
        check_consistent_length(X, y)
        self.classes_, y_index = check_classification_target(y, type(self).__name__)
        keras.utils.set_random_seed(self.seed)
        X_val = y_val = None
        if validation_data is not None:
            X_val, y_val = check_validation_data(validation_data, self.classes_)
            positions, self.validation_indices_ = np.arange(len(X)), np.arange(0)
        else:
            positions, self.validation_indices_ = validation_carve(X, y_index, self.validation_size, self.seed)
            if len(self.validation_indices_):
                X_val, y_val = take_texts(X, self.validation_indices_), y_index[self.validation_indices_]
        X_fit = X if len(positions) == len(X) else take_texts(X, positions)
        self.word_vectors_, self.region_vectors_ = pretrained_vectors(self, unlabelled, X_fit)
        self.encoder_ = SequenceEncoder(self.num_words, stopwords=self.stopwords).fit(X_fit)
        sequences = self.encoder_.transform(X_fit)
        self.ngram_indexer_ = None
        if self.ngram > 1:
            self.ngram_indexer_ = NgramIndexer(self.ngram, self.encoder_.vocabulary_size,
                                               self.ngram_min_count).fit(sequences)
            sequences = self.ngram_indexer_.transform(sequences)
        self.maxlen_ = fitted_maxlen(self.maxlen, self.maxlen_quantile, sequences)
        self.model_ = build_network(self)
        timer, callbacks = training_callbacks(self.epochs, self.verbose, self.early_stopping and X_val is not None,
                                              self.patience)
        target_type = "float32" if len(self.classes_) == 2 else "int32"
        history = self.model_.fit(
            self._pad(sequences),
            y_index[positions].astype(target_type),
            epochs=self.epochs,
            batch_size=self.batch_size,
            validation_data=None if X_val is None else (self._encode(X_val), y_val.astype(target_type)),
            callbacks=callbacks,
            verbose=0 if self.verbose == "log" else self.verbose,
            shuffle=True,
            class_weight=(balanced_class_weights(y_index[positions], len(self.classes_))
                          if self.class_weight == "balanced" else None),
        )
        self.history_ = {k: [float(v) for v in values] for k, values in history.history.items()}
        self.history_["epoch_time"] = timer.times
        return self

    def _check_params(self) -> None:
        """Raise ValueError naming the first invalid parameter (checked by ``fit``, and by a run before loading)."""
        check_params(self)

    def _pad(self, sequences: list[list[int]]) -> np.ndarray:
        return pad_sequences(sequences, maxlen=self.maxlen_, padding=self.padding,
                             truncating=self.truncating).astype("int32")

    def _encode(self, X: list[str]) -> np.ndarray:
        sequences = self.encoder_.transform(X)
        if self.ngram_indexer_ is not None:
            sequences = self.ngram_indexer_.transform(sequences)
        return self._pad(sequences)

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes), columns in the order of ``classes_``."""
        check_is_fitted(self, "model_")
        X = check_texts(X, "X")
        ids = self._encode(X)
        if len(ids) <= _DIRECT_CALL_LIMIT:  # a few texts (a request): the model itself, without predict's set-up
            output = self._forward()(ids)
        else:
            output = self.model_.predict(ids, batch_size=max(self.batch_size, 256), verbose=0)
        output = np.asarray(output, dtype=np.float64)
        if output.shape[1] > 1:
            return output
        positive = output.reshape(-1)
        return np.column_stack([1.0 - positive, positive])

    def _forward(self):
        """The network's forward pass (:func:`neural.backend.forward_function`), kept while the network is this one."""
        forward = self.__dict__.get("_compiled_forward")
        if forward is None or forward[0] is not self.model_:
            forward = self.__dict__["_compiled_forward"] = (self.model_, forward_function(self.model_, self.maxlen_))
        return forward[1]

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.pop("_compiled_forward", None)  # rebuilt on demand; a traced function does not pickle
        return state

    def decision_function(self, X) -> np.ndarray:
        """Two classes: log-odds of ``classes_[1]`` (positive means ``classes_[1]``); more: log-probabilities."""
        proba = np.clip(self.predict_proba(X), 1e-7, 1 - 1e-7)
        return np.log(proba[:, 1] / proba[:, 0]) if proba.shape[1] == 2 else np.log(proba)

    def predict(self, X) -> np.ndarray:
        """Class labels of ``X``."""
        proba = self.predict_proba(X)
        index = (proba[:, 1] > 0.5).astype(int) if proba.shape[1] == 2 else proba.argmax(axis=1)
        return self.classes_[index]

    def save(self, path: str | os.PathLike) -> Path:
        """Write the fitted classifier to a folder (Keras ``.keras`` file plus vocabulary and settings).

        ``path`` must be absent, an empty folder, or a model this package
        saved before; anything else is refused with :class:`imdb_baselines.storage.TargetError`.
        The folder is written beside ``path`` and swapped into place
        atomically, so a failure leaves the previous model whole.
        """
        check_is_fitted(self, "model_")
        return write_folder(path, "model", self.write_files)

    def write_files(self, folder: Path) -> None:
        """Write the network (``model.keras``) and the text encoding's state (``state.json``) into ``folder``.

        The network is written for answering: its layers and weights, without the optimizer's state (Adam's
        two moments, twice the weights) or its compile settings; it loads uncompiled and predicts the same.
        """
        write_classifier(self, folder)

    @classmethod
    def load(cls, path: str | os.PathLike) -> KerasTextClassifier:
        """Read a classifier written by :meth:`save`."""
        return read_classifier(cls, path)
