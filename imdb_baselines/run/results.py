"""What a run is asked to do (:class:`RunConfig`) and what it gives back, whichever engine runs it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from imdb_baselines import corpus
from imdb_baselines.run.stops import RunStopped

__all__ = ["Finished", "Fold", "Loaded", "ModelResult", "ModelRuns", "Preparation", "RunConfig", "in_class_order",
           "predictions_and_scores"]


@dataclass(frozen=True)
class RunConfig:
    """Everything that defines a comparison run."""

    models: tuple[str, ...]  # registered model names, in run order
    stopwords: tuple[str, ...]  # stopword lists; the first is the primary one
    out: Path | None  # the report folder; None: no report (the Python leaderboard only)
    data: corpus.DataSource = field(default_factory=corpus.DataSource)  # IMDB (the default) or the user's files
    seed: int = 0  # seed of the carves (test, validation), the models and the bootstrap
    validation_size: float = 0.1  # share of the training split carved out for validation
    sample: int | None = None  # texts per split (stratified) for a quick look; None: all
    neural_overrides: dict[str, Any] = field(default_factory=dict)  # applied to every neural model
    n_resamples: int = 1000  # bootstrap replicates per confidence interval; 0: no intervals
    positive_label: Any = None  # the positive class of two-class data; None: the second in sorted order
    repeats: int = 1  # seeds each model that uses one is trained with (the split stays); 1: the run's seed only
    sort_by: str = "accuracy"  # the leaderboard's order: a metric (best first) or a cost (cheapest first)
    save_models: bool = True  # keep each finished model in the report folder, models/NAME (primary stopword list)
    tune: bool | None = None  # search each model's grid by cross-validation on the training split first:
    # True every model's (--tune), False none (--no-tune), None the baselines' grids cheap on the training set
    calibration: bool = True  # test probabilities and Brier scores; margin-only models calibrated on validation
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)  # per model, from --set MODEL.KEY=VALUE
    command: str = ""  # the command line, for the provenance section
    cv: int = 0  # folds of cross-validation before the main fit (--cv); 0: none
    cv_repeats: int = 1  # times the folds are drawn anew (--cv-repeats)
    jobs: int = 1  # folds fitted at a time (--jobs); the neural models take one at a time
    time_limit: float | None = None  # seconds a model's folds, tuning, fit and prediction may take; None: no limit
    tune_metric: str = "accuracy"  # what --tune optimises
    grids: dict[str, dict[str, list]] = field(default_factory=dict)  # per model, settings' values replaced (--grid)


@dataclass
class Fold:
    """One cross-validation fit: trained without its held-out texts, then scored on them."""

    held: np.ndarray  # positions of the held-out texts among those cross-validation divides
    y_true: np.ndarray  # their labels
    predictions: np.ndarray  # the fold model's labels for them
    scores: np.ndarray  # its scores (of the positive class, or (n, k) in the data's class order)
    probabilities: np.ndarray | None = None  # its probabilities (n, k), where it has them
    probability_source: str = ""  # where they come from
    train_size: int = 0  # texts it was fitted on (the fold's training part less its validation carve)
    fit_s: float = 0.0  # wall seconds of its fit
    predict_s: float = 0.0  # wall seconds to score the held-out texts
    tuned: dict[str, Any] | None = None  # the settings --tune chose inside the fold
    repeat: int = 0  # which drawing of the folds (--cv-repeats)
    index: int = 0  # which fold of that drawing
    metrics: dict[str, float] = field(default_factory=dict)  # every metric on the held-out texts (the evaluation's)


@dataclass
class ModelResult:
    """One model's outcome on one stopword list."""

    name: str  # registered model name
    stopwords: str  # the stopword list it ran with
    status: str = "ok"  # "ok", "failed", "timed out" (--time-limit) or "interrupted"
    error: str = ""  # the exception, if it failed
    metrics: dict[str, Any] = field(default_factory=dict)  # evaluate() on the test set
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)  # bootstrap CIs (none if 0 resamples)
    fit_s: float = 0.0  # wall seconds of fit
    predict_s: float = 0.0  # wall seconds to score the test set
    throughput: float = 0.0  # test reviews scored per second
    peak_memory_mib: float = 0.0  # peak resident memory added while fitting and predicting
    model_bytes: int = 0  # size of the saved fitted model
    history: dict[str, list[float]] | None = None  # Keras training history, neural models only
    top_features: list[dict] | None = None  # a baseline's strongest n-grams each way (or towards each class)
    seed_accuracies: list[float] | None = None  # test accuracy with each seed of --repeats (the first is the run's)
    probabilities: np.ndarray | None = None  # test probabilities (n, k), the model's own or calibrated
    tuning: Any = None  # evaluation.tuning.Tuning of a --tune run
    probability_source: str = ""  # where the probabilities come from
    brier: float | None = None  # Brier score of the probabilities (two classes: scikit-learn's; more: summed)
    predictions: np.ndarray | None = None  # hard test predictions (labels)
    scores: np.ndarray | None = None  # test scores: of the positive class (two classes), or (n, k)
    folds: list[Fold] | None = None  # the cross-validation fits of --cv, repeat by repeat
    taken_members: list[str] | None = None  # a stack's members taken from the run's own fits (in its fit_s)

    @property
    def search_s(self) -> float | None:
        """The seconds the cross-validated search of its settings took, or None if they were not searched."""
        return self.tuning.seconds if self.tuning is not None and self.tuning.folds else None


