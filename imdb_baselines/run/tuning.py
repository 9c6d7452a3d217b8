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

__all__ = ["PARALLEL_TEXTS", "TUNING_FOLDS", "Tuning", "tune", "tuning_jobs"]

logger = logging.getLogger(__name__)

#: Folds of the search: five for the baselines, three for the neural models (each fit costs minutes).
TUNING_FOLDS = {"baseline": 5, "neural": 3}


@dataclass
class Tuning:
    """What a search tried and chose."""

    best_params: dict[str, Any]  # the best candidate's settings, in --set names
    best_score: float
    seconds: float
    folds: int
    grid: list[dict[str, Any]] = field(default_factory=list)  # per candidate: params, mean and std accuracy


def tune(build: Callable[[dict[str, Any]], Any], name: str, X, y, *, grid: dict[str, list], neural: bool,
         fit_params: dict[str, Any] | None = None, n_jobs: int | None = None) -> Tuning:
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
    if not grid:
        return Tuning(best_params={}, best_score=float("nan"), seconds=0.0, folds=0)
    candidates = list(ParameterGrid(grid))
    y = np.asarray(y)
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
                                                                    fit_params) for c, f in tasks)):
            scores[c, f] = score
            bar.update(1)
    finally:
        bar.close()
    seconds = time.perf_counter() - started
    means = scores.mean(axis=1)
    best = int(np.argmax(means))  # the first of equals, as GridSearchCV
    table = [{"params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in candidate.items()},
              "mean_accuracy": round(float(mean), 4), "std_accuracy": round(float(std), 4)}
             for candidate, mean, std in zip(candidates, means, scores.std(axis=1))]
    logger.info("%s: best %s (cross-validated accuracy %.4f) of %d candidates, %d fits on %d core(s) in %.0f s",
                name, candidates[best], means[best], len(candidates), len(tasks), jobs, seconds)
    return Tuning(best_params=dict(candidates[best]), best_score=float(means[best]), seconds=seconds, folds=folds,
                  grid=table)


#: Training texts up to which two baseline fits run at once (each holds its own n-gram counts: on IMDB's
#: 22,500 reviews an NBSVM fit on uni- to trigrams peaks near 2 GiB, so two fit in this machine's memory).
PARALLEL_TEXTS = 100_000


def tuning_jobs(n_texts: int) -> int:
    """Fits at a time for a baseline's search: every core up to two, while the training set is small enough
    that each fit's n-gram counts fit in memory twice over (:data:`PARALLEL_TEXTS`)."""
    return max(1, min(2, os.cpu_count() or 1)) if n_texts <= PARALLEL_TEXTS else 1


def _fit_and_score(model, X, y, train: np.ndarray, test: np.ndarray, fit_params: dict[str, Any] | None) -> float:
    """The accuracy on fold ``test`` of ``model`` fitted on fold ``train``."""
    from sklearn.utils import _safe_indexing

    model.fit(_safe_indexing(X, train), y[train], **(fit_params or {}))
    return float(np.mean(model.predict(_safe_indexing(X, test)) == y[test]))
