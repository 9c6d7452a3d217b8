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

__all__ = ["AUTOMATIC_MIN_TEXTS", "AUTOMATIC_TOKEN_FITS", "PARALLEL_TEXTS", "TUNE_METRICS", "TUNING_FOLDS", "Tuning",
           "automatic_refusal", "fold_score", "search", "tune", "tuning_jobs"]

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
    automatic: bool = False  # searched because the grid is cheap on this training set (no --tune given)
    default_params: dict[str, Any] | None = None  # the defaults' candidate, when the grid holds it
    default_score: float | None = None  # its cross-validated score
    note: str = ""  # why an automatic search kept the defaults, or was not run


def tune(build: Callable[[dict[str, Any]], Any], name: str, X, y, *, grid: dict[str, list], neural: bool,
         fit_params: dict[str, Any] | None = None, n_jobs: int | None = None, metric: str = "accuracy",
         groups: np.ndarray | None = None, default: dict[str, Any] | None = None,
         automatic: bool = False) -> Tuning:
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
    default : dict, optional
        The settings the model has without a search, for the grid's keys: their candidate's score is reported.
    automatic : bool, default=False
        A search the run chose by itself (:func:`search`): the defaults are kept unless the best candidate
        beats them by more than the standard error of their fold-by-fold difference, so that a search on
        small data moves from them only for a difference its folds can tell apart.

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
    sign = -1.0 if metric == "log_loss" else 1.0  # scores[sign] higher is better
    means = scores.mean(axis=1)
    best = int(np.argmax(sign * means))  # the first of equals
    table = [{"params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in candidate.items()},
              "mean": round(float(mean), 4), "std": round(float(std), 4)}
             for candidate, mean, std in zip(candidates, means, scores.std(axis=1))]
    found = [c for c, candidate in enumerate(candidates) if default is not None
             and all(_same(candidate[key], default.get(key)) for key in candidate)]
    note = ""
    if automatic and found and found[0] != best:
        gain = sign * (scores[best] - scores[found[0]])
        error = float(gain.std(ddof=1) / np.sqrt(folds))
        if gain.mean() <= error:
            note = (f"kept the defaults: the best candidate ({_shown(candidates[best])}) beat them by "
                    f"{gain.mean():.4f}, within the standard error of the fold-by-fold difference ({error:.4f})")
            best = found[0]
    logger.info("%s: chose %s (cross-validated %s %.4f) of %d candidates, %d fits on %d core(s) in %.0f s%s",
                name, candidates[best], metric, means[best], len(candidates), len(tasks), jobs, seconds,
                f"; {note}" if note else "")
    return Tuning(best_params=dict(candidates[best]), best_score=float(means[best]), seconds=seconds, folds=folds,
                  grid=table, metric=metric, automatic=automatic,
                  default_params=dict(candidates[found[0]]) if found else None,
                  default_score=float(means[found[0]]) if found else None, note=note)


def _same(value: Any, other: Any) -> bool:
    """Whether two settings are equal, a tuple equal to the list it was written as."""
    if isinstance(value, (tuple, list)) and isinstance(other, (tuple, list)):
        return tuple(value) == tuple(other)
    return value == other


def _shown(settings: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in settings.items())


#: An automatic search needs this many training texts: with fewer, each of five held-out folds has under 200
#: texts, whose accuracy's standard error (about 3 points) exceeds what separates the baselines' settings.
AUTOMATIC_MIN_TEXTS = 1_000

#: An automatic search's budget: candidates × folds × the tokens each fit reads. A fit of the baselines costs
#: about a microsecond a token here (2 cores, two fits at a time), so this is about a minute and a half:
#: SST-5's 8,544 sentences search NBSVM's 108 candidates, TREC's questions every grid, a fold of polarity v2.0's
#: 1,800 long reviews Naive Bayes' 9, IMDB's 22,500 reviews none (``benchmarks/self_tuning.py``).
AUTOMATIC_TOKEN_FITS = 100_000_000


def automatic_refusal(name: str, grid: dict[str, list], X) -> str:
    """Why the named model's grid is not searched automatically on the training texts ``X``; "" when it is.

    A baseline's grid is searched without ``--tune`` when the training set holds at least
    :data:`AUTOMATIC_MIN_TEXTS` texts and the grid costs at most :data:`AUTOMATIC_TOKEN_FITS` token-fits.
    """
    from sklearn.model_selection import ParameterGrid

    if not grid:
        return "every setting of its grid is fixed with --set"
    if len(X) < AUTOMATIC_MIN_TEXTS:
        return (f"{len(X):,} training texts are too few to tell its settings apart by cross-validation "
                f"(at least {AUTOMATIC_MIN_TEXTS:,})")
    folds = TUNING_FOLDS["baseline"]
    tokens = len(X.ids) if hasattr(X, "ids") else sum(len(str(text).split()) for text in X)
    cost = len(ParameterGrid(grid)) * folds * tokens * (folds - 1) / folds
    if cost > AUTOMATIC_TOKEN_FITS:
        return (f"its {len(ParameterGrid(grid))} candidates × {folds} folds over {tokens:,} training tokens "
                f"({cost / 1e6:,.0f} M token-fits) exceed the automatic budget of "
                f"{AUTOMATIC_TOKEN_FITS / 1e6:,.0f} M; --tune searches it")
    return ""


def search(build: Callable[[dict[str, Any]], Any], name: str, X, y, config, *,
           fit_params: dict[str, Any] | None = None, n_jobs: int | None = None,
           groups: np.ndarray | None = None) -> Tuning | None:
    """The run's search of the named model's grid on its training texts ``(X, y)``, as ``config.tune`` asks.

    ``config.tune`` True searches every model's grid (``--tune``), False none (``--no-tune``), and None (the
    default) the baselines' grids that are cheap on this training set (:func:`automatic_refusal`), keeping the
    defaults unless the folds tell the best apart from them (:func:`tune`'s ``automatic``).

    Returns
    -------
    Tuning or None
        The search; for a baseline not searched automatically, a :class:`Tuning` without candidates whose
        ``note`` says why; None when no search was asked for.
    """
    from imdb_baselines.catalog import is_neural, resolved_settings, search_grid, spec

    automatic = config.tune is None
    if config.tune is False or (automatic and spec(name).kind != "baseline"):
        return None  # a neural model's fit costs minutes, the ensemble's several fits: only --tune searches them
    fixed = config.settings.get(name) or {}
    grid = search_grid(name, fixed, config.grids.get(name))
    refusal = automatic_refusal(name, grid, X) if automatic else ""
    if refusal:
        logger.info("%s: not tuned: %s", name, refusal)
        return Tuning(best_params={}, best_score=float("nan"), seconds=0.0, folds=0, metric=config.tune_metric,
                      automatic=True, note=f"not searched: {refusal}")
    settings = resolved_settings(name, fixed)
    return tune(build, name, X, y, grid=grid, neural=is_neural(name), fit_params=fit_params, n_jobs=n_jobs,
                metric=config.tune_metric, groups=groups, automatic=automatic,
                default={key: settings.get(key) for key in grid})


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
