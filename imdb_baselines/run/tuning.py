"""``--tune``: each model's documented grid searched by stratified cross-validation on the training split only.

The defaults were chosen on IMDB's long reviews; on other data other settings
may do better. The search sees the training texts only (never validation or
test), its folds are stratified and seeded, and the model is then refitted
with the best settings as usual.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["PARALLEL_TEXTS", "TUNE_METRICS", "TUNING_FOLDS", "Tuning", "fold_score", "tune", "tuning_jobs"]

logger = logging.getLogger(__name__)

#: Folds of the search: five for the baselines, three for the neural models (each fit costs minutes).
TUNING_FOLDS = {"baseline": 5, "neural": 3}


#: What ``--tune-metric`` can optimise: the score of a fitted model on a fold's held-out texts. Higher is better
#: except for the log loss.
TUNE_METRICS = ("accuracy", "macro_f1", "roc_auc", "log_loss")


@dataclass
class Tuning:
    """What a search tried and chose."""

    best_params: dict[str, Any]  # the best candidate's settings, in --set names
    best_score: float
    seconds: float
    folds: int
    grid: list[dict[str, Any]] = field(default_factory=list)  # per candidate: params, mean and std of the metric
    metric: str = "accuracy"  # what the search optimised (--tune-metric)


def tune(build: Callable[[dict[str, Any]], Any], name: str, X, y, *, grid: dict[str, list], neural: bool,
         fit_params: dict[str, Any] | None = None, n_jobs: int | None = None, metric: str = "accuracy",
         groups: np.ndarray | None = None) -> Tuning:
    """Search ``grid`` by stratified cross-validation on ``(X, y)`` (the training split only).

    The folds follow the texts' order, unshuffled (scikit-learn's default): IMDB numbers each movie's
    reviews consecutively, so each fold holds whole movies, as the test set holds movies the training set
    never saw; shuffled folds would reward n-grams that name a movie (``benchmarks/README.md``).
    A progress bar counts the fits (candidates × folds) and estimates the time left.

    Parameters
    ----------
    build : callable
        ``build(settings)``: the unfitted model with a candidate's settings (``--set`` names) on top of the
        run's (those fixed with ``--set`` are already out of ``grid``).
    name : str
        The model's name, for the log.
    X, y : texts and labels of the training split
    grid : dict
        Each setting's candidate values (the catalogue's grid, :func:`imdb_baselines.catalog.search_grid`).
    neural : bool
        Three folds instead of five, one fit at a time (Keras already uses every core).
    fit_params : dict, optional
        Passed to every fit (the unlabelled texts of a model that learns from them).
    n_jobs : int, optional
        Fits at a time for the baselines (default :func:`tuning_jobs`); the result does not depend on it.
    metric : str, default="accuracy"
        What the search optimises, one of :data:`TUNE_METRICS` (:func:`fold_score`).
    groups : ndarray, optional
        Each text's group (``--group-column``): the folds are scikit-learn's ``StratifiedGroupKFold``, each
        group in one fold.

    Returns
    -------
    Tuning
        The best settings and every candidate's mean accuracy.
    """
    from joblib import Parallel, delayed
    from sklearn.model_selection import ParameterGrid, StratifiedKFold

    from imdb_baselines.corpus.progress import progress_bar

    folds = TUNING_FOLDS["neural" if neural else "baseline"]
    smallest = int(np.min(np.unique(np.asarray(y), return_counts=True)[1]))
    folds = max(2, min(folds, smallest))
    if metric not in TUNE_METRICS:
        raise ValueError(f"The 'metric' parameter of tune must be one of {', '.join(TUNE_METRICS)}. Got {metric!r}.")
    if not grid:
        return Tuning(best_params={}, best_score=float("nan"), seconds=0.0, folds=0, metric=metric)
    candidates = list(ParameterGrid(grid))
    y = np.asarray(y)
    if groups is not None:
        from sklearn.model_selection import StratifiedGroupKFold

        folds = max(2, min(folds, len(set(np.asarray(groups).tolist()))))
        splits = list(StratifiedGroupKFold(folds).split(np.zeros(len(y)), y, groups))
    else:
        splits = list(StratifiedKFold(folds).split(np.zeros(len(y)), y))
    jobs = 1 if neural else (n_jobs or tuning_jobs(len(y)))
    tasks = [(c, f) for c in range(len(candidates)) for f in range(folds)]
    started = time.perf_counter()
    scores = np.zeros((len(candidates), folds))
    bar = progress_bar(total=len(tasks), desc=f"{name}: tuning, {len(candidates)} candidates × {folds} folds",
                       unit=" fits")
    try:
        run = Parallel(n_jobs=jobs, return_as="generator", backend="loky" if jobs > 1 else "sequential")
        for (c, f), score in zip(tasks, run(delayed(_fit_and_score)(build(candidates[c]), X, y, *splits[f],
                                                                    fit_params, metric) for c, f in tasks)):
            scores[c, f] = score
            bar.update(1)
    finally:
        bar.close()
    seconds = time.perf_counter() - started
    means = scores.mean(axis=1)
    best = int(np.argmin(means) if metric == "log_loss" else np.argmax(means))  # the first of equals
    table = [{"params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in candidate.items()},
              "mean": round(float(mean), 4), "std": round(float(std), 4)}
             for candidate, mean, std in zip(candidates, means, scores.std(axis=1))]
    logger.info("%s: best %s (cross-validated %s %.4f) of %d candidates, %d fits on %d core(s) in %.0f s",
                name, candidates[best], metric, means[best], len(candidates), len(tasks), jobs, seconds)
    return Tuning(best_params=dict(candidates[best]), best_score=float(means[best]), seconds=seconds, folds=folds,
                  grid=table, metric=metric)


#: Training texts up to which two baseline fits run at once (each holds its own n-gram counts: on IMDB's
#: 22,500 reviews an NBSVM fit on uni- to trigrams peaks near 2 GiB, so two fit in this machine's memory).
PARALLEL_TEXTS = 100_000


def tuning_jobs(n_texts: int) -> int:
    """Fits at a time for a baseline's search: every core up to two, while the training set is small enough
    that each fit's n-gram counts fit in memory twice over (:data:`PARALLEL_TEXTS`)."""
    return max(1, min(2, os.cpu_count() or 1)) if n_texts <= PARALLEL_TEXTS else 1


