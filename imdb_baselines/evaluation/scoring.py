"""A finished model's test figures: every metric, its bootstrap interval, and the Brier score."""

from __future__ import annotations

import numpy as np

from imdb_baselines import corpus
from imdb_baselines.evaluation.crossval import score_folds
from imdb_baselines.evaluation.metrics import bootstrap_intervals, evaluate
from imdb_baselines.run.results import ModelResult, RunConfig

__all__ = ["brier_score", "score_result"]


def score_result(result: ModelResult, splits: corpus.Splits, config: RunConfig) -> ModelResult:
    """Fill ``result``'s metrics, intervals (``config.n_resamples`` of them, seeded) and Brier score from its
    test predictions, scores and probabilities, and each cross-validation fold's metrics; return it.
    """
    options = {"classes": splits.classes, "positive": config.positive_label}
    result.metrics = evaluate(splits.y_test, result.predictions, result.scores, **options)
    if config.n_resamples:
        result.intervals = bootstrap_intervals(splits.y_test, result.predictions, result.scores,
                                               n_resamples=config.n_resamples, seed=config.seed, **options)
    score_folds(result, splits.classes, config.positive_label)
    if result.probabilities is not None:
        result.brier = brier_score(splits.y_test, result.probabilities, splits.classes)
    return result


def brier_score(y_true, probabilities: np.ndarray, classes) -> float:
    """Brier score of (n, k) ``probabilities`` (columns in ``classes`` order): scikit-learn's for two classes,
    the summed multi-class form for more.

    Examples
    --------
    >>> round(brier_score([0, 1], np.array([[0.9, 0.1], [0.2, 0.8]]), [0, 1]), 6)
    0.025
    """
    truth = np.asarray(y_true)[:, np.newaxis] == np.asarray(classes)[np.newaxis, :]
    squared = np.sum((probabilities - truth) ** 2, axis=1)
    return float(np.mean(squared) / 2 if truth.shape[1] == 2 else np.mean(squared))
