"""Probabilities for models that give only margins: a sigmoid fitted on the validation split.

The linear SVM and NBSVM score texts with margins. A run wraps such a model in
``CalibratedClassifierCV`` around the frozen model, fitted on the validation split
only, so the test set stays untouched; the calibrated model is the one kept.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["base_model", "calibrate", "probabilities_from_scores"]


def calibrate(model, X_val, y_val):
    """``model`` with a sigmoid fitted on ``(X_val, y_val)``, or None when each class has fewer than two texts."""
    counts = pd.Series(y_val).value_counts()
    if not len(counts) or counts.min() < 2:
        return None
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator

    folds = int(min(5, counts.min()))  # the frozen model scores every fold alike; folds only need each class twice
    return CalibratedClassifierCV(FrozenEstimator(model), method="sigmoid", cv=folds).fit(X_val, y_val)


def base_model(model):
    """The model under a calibration wrapper (its labels and margins), or the model itself.

    A linear SVM or NBSVM kept by a comparison is saved with the sigmoid calibrated on the validation split
    (``CalibratedClassifierCV`` around the frozen model): its ``predict_proba`` is the calibrated probability,
    and its labels, margins and explanations are the base model's, as in the report.
    """
    calibrated = getattr(model, "calibrated_classifiers_", None)
    return calibrated[0].estimator.estimator if calibrated else model


def probabilities_from_scores(model, scores: np.ndarray) -> np.ndarray | None:
    """A baseline's probabilities from its decision values, without scoring the texts again.

    Parameters
    ----------
    model : estimator
        A baseline, or one wrapped in its validation-split calibration (``CalibratedClassifierCV`` around
        the frozen model).
    scores : ndarray
        The base model's ``decision_function`` on the texts: shape (n,) for two classes, (n, k) for more.

    Returns
    -------
    ndarray of shape (n, k) or None
        The calibrated probabilities; else the classifier's own from its decision values
        (``probabilities_from_decision``: Naive Bayes' posterior, a logistic NBSVM's); None without them.
    """
    scores = np.asarray(scores, dtype=float)
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
