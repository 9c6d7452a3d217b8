"""Run models on identical splits and collect everything a report needs."""

from __future__ import annotations

import contextlib
import logging
import os
import time
import traceback
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import corpus
from corpus.progress import Stage, progress_bar, stage
from evaluation.metrics import bootstrap_intervals, evaluate
from evaluation.registry import is_neural, make_model, uses_seed, uses_unlabelled
from evaluation.resources import PeakMemory, saved_size_bytes
from evaluation.stops import RunStopped
from modelfiles import probabilities_from_scores, write_model_files
from storage import pause_point

__all__ = ["ModelResult", "ModelRuns", "Preparation", "RunConfig", "brier_score", "predictions_and_scores",
           "run_models"]

logger = logging.getLogger(__name__)


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
    tune: bool = False  # search each model's grid by cross-validation on the training split first (--tune)
    calibration: bool = True  # test probabilities and Brier scores; margin-only models calibrated on validation
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)  # per model, from --set MODEL.KEY=VALUE
    command: str = ""  # the command line, for the provenance section


@dataclass
class ModelResult:
    """One model's outcome on one stopword list."""

    name: str  # registered model name
    stopwords: str  # the stopword list it ran with
    status: str = "ok"  # "ok", "failed" or "interrupted"
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


def run_models(config: RunConfig, splits: corpus.Splits, stopwords: str, models_dir: Path | None = None,
               details: dict[str, Any] | None = None, *, unlabelled: list[str] | None = None) -> ModelRuns:
    """Prepare the splits' texts once, then fit and evaluate every model of ``config`` on them.

    The n-gram counts the classical models share are released as soon as no
    remaining model needs them, and the prepared texts when the last model
    is done. If the run is stopped (Ctrl-C or SIGTERM), the remaining models
    are skipped. With ``models_dir``, each finished model is saved into
    ``models_dir/NAME`` (see :mod:`modelfiles`), its manifest holding
    ``details`` and the model's test metrics. ``unlabelled`` texts (IMDB's train/unsup) serve the models
    that learn from them (:func:`evaluation.registry.uses_unlabelled`).
    """
    results: list[ModelResult] = []
    try:
        prepared, preparation = _prepare(splits, stopwords)
    except KeyboardInterrupt as interrupt:
        return ModelRuns(results, Preparation(), RunStopped.from_interrupt(interrupt))
    overall = progress_bar(total=len(config.models), desc=f"Models (stopwords: {stopwords})",
                           bar_format="{desc} {n_fmt}/{total_fmt} done, {elapsed} elapsed")
    with ThreadPoolExecutor(1, thread_name_prefix="save") if models_dir else contextlib.nullcontext() as saver:
        runs = _run_each(config, splits, stopwords, prepared, preparation, overall, models_dir, details, saver,
                         unlabelled)
    for result, saving in runs.pop("saving"):
        try:
            result.model_bytes = saving.result()
        except Exception as error:  # the model was evaluated; only its file is missing
            logger.error("Saving %s failed: %s", result.name, error)
            result.error = f"not saved: {type(error).__name__}: {error}"
    overall.close()
    return ModelRuns(**runs)


def _run_each(config: RunConfig, splits: corpus.Splits, stopwords: str, prepared: dict[str, corpus.PreparedTexts],
              preparation: Preparation, overall, models_dir: Path | None, details: dict[str, Any] | None,
              saver: ThreadPoolExecutor | None, unlabelled: list[str] | None) -> dict[str, Any]:
    results: list[ModelResult] = []
    savings = []
    for position, name in enumerate(config.models, start=1):
        logger.info("[%d/%d] %s (stopwords: %s)", position, len(config.models), name, stopwords)
        result = ModelResult(name=name, stopwords=stopwords)
        try:
            with stage(f"[{position}/{len(config.models)}] {name}", "fitting", companions=(overall,)) as step:
                saving = _fit_and_score(result, config, splits, prepared, stopwords, step, models_dir, details,
                                        saver, unlabelled)
            if saving is not None:
                savings.append((result, saving))
        except KeyboardInterrupt as interrupt:
            stop = RunStopped.from_interrupt(interrupt)
            result.status, result.error = "interrupted", stop.describe()
            results.append(result)
            logger.warning("%s %s; the models that finished are reported", name, stop.describe())
            return {"results": results, "preparation": preparation, "stopped": stop, "saving": savings}
        except Exception as error:  # one model's failure must not lose the others
            result.status = "failed"
            result.error = f"{type(error).__name__}: {error}"
            logger.error("%s failed: %s\n%s", name, result.error, traceback.format_exc(limit=3))
        results.append(result)
        overall.update()
        if all(is_neural(later) for later in config.models[position:]):
            for texts in prepared.values():
                texts.release()  # the n-gram counts: no classical model is left to use them
    return {"results": results, "preparation": preparation, "stopped": None, "saving": savings}


