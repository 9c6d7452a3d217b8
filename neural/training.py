"""What :meth:`neural.KerasTextClassifier.fit` prepares before Keras trains: the validation texts, the sequence
length, the class weights and the callbacks."""

from __future__ import annotations

import logging

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import check_consistent_length

from imdb_baselines.corpus.validation import check_texts
from neural.backend import load_keras
from neural.callbacks import EpochProgress, EpochTimer

keras = load_keras()

__all__ = ["balanced_class_weights", "check_validation_data", "fitted_maxlen", "training_callbacks",
           "validation_carve"]

logger = logging.getLogger(__name__)


def check_validation_data(validation_data, classes: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Validation texts and their labels' positions in ``classes``.

    Raises
    ------
    ValueError
        If ``validation_data`` is not a pair of texts and labels of one length, or a label is not among
        ``classes``.
    """
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
        raise ValueError("validation_data must be a pair (texts, labels).")
    X_val = check_texts(validation_data[0], "validation_data[0]")
    labels = np.asarray(validation_data[1])
    check_consistent_length(X_val, labels)
    unknown = np.setdiff1d(labels, classes)
    if len(unknown):
        raise ValueError(
            f"validation_data has labels that are not among the training classes {classes.tolist()}: "
            f"{unknown.tolist()[:5]}. Give validation labels in the same coding as y."
        )
    return X_val, np.searchsorted(classes, labels)


def validation_carve(X: list[str], y_index: np.ndarray, validation_size: float,
                     seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions in ``X`` to train on and positions carved out for validation (stratified, seeded);
    no carve when ``validation_size`` is 0."""
    positions = np.arange(len(X))
    if not validation_size:
        return positions, positions[:0]
    return train_test_split(positions, test_size=validation_size, random_state=seed, stratify=y_index)


def fitted_maxlen(maxlen: int, quantile: float | None, sequences: list[list[int]]) -> int:
    """``maxlen``, or shorter: the ``quantile`` of the training sequences' lengths, when one is given."""
    if quantile is None:
        return maxlen
    length = int(np.ceil(np.quantile([len(s) for s in sequences], quantile)))
    fitted = max(1, min(maxlen, length))
    if fitted < maxlen:
        logger.info("maxlen %d: the %g quantile of the training sequences' lengths, shorter than the setting's %d",
                    fitted, quantile, maxlen)
    else:
        logger.info("maxlen %d: the setting; the %g quantile of the training sequences' lengths is %d",
                    fitted, quantile, length)
    return fitted


def balanced_class_weights(y_index: np.ndarray, n_classes: int) -> dict[int, float]:
    """scikit-learn's "balanced" weight of each class position in ``y_index``; 1.0 for a class it lacks.

    Examples
    --------
    >>> balanced_class_weights(np.array([0, 0, 0, 1]), 3)
    {0: 0.6666666666666666, 1: 2.0, 2: 1.0}
    """
    present = np.unique(y_index)
    balanced = compute_class_weight("balanced", classes=present, y=y_index)
    return {int(c): float(w) for c, w in zip(present, balanced)} | \
        {int(c): 1.0 for c in np.setdiff1d(np.arange(n_classes), present)}


def training_callbacks(epochs: int, verbose: str | int, early_stopping: bool,
                       patience: int) -> tuple[EpochTimer, list]:
    """The epoch timer and every callback of a fit: the timer, the progress log (``verbose="log"``), and
    early stopping on the validation loss, keeping the best epoch's weights (``early_stopping``)."""
    timer = EpochTimer()
    callbacks = [timer] + ([EpochProgress(epochs)] if verbose == "log" else [])
    if early_stopping:
        callbacks.append(keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience,
                                                       restore_best_weights=True))
    return timer, callbacks
