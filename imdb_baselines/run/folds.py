"""``--cv K``: each model trained and scored on K stratified folds, the run's own procedure inside each fold.

Each fold's training part is treated as the run treats its training data: a validation carve is taken from
it (stratified, seeded, ``validation_size``), the model is fitted on the rest (tuned there first with
``--tune``, so the search never sees the fold's held-out texts), the neural models early-stop on the carve
and the margin-only models have their scale fitted on it; the fold's held-out texts are then scored once.
The shared text preparation learns nothing from the texts (each is tokenized alone), so the folds take
their texts from the run's prepared texts. Folds run ``jobs`` at a time in worker processes.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from imdb_baselines import corpus
from imdb_baselines.catalog import fit_model, fit_params, spec
from imdb_baselines.corpus.progress import progress_bar
from imdb_baselines.run.fitting import PROBABILITY_SOURCES, probabilities_for, raw_scores
from imdb_baselines.run.results import Fold, ModelResult, RunConfig, in_class_order, predictions_and_scores
from imdb_baselines.run.tuning import search

__all__ = ["cross_validate", "fold_indices", "out_of_fold"]

logger = logging.getLogger(__name__)


def fold_indices(y: np.ndarray, folds: int, repeats: int = 1, seed: int = 0,
                 groups: np.ndarray | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each fit's (training, held-out) positions: ``repeats`` times ``folds`` stratified, shuffled folds; with
    ``groups``, scikit-learn's ``StratifiedGroupKFold`` (seeds ``seed``, ``seed + 1``...), each group in one fold.

    Examples
    --------
    >>> splits = fold_indices(np.array([0, 1] * 5), folds=5)
    >>> len(splits), sorted(np.concatenate([held for _, held in splits]).tolist()) == list(range(10))
    (5, True)
    """
    from sklearn.model_selection import RepeatedStratifiedKFold, StratifiedGroupKFold

    if groups is not None:
        return [split for repeat in range(repeats) for split in StratifiedGroupKFold(
            folds, shuffle=True, random_state=seed + repeat).split(np.zeros(len(y)), np.asarray(y), groups)]
    splitter = RepeatedStratifiedKFold(n_splits=folds, n_repeats=repeats, random_state=seed)
    return list(splitter.split(np.zeros(len(y)), np.asarray(y)))


def cross_validate(build: Callable[[dict[str, Any]], Any], name: str, X: corpus.PreparedTexts, y: np.ndarray,
                   config: RunConfig, *, classes, unlabelled: list[str] | None = None,
                   groups: np.ndarray | None = None) -> list[Fold]:
    """Fit and score ``name`` on every fold of ``(X, y)`` (see the module's description).

    Parameters
    ----------
    build : callable
        ``build(settings)``: the unfitted model with extra settings (``--set`` names) on top of the run's.
    name : str
        The model's catalogue name.
    X, y : the texts cross-validation divides and their labels
    config : RunConfig
        ``cv``, ``cv_repeats``, ``seed``, ``validation_size``, ``tune``, ``calibration``, ``jobs``.
    classes : sequence
        The data's classes in their order (the scores' columns follow it).
    unlabelled : list of str, optional
        Unlabelled texts, for the models that learn from them.
    groups : ndarray, optional
        Each text's group (``--group-column``): folds, validation carves and tuning folds keep a group whole.

    Returns
    -------
    list of Fold
        In order: repeat by repeat, fold by fold.
    """
    from joblib import Parallel, delayed

    splits = fold_indices(y, config.cv, config.cv_repeats, config.seed, groups)
    jobs = 1 if spec(name).takes_validation else max(1, min(config.jobs, len(splits)))
    bar = progress_bar(total=len(splits), desc=f"{name}: cross-validation, {len(splits)} fits", unit=" fits")
    started = time.perf_counter()
    folds: list[Fold] = []
    try:
        run = Parallel(n_jobs=jobs, return_as="generator", backend="loky" if jobs > 1 else "sequential")
        tasks = (delayed(_fold)(build, name, X, y, train, held, config, tuple(classes), unlabelled, jobs > 1, groups)
                 for train, held in splits)
        for i, fold in enumerate(run(tasks)):
            fold.repeat, fold.index = divmod(i, config.cv)
            folds.append(fold)
            bar.update(1)
    finally:
        bar.close()
    logger.info("%s: %d cross-validation fits on %d worker(s) in %.0f s", name, len(folds), jobs,
                time.perf_counter() - started)
    return folds