@dataclass
class Preparation:
    """The shared text preparation of one run: each split tokenized once for every model."""

    seconds: float = 0.0  # wall time to normalise, tokenize and filter every split
    peak_memory_mib: float = 0.0  # resident memory added meanwhile
    tokens: int = 0  # tokens kept after stopword filtering, all splits together
    words: int = 0  # distinct words of the training split


@dataclass
class ModelRuns:
    """What :func:`run_models` returns for one stopword list."""

    results: list[ModelResult]  # one per model that started, failed and stopped ones included
    preparation: Preparation  # the shared preparation's cost
    stopped: RunStopped | None = None  # how the run was stopped, if it was


@dataclass(frozen=True)
class Loaded:
    """A run's data as an engine loaded it: the texts' description and one split per stopword list."""

    data: corpus.TextCorpus  # name, source, checksum, notes, classes (an engine may keep the texts elsewhere)
    splits: dict[str, corpus.Splits]  # per stopword list, the primary first: the same keys, labels and carve
    shared_texts: int | None = None  # test texts also in training, when ``data`` does not hold the texts


#: Called by an engine for each model as soon as it has its test predictions: ``finished(result, model)``,
#: ``model`` being the fitted estimator (None where it lives elsewhere, as on Spark). The comparison scores the
#: result there and saves the model, while the engine goes on with the next one.
Finished = Callable[[ModelResult, Any], None]


def predictions_and_scores(raw: np.ndarray, classes: np.ndarray, positive=None) -> tuple[np.ndarray, np.ndarray]:
    """Hard predictions and the scores metrics use, from a model's decision values or probabilities.

    Parameters
    ----------
    raw : ndarray
        ``decision_function`` (shape (n,) for two classes, (n, k) for more)
        or ``predict_proba`` (shape (n, k)) on the test texts.
    classes : ndarray
        The model's ``classes_``.
    positive : label, optional
        The positive class of a two-class problem (default ``classes[1]``).

    Returns
    -------
    predictions : ndarray
        Labels (values of ``classes``).
    scores : ndarray
        Two classes: one score per text, higher meaning ``positive``. More:
        the (n, k) scores, columns in ``classes`` order.
    """
    raw = np.asarray(raw, dtype=float)
    probabilities = raw.ndim == 2 and len(classes) == 2  # predict_proba of a two-class model
    if raw.ndim == 1 or probabilities:
        second = raw[:, 1] if probabilities else raw
        threshold = 0.5 if probabilities else 0.0
        predictions = classes[(second > threshold).astype(int)]
        flip = positive is not None and positive == classes[0]
        scores = (1.0 - second if probabilities else -second) if flip else second
        return predictions, scores
    return classes[raw.argmax(axis=1)], raw


def in_class_order(values: np.ndarray | None, model_classes, classes) -> np.ndarray | None:
    """(n, k) ``values`` whose columns follow ``model_classes`` (a model's sorted ``classes_``), reordered to
    ``classes`` (the data's order, e.g. a five-point scale); one-column scores and None pass through.

    Examples
    --------
    >>> in_class_order(np.array([[0.1, 0.2, 0.7]]), ["a", "b", "c"], ["c", "a", "b"]).tolist()
    [[0.7, 0.1, 0.2]]
    """
    if values is None or np.ndim(values) != 2 or list(model_classes) == list(classes):
        return values
    position = {c: i for i, c in enumerate(list(model_classes))}
    return np.asarray(values)[:, [position[c] for c in classes]]
