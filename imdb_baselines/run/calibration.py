"""Probabilities for models that give only margins: one scale of the margins, fitted on the validation split.

The linear SVM and NBSVM score texts with margins. A run wraps such a model in
:class:`MarginCalibration`, fitted on the validation split only, so the test set stays
untouched; the calibrated model is the one kept. Its probabilities are a logistic
function (two classes) or a softmax (more) of the margins times one fitted scale, with
no offset, so the most probable class is always the class the margins choose: the label,
the probability of that label and the report's metrics agree.

Models saved by version 0.2.0 and earlier hold scikit-learn's ``CalibratedClassifierCV``
(a sigmoid with an offset per class) instead; they load and answer as before.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar
from scipy.special import log_expit, log_softmax
from sklearn.base import BaseEstimator, ClassifierMixin

__all__ = ["MarginCalibration", "base_model", "calibrate", "probabilities_from_scores"]

#: The fitted scale's bounds (as powers of ten): margins of any model scale land well inside them.
SCALE_RANGE = (-4.0, 4.0)


def _probabilities(scores: np.ndarray, scale: float) -> np.ndarray:
    """σ(scale·s) for two classes (scores of shape (n,)), softmax(scale·S) for more (shape (n, k))."""
    scores = np.asarray(scores, dtype=float)
    if scores.ndim == 1:
        positive = np.exp(log_expit(scale * scores))
        return np.column_stack([1.0 - positive, positive])
    return np.exp(log_softmax(scale * scores, axis=1))


def _log_loss(scores: np.ndarray, index: np.ndarray, scale: float) -> float:
    """The mean negative log probability of the true classes (``index``) at ``scale``."""
    if scores.ndim == 1:
        signed = np.where(index == 1, scores, -scores)
        return float(-log_expit(scale * signed).mean())
    return float(-log_softmax(scale * scores, axis=1)[np.arange(len(index)), index].mean())


class MarginCalibration(ClassifierMixin, BaseEstimator):
    """A fitted margin classifier whose probabilities are its margins times one scale, through σ or softmax.

    Temperature scaling (Guo et al., 2017) without an offset: the scale is chosen by the log loss on the
    texts given to :meth:`fit`, and being positive it never changes which class is most probable, so
    ``predict`` (the margins' class) and the largest of ``predict_proba`` always agree.

    Parameters
    ----------
    estimator : classifier
        A fitted classifier with ``decision_function`` and ``classes_``; :meth:`fit` leaves it as it is.

    Attributes
    ----------
    scale_ : float
        The fitted scale of the margins (positive).
    classes_ : ndarray
        The estimator's classes.
    """

    def __init__(self, estimator=None):
        self.estimator = estimator

    def fit(self, X, y) -> MarginCalibration:
        """Choose the scale that minimises the log loss of ``y`` on ``X`` (the validation split's texts)."""
        self.classes_ = np.asarray(self.estimator.classes_)
        position = {label: i for i, label in enumerate(self.classes_.tolist())}
        unknown = {label for label in np.asarray(y).tolist() if label not in position}
        if unknown:
            raise ValueError(f"the calibration texts hold classes the model was not trained on: {sorted(unknown)}")
        index = np.array([position[label] for label in np.asarray(y).tolist()])
        scores = np.asarray(self.estimator.decision_function(X), dtype=float)
        found = minimize_scalar(lambda power: _log_loss(scores, index, 10.0 ** power), bounds=SCALE_RANGE,
                                method="bounded", options={"xatol": 1e-6})
        self.scale_ = float(10.0 ** found.x)
        return self

    def decision_function(self, X) -> np.ndarray:
        """The estimator's margins."""
        return self.estimator.decision_function(X)

    def predict(self, X) -> np.ndarray:
        """The estimator's labels (the margins' class, also the most probable class)."""
        return self.estimator.predict(X)

    def predict_proba(self, X) -> np.ndarray:
        """The calibrated probabilities, shape (n, k) in the order of ``classes_``."""
        return self.probabilities_from_decision(self.decision_function(X))

    def probabilities_from_decision(self, scores: np.ndarray) -> np.ndarray:
        """The calibrated probabilities from margins already computed (``decision_function``'s output)."""
        return _probabilities(scores, self.scale_)


def calibrate(model, X_val, y_val) -> MarginCalibration | None:
    """``model`` with its margins' scale fitted on ``(X_val, y_val)``, or None when a class has no text there."""
    counts = pd.Series(y_val).value_counts()
    if len(counts) < len(model.classes_):
        return None
    return MarginCalibration(model).fit(X_val, y_val)


def base_model(model):
    """The model under a calibration wrapper (its labels and margins), or the model itself.

    A linear SVM or NBSVM kept by a comparison is saved inside :class:`MarginCalibration` (by version 0.2.0
    and earlier: ``CalibratedClassifierCV`` around the frozen model): its ``predict_proba`` is the calibrated
    probability, and its labels, margins and explanations are the base model's, as in the report.
    """
    if isinstance(model, MarginCalibration):
        return model.estimator
    calibrated = getattr(model, "calibrated_classifiers_", None)
    return calibrated[0].estimator.estimator if calibrated else model


def probabilities_from_scores(model, scores: np.ndarray) -> np.ndarray | None:
    """A baseline's probabilities from its decision values, without scoring the texts again.

    Parameters
    ----------
    model : estimator
        A baseline, or one wrapped in its validation-split calibration (:class:`MarginCalibration`, or
        ``CalibratedClassifierCV`` around the frozen model in models saved by version 0.2.0 and earlier).
    scores : ndarray
        The base model's ``decision_function`` on the texts: shape (n,) for two classes, (n, k) for more.

    Returns
    -------
    ndarray of shape (n, k) or None
        The calibrated probabilities; else the classifier's own from its decision values
        (``probabilities_from_decision``: Naive Bayes' posterior, a logistic NBSVM's); None without them.
    """
    scores = np.asarray(scores, dtype=float)
    if isinstance(model, MarginCalibration):
        return model.probabilities_from_decision(scores)
    calibrated = getattr(model, "calibrated_classifiers_", None)
    if calibrated:
        margins = scores.reshape(len(scores), -1)
        each = np.column_stack([calibrator.predict(margins[:, i])
                                for i, calibrator in enumerate(calibrated[0].calibrators)])
        if each.shape[1] == 1:  # two classes: one calibrator, of the second class
            return np.column_stack([1.0 - each[:, 0], each[:, 0]])
        total = each.sum(axis=1, keepdims=True)
        return np.divide(each, total, out=np.full_like(each, 1.0 / each.shape[1]), where=total > 0)
    classifier = model.steps[-1][1] if hasattr(model, "steps") else model
    convert = getattr(classifier, "probabilities_from_decision", None)
    return convert(scores) if callable(convert) and hasattr(classifier, "predict_proba") else None