def _fit_and_score(model, X, y, train: np.ndarray, test: np.ndarray, fit_params: dict[str, Any] | None,
                   metric: str = "accuracy") -> float:
    """``metric`` on fold ``test`` of ``model`` fitted on fold ``train``."""
    from sklearn.utils import _safe_indexing

    model.fit(_safe_indexing(X, train), y[train], **(fit_params or {}))
    return fold_score(model, _safe_indexing(X, test), y[test], metric)


def fold_score(model, X, y, metric: str = "accuracy") -> float:
    """``metric`` of a fitted ``model`` on ``(X, y)``: accuracy, macro F1, ROC-AUC (macro one-vs-rest for more
    than two classes, from the model's margins or probabilities) or log loss.

    A model with only margins has its log loss taken at the one scale of the margins that fits ``(X, y)`` best
    (:class:`~imdb_baselines.run.calibration.MarginCalibration`), as its probabilities are scaled after it is
    fitted; so candidates are compared by how well their margins can separate the classes, not by their raw size.
    """
    from sklearn import metrics

    y = np.asarray(y)
    if metric == "accuracy":
        return float(np.mean(model.predict(X) == y))
    if metric == "macro_f1":
        return float(metrics.f1_score(y, model.predict(X), average="macro"))
    classes = np.asarray(model.classes_)
    if metric == "log_loss":
        if hasattr(model, "predict_proba"):
            probabilities = model.predict_proba(X)
        else:
            from imdb_baselines.run.calibration import MarginCalibration

            probabilities = MarginCalibration(model).fit(X, y).predict_proba(X)
        return float(metrics.log_loss(y, probabilities, labels=classes))
    scores = model.decision_function(X) if hasattr(model, "decision_function") else model.predict_proba(X)
    scores = np.asarray(scores, dtype=float)
    if len(classes) == 2:
        return float(metrics.roc_auc_score(y == classes[1], scores if scores.ndim == 1 else scores[:, 1]))
    present = [i for i, c in enumerate(classes) if 0 < np.sum(y == c) < len(y)]
    return float(np.mean([metrics.roc_auc_score(y == classes[i], scores[:, i]) for i in present]))