def _prepare(splits: corpus.Splits, stopwords: str) -> tuple[dict[str, corpus.PreparedTexts], Preparation]:
    preprocessor = corpus.TextPreprocessor(stopwords)
    logger.info("Preparing the texts once for every model (stopwords: %s)", stopwords)
    with PeakMemory() as memory:
        started = time.perf_counter()
        prepared = {name: corpus.prepare(texts, preprocessor, n_jobs=min(2, os.cpu_count() or 1))
                    for name, texts in (("train", splits.X_train), ("validation", splits.X_val),
                                        ("test", splits.X_test)) if len(texts)}
        seconds = time.perf_counter() - started
    preparation = Preparation(seconds=seconds, peak_memory_mib=memory.added_bytes / 2**20,
                              tokens=sum(len(p.ids) for p in prepared.values()), words=len(prepared["train"].words))
    logger.info("Prepared %d tokens in %.1f s", preparation.tokens, seconds)
    return prepared, preparation


def _fit_and_score(result: ModelResult, config: RunConfig, splits: corpus.Splits,
                   prepared: dict[str, corpus.PreparedTexts], stopwords: str, step: Stage,
                   models_dir: Path | None = None, details: dict[str, Any] | None = None,
                   saver: ThreadPoolExecutor | None = None, unlabelled: list[str] | None = None) -> Future | None:
    saving = None
    model = make_model(result.name, stopwords=stopwords, seed=config.seed,
                       neural_overrides=config.neural_overrides, settings=config.settings.get(result.name))
    if config.tune:
        from evaluation.tuning import tune

        step.phase("tuning")
        result.tuning = tune(model, result.name, prepared["train"], splits.y_train,
                             neural=is_neural(result.name), fixed=config.settings.get(result.name),
                             fit_params=_fit_params(result.name, unlabelled))
        model.set_params(**result.tuning.best_params)
    with PeakMemory() as memory:
        pause_point(f"fit-{result.name}")
        started = time.perf_counter()
        _fit(model, result.name, splits, prepared, unlabelled)
        result.fit_s = time.perf_counter() - started
        step.phase("predicting")
        started = time.perf_counter()
        raw = _scores(model, prepared["test"])
        result.predict_s = time.perf_counter() - started
    result.predictions, result.scores = predictions_and_scores(raw, model.classes_, config.positive_label)
    base = model
    if config.calibration:
        model = _with_probabilities(model, result, splits, prepared, raw)  # calibrated if it had to be
    result.throughput = len(splits.X_test) / max(result.predict_s, 1e-9)
    result.peak_memory_mib = memory.added_bytes / 2**20
    options = {"classes": splits.classes, "positive": config.positive_label}
    result.metrics = evaluate(splits.y_test, result.predictions, result.scores, **options)
    step.phase("intervals and size")
    if config.n_resamples:
        result.intervals = bootstrap_intervals(splits.y_test, result.predictions, result.scores,
                                               n_resamples=config.n_resamples, seed=config.seed, **options)
    if saver is not None:  # written while the next model trains; run_models collects the size
        metrics = {k: v for k, v in result.metrics.items() if isinstance(v, float)}
        saving = saver.submit(write_model_files, model, models_dir / result.name, name=result.name,
                              details={**(details or {}), "test_metrics": metrics})
    else:
        result.model_bytes = saved_size_bytes(model)
    result.history = getattr(base, "history_", None)
    result.top_features = _top_features(base)
    logger.info("%s: accuracy %.4f, fit %.1f s, predict %.1f s", result.name, result.metrics["accuracy"],
                result.fit_s, result.predict_s)
    del model, base
    if config.repeats > 1 and uses_seed(result.name):
        result.seed_accuracies = [result.metrics["accuracy"]]
        for repeat in range(1, config.repeats):
            step.phase(f"retraining with seed {config.seed + repeat} ({repeat + 1}/{config.repeats})")
            again = make_model(result.name, stopwords=stopwords, seed=config.seed + repeat,
                               neural_overrides=config.neural_overrides, settings=config.settings.get(result.name))
            _fit(again, result.name, splits, prepared, unlabelled)
            predictions, _ = predictions_and_scores(_scores(again, prepared["test"]), again.classes_,
                                                    config.positive_label)
            result.seed_accuracies.append(float(np.mean(predictions == splits.y_test)))
        logger.info("%s over %d seeds: accuracy %s", result.name, config.repeats,
                    ", ".join(f"{a:.4f}" for a in result.seed_accuracies))
    return saving