def _fold(build, name: str, X: corpus.PreparedTexts, y: np.ndarray, train: np.ndarray, held: np.ndarray,
          config: RunConfig, classes: tuple, unlabelled: list[str] | None, in_worker: bool,
          groups: np.ndarray | None = None) -> Fold:
    """One fold: carve, (tune,) fit, and score the held-out texts."""
    from imdb_baselines.corpus.progress import show_progress

    if in_worker:
        show_progress(False)  # the parent's bar counts the folds
    fit, carve = train, train[:0]
    labels, counts = np.unique(y[train], return_counts=True)
    carvable = math.ceil(config.validation_size * len(train)) >= len(labels) and counts.min() > 1
    if config.validation_size and carvable:
        keep, out = corpus.carve(y[train], config.validation_size, config.seed,
                                 None if groups is None else groups[train])
        fit, carve = train[keep], train[out]
    elif config.validation_size:
        logger.info("%s: a fold's training part of %d texts is too small for a validation carve; none taken", name,
                    len(train))
    X_fit, y_fit = X.take(fit), y[fit]
    validation = (X.take(carve), y[carve]) if len(carve) else None
    searched = search(build, name, X_fit, y_fit, config, fit_params=fit_params(name, unlabelled),
                      n_jobs=1 if in_worker else None, groups=None if groups is None else groups[fit])
    tuned = None if searched is None or not searched.grid else searched.best_params
    model = build(tuned or {})
    started = time.perf_counter()
    fit_model(model, name, X_fit, y_fit, validation, unlabelled)
    fit_s = time.perf_counter() - started
    X_held = X.take(held)
    started = time.perf_counter()
    raw = raw_scores(model, X_held)
    predict_s = time.perf_counter() - started
    positive = config.positive_label if config.positive_label is not None or len(classes) != 2 else classes[1]
    predictions, scores = predictions_and_scores(raw, model.classes_, positive)
    scores = in_class_order(scores, model.classes_, classes)
    probabilities, source = None, ""
    if config.calibration:
        model, probabilities, source = probabilities_for(model, X_held, raw, validation)
        probabilities = in_class_order(probabilities, model.classes_, classes)
    return Fold(held=np.asarray(held), y_true=y[held], predictions=predictions, scores=scores,
                probabilities=probabilities, probability_source=source, train_size=len(fit), fit_s=fit_s,
                predict_s=predict_s, tuned=tuned)


def out_of_fold(result: ModelResult, folds: list[Fold], n_texts: int) -> None:
    """Set ``result``'s predictions, scores and probabilities to the first repeat's out-of-fold ones (each text
    scored by the model of the fold that held it out), in the texts' order."""
    first = [fold for fold in folds if fold.repeat == 0]
    order = np.concatenate([fold.held for fold in first])
    position = np.empty(n_texts, dtype=np.int64)
    position[order] = np.arange(n_texts)

    def joined(parts: list[np.ndarray | None]) -> np.ndarray | None:
        if any(part is None for part in parts):
            return None
        return np.concatenate(parts)[position]

    result.predictions = joined([fold.predictions for fold in first])
    result.scores = joined([fold.scores for fold in first])
    result.probabilities = joined([fold.probabilities for fold in first])
    source = first[0].probability_source if result.probabilities is not None else ""
    result.probability_source = PROBABILITY_SOURCES["scaled_in_folds"] if source == PROBABILITY_SOURCES["scaled"] \
        else source
    result.predict_s = float(sum(fold.predict_s for fold in first))
