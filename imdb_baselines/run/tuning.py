"""``--tune``: each model's documented grid searched by stratified cross-validation on the training split only.

The defaults were chosen on IMDB's long reviews; on other data other settings
may do better. The search sees the training texts only (never validation or
test), its folds are stratified and seeded, and the model is then refitted
with the best settings as usual.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["TUNING_FOLDS", "Tuning", "tune"]

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
         fit_params: dict[str, Any] | None = None) -> Tuning:
    """Search ``grid`` by stratified cross-validation on ``(X, y)`` (the training split only).

    The folds follow the texts' order, unshuffled (scikit-learn's default): IMDB numbers each movie's
    reviews consecutively, so each fold holds whole movies, as the test set holds movies the training set
    never saw; shuffled folds would reward n-grams that name a movie (``benchmarks/README.md``).

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
        Three folds instead of five.
    fit_params : dict, optional
        Passed to every fit (the unlabelled texts of a model that learns from them).

    Returns
    -------
    Tuning
        The best settings and every candidate's mean accuracy.
    """
    from sklearn.model_selection import ParameterGrid, StratifiedKFold, cross_val_score

    folds = TUNING_FOLDS["neural" if neural else "baseline"]
    smallest = int(np.min(np.unique(np.asarray(y), return_counts=True)[1]))
    folds = max(2, min(folds, smallest))
    if not grid:
        return Tuning(best_params={}, best_score=float("nan"), seconds=0.0, folds=0)
    started = time.perf_counter()
    table, best = [], None
    for candidate in ParameterGrid(grid):
        scores = cross_val_score(build(candidate), X, y, cv=StratifiedKFold(folds), scoring="accuracy", n_jobs=1,
                                 error_score="raise", params=fit_params or None)
        table.append({"params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in candidate.items()},
                      "mean_accuracy": round(float(np.mean(scores)), 4),
                      "std_accuracy": round(float(np.std(scores)), 4)})
        if best is None or np.mean(scores) > best[1]:  # the first of equals, as GridSearchCV
            best = (candidate, float(np.mean(scores)))
    seconds = time.perf_counter() - started
    logger.info("%s: best %s (cross-validated accuracy %.4f) of %d candidates in %.0f s", name, best[0], best[1],
                len(table), seconds)
    return Tuning(best_params=dict(best[0]), best_score=best[1], seconds=seconds, folds=folds, grid=table)
