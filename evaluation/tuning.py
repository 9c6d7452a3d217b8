"""``--tune``: each model's documented grid searched by stratified cross-validation on the training split only.

The defaults were chosen on IMDB's long reviews; on other data other settings
may do better. The search sees the training texts only (never validation or
test), its folds are stratified and seeded, and the model is then refitted
with the best settings as usual.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["TUNING_FOLDS", "TUNING_GRIDS", "Tuning", "tune"]

logger = logging.getLogger(__name__)

#: The grid each model's search covers (parameter names as ``set_params`` takes them).
TUNING_GRIDS: dict[str, dict[str, list]] = {
    "naive_bayes": {"vectorizer__ngram_range": [(1, 2), (1, 3)], "classifier__alpha": [0.1, 0.3, 1.0]},
    "linear_svm": {"vectorizer__ngram_range": [(1, 2), (1, 3)], "classifier__C": [0.3, 1.0, 3.0, 10.0]},
    "nbsvm": {"vectorizer__ngram_range": [(1, 2), (1, 3)], "classifier__C": [0.1, 1.0],
              "classifier__beta": [0.25, 0.5], "classifier__loss": ["svm", "logistic"]},
    "ensemble": {"ending__span__start": [-50, -100], "final_estimator__C": [0.1, 1.0]},
    "lstm": {"learning_rate": [1e-3, 3e-3], "maxlen": [200, 400]},
    "bilstm": {"learning_rate": [1e-3, 3e-3], "maxlen": [200, 400]},
    "gru": {"learning_rate": [1e-3, 3e-3], "maxlen": [200, 400]},
    "cnn": {"learning_rate": [1e-3, 3e-3], "maxlen": [200, 400]},
    "fasttext": {"learning_rate": [1e-3, 3e-3], "maxlen": [400, 800]},
}
#: Folds of the search: five for the baselines, three for the neural models (each fit costs minutes).
TUNING_FOLDS = {"baseline": 5, "neural": 3}


@dataclass
class Tuning:
    """What a search tried and chose."""

    best_params: dict[str, Any]
    best_score: float
    seconds: float
    folds: int
    grid: list[dict[str, Any]] = field(default_factory=list)  # per candidate: params, mean and std accuracy


def tune(model, name: str, X, y, *, neural: bool, fixed: dict[str, Any] | None = None,
         fit_params: dict[str, Any] | None = None) -> Tuning:
    """Search ``model``'s grid by stratified cross-validation on ``(X, y)`` (the training split only).

    The folds follow the texts' order, unshuffled (scikit-learn's default): IMDB numbers each movie's
    reviews consecutively, so each fold holds whole movies, as the test set holds movies the training set
    never saw; shuffled folds would reward n-grams that name a movie (``benchmarks/README.md``).

    Parameters
    ----------
    model : estimator
        The unfitted model (settings given with ``--set`` already applied).
    name : str
        Its registry name (selects the grid in :data:`TUNING_GRIDS`).
    X, y : texts and labels of the training split
    neural : bool
        Three folds instead of five.
    fixed : dict, optional
        Settings the user fixed (``--set``): left out of the grid.
    fit_params : dict, optional
        Passed to every fit (the unlabelled texts of a model that learns from them).

    Returns
    -------
    Tuning
        The best settings (``set_params`` names) and every candidate's mean accuracy.
    """
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    grid = {k: v for k, v in TUNING_GRIDS[name].items() if k.split("__")[-1] not in (fixed or {})}
    folds = TUNING_FOLDS["neural" if neural else "baseline"]
    smallest = int(np.min(np.unique(np.asarray(y), return_counts=True)[1]))
    folds = max(2, min(folds, smallest))
    if not grid:
        return Tuning(best_params={}, best_score=float("nan"), seconds=0.0, folds=0)
    started = time.perf_counter()
    search = GridSearchCV(model, grid, cv=StratifiedKFold(folds),
                          scoring="accuracy", refit=False, n_jobs=1, error_score="raise")
    search.fit(X, y, **(fit_params or {}))
    seconds = time.perf_counter() - started
    results = search.cv_results_
    table = [{"params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items()},
              "mean_accuracy": round(float(mean), 4), "std_accuracy": round(float(std), 4)}
             for params, mean, std in zip(results["params"], results["mean_test_score"], results["std_test_score"])]
    logger.info("%s: best %s (cross-validated accuracy %.4f) of %d candidates in %.0f s", name,
                search.best_params_, search.best_score_, len(table), seconds)
    return Tuning(best_params=dict(search.best_params_), best_score=float(search.best_score_), seconds=seconds,
                  folds=folds, grid=table)