def _with_probabilities(model, result: ModelResult, splits: corpus.Splits,
                        prepared: dict[str, corpus.PreparedTexts], raw: np.ndarray):
    """The model's test probabilities and Brier score; a model with only margins is calibrated first.

    A model without ``predict_proba`` (the linear SVM, NBSVM) gets a sigmoid fitted on the validation split
    only (``CalibratedClassifierCV`` around the frozen model), so the test set stays untouched; the calibrated
    model is returned (it is the one saved). Without a validation split there are no probabilities.
    """
    calibrated = False
    if hasattr(model, "predict_proba"):
        result.probability_source = "the model's own"
    elif "validation" in prepared and pd.Series(splits.y_val).value_counts().min() >= 2:
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.frozen import FrozenEstimator

        # The frozen model scores every fold alike; the folds only need each class twice.
        folds = int(min(5, pd.Series(splits.y_val).value_counts().min()))
        model = CalibratedClassifierCV(FrozenEstimator(model), method="sigmoid", cv=folds).fit(
            prepared["validation"], splits.y_val)
        result.probability_source = "sigmoid calibration on the validation split"
        calibrated = True
    else:
        return model
    result.probabilities = probabilities_from_scores(model, raw) if calibrated else \
        np.asarray(model.predict_proba(prepared["test"]), dtype=float)
    result.brier = brier_score(splits.y_test, result.probabilities, model.classes_)
    return model


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


def _fit_params(name: str, unlabelled: list[str] | None) -> dict[str, Any]:
    """``unlabelled`` for the models that learn from unlabelled texts (their fit refuses None clearly)."""
    return {"unlabelled": unlabelled} if uses_unlabelled(name) else {}


def _fit(model, name: str, splits: corpus.Splits, prepared: dict[str, corpus.PreparedTexts],
         unlabelled: list[str] | None = None) -> None:
    extra = _fit_params(name, unlabelled)
    if is_neural(name) and "validation" in prepared:
        model.fit(prepared["train"], splits.y_train, validation_data=(prepared["validation"], splits.y_val), **extra)
    elif is_neural(name):  # no validation split: train on the same texts as the baselines
        model.set_params(validation_size=0.0).fit(prepared["train"], splits.y_train, **extra)
    else:
        model.fit(prepared["train"], splits.y_train)


def _scores(model, X_test: corpus.PreparedTexts) -> np.ndarray:
    return model.decision_function(X_test) if hasattr(model, "decision_function") else model.predict_proba(X_test)


def _top_features(model, n: int = 10) -> list[dict] | None:
    """The n-grams a fitted baseline weighs most each way, or towards each class (None for other models)."""
    from baselines import top_features

    if not hasattr(model, "steps"):
        return None
    table = top_features(model, n=n)
    return table.assign(weight=table["weight"].round(4)).to_dict(orient="records")


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
