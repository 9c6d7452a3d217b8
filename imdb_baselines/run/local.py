"""The local engine: every model in this process, on splits prepared once, one after another."""

from __future__ import annotations

import logging
import os
import time
import traceback
from typing import Any

import numpy as np

from imdb_baselines import corpus
from imdb_baselines.catalog import fit_model, fit_params, is_neural, make_model, spec, uses_seed, uses_unlabelled
from imdb_baselines.corpus.progress import Stage, progress_bar, stage
from imdb_baselines.run.calibration import calibrate
from imdb_baselines.run.fitting import probabilities_for, raw_scores
from imdb_baselines.run.members import FittedMembers
from imdb_baselines.run.resources import PeakMemory
from imdb_baselines.run.results import (
    Finished,
    Loaded,
    ModelResult,
    ModelRuns,
    Preparation,
    RunConfig,
    in_class_order,
    predictions_and_scores,
)
from imdb_baselines.run.stops import ModelTimeoutError, RunStopped, time_limit
from imdb_baselines.run.tuning import search
from imdb_baselines.storage import pause_point

__all__ = ["LocalEngine", "run_models", "top_features_table"]

logger = logging.getLogger(__name__)


class LocalEngine:
    """Load and split the texts here, and fit every model in this process (the default engine)."""

    name = "local"
    keeps_groups = True  # --group-column keeps each group on one side of the splits

    def load(self, config: RunConfig, data: corpus.TextCorpus | None = None) -> Loaded:
        """The run's texts (``data``, or read from ``config.data``) and one split per stopword list.

        Every split is made, and so checked, before the first model trains.
        """
        if data is None:
            unlabelled = any(uses_unlabelled(name, config.settings.get(name)) for name in config.models)
            data = config.data.load(seed=config.seed, include_unsup=unlabelled)
        if config.sample:
            data = corpus.sample_corpus(data, config.sample, seed=config.seed)
        logger.info("%s", data.summary())
        splits = {stopwords: corpus.make_splits(data, validation_size=config.validation_size, seed=config.seed,
                                                stopwords=stopwords, group_column=config.data.group_column)
                  for stopwords in config.stopwords}
        return Loaded(data, splits)

    def run_models(self, config: RunConfig, loaded: Loaded, stopwords: str, finished: Finished | None = None) -> (
            ModelRuns):
        """Fit and score every model of ``config`` on the split of ``stopwords`` (see :func:`run_models`)."""
        data = loaded.data
        unlabelled = data.unsup["text"].tolist() if data.unsup is not None else None
        return run_models(config, loaded.splits[stopwords], stopwords, finished=finished, unlabelled=unlabelled)

    def provenance(self) -> dict[str, Any]:
        """The engine, for the report's provenance."""
        return {"engine": "local"}

    def close(self) -> None:
        """Nothing to release: the models ran in this process."""


def run_models(config: RunConfig, splits: corpus.Splits, stopwords: str, *, finished: Finished | None = None,
               unlabelled: list[str] | None = None) -> ModelRuns:
    """Prepare the splits' texts once, then fit and score every model of ``config`` on them.

    The n-gram counts the classical models share are released as soon as no
    remaining model needs them, and the prepared texts when the last model
    is done. If the run is stopped (Ctrl-C or SIGTERM), the remaining models
    are skipped. Each model's result is handed to ``finished(result, model)`` as soon as it has its test
    predictions (the comparison scores it and saves the model there). ``unlabelled`` texts (IMDB's
    train/unsup) serve the models that learn from them (:func:`imdb_baselines.catalog.uses_unlabelled`).
    """
    results: list[ModelResult] = []
    try:
        prepared, preparation = _prepare(splits, stopwords)
    except KeyboardInterrupt as interrupt:
        return ModelRuns(results, Preparation(), RunStopped.from_interrupt(interrupt))
    overall = progress_bar(total=len(config.models), desc=f"Models (stopwords: {stopwords})",
                           bar_format="{desc} {n_fmt}/{total_fmt} done, {elapsed} elapsed")
    try:
        return _run_each(config, splits, stopwords, prepared, preparation, overall, finished, unlabelled)
    finally:
        overall.close()


def _run_each(config: RunConfig, splits: corpus.Splits, stopwords: str, prepared: dict[str, corpus.PreparedTexts],
              preparation: Preparation, overall, finished: Finished | None, unlabelled: list[str] | None) -> ModelRuns:
    results: list[ModelResult] = []
    members = FittedMembers(config.models, config.settings)
    for position, name in enumerate(config.models, start=1):
        logger.info("[%d/%d] %s (stopwords: %s)", position, len(config.models), name, stopwords)
        result = ModelResult(name=name, stopwords=stopwords)
        try:
            with stage(f"[{position}/{len(config.models)}] {name}", "fitting", companions=(overall,)) as step:
                _fit_and_score(result, config, splits, prepared, stopwords, step, finished, unlabelled, members)
        except KeyboardInterrupt as interrupt:
            stop = RunStopped.from_interrupt(interrupt)
            result.status, result.error = "interrupted", stop.describe()
            results.append(result)
            logger.warning("%s %s; the models that finished are reported", name, stop.describe())
            return ModelRuns(results, preparation, stop)
        except ModelTimeoutError as timeout:  # the others go on
            result.status, result.error = "timed out", str(timeout)
            logger.error("%s %s", name, timeout)
        except Exception as error:  # one model's failure must not lose the others
            result.status = "failed"
            result.error = f"{type(error).__name__}: {error}"
            logger.error("%s failed: %s\n%s", name, result.error, traceback.format_exc(limit=3))
        results.append(result)
        members.done(position - 1)
        overall.update()
        if all(is_neural(later) for later in config.models[position:]):
            for texts in prepared.values():
                texts.release()  # the n-gram counts: no classical model is left to use them
    return ModelRuns(results, preparation, None)


def _prepare(splits: corpus.Splits, stopwords: str) -> tuple[dict[str, corpus.PreparedTexts], Preparation]:
    preprocessor = corpus.TextPreprocessor(stopwords)
    logger.info("Preparing the texts once for every model (stopwords: %s)", stopwords)
    with PeakMemory() as memory:
        started = time.perf_counter()
        if splits.out_of_fold:  # the "test" texts are every labelled text: prepare them once, take the rest
            every = corpus.prepare(splits.X_test, preprocessor, n_jobs=min(2, os.cpu_count() or 1))
            position = {key: i for i, key in enumerate(splits.keys["test"])}
            prepared = {name: every.take([position[key] for key in splits.keys[name]])
                        for name in ("train", "validation") if splits.keys[name]}
            prepared["test"] = every
        else:
            prepared = {name: corpus.prepare(texts, preprocessor, n_jobs=min(2, os.cpu_count() or 1))
                        for name, texts in (("train", splits.X_train), ("validation", splits.X_val),
                                            ("test", splits.X_test)) if len(texts)}
        seconds = time.perf_counter() - started
    preparation = Preparation(seconds=seconds, peak_memory_mib=memory.added_bytes / 2**20,
                              tokens=sum(len(p.ids) for p in prepared.values()), words=len(prepared["train"].words))
    logger.info("Prepared %s tokens in %.1f s", f"{preparation.tokens:,}", seconds)
    return prepared, preparation


def _fit_and_score(result: ModelResult, config: RunConfig, splits: corpus.Splits,
                   prepared: dict[str, corpus.PreparedTexts], stopwords: str, step: Stage,
                   finished: Finished | None = None, unlabelled: list[str] | None = None,
                   members: FittedMembers | None = None) -> None:
    fixed = config.settings.get(result.name) or {}

    def build(settings: dict[str, Any]):
        return make_model(result.name, stopwords=stopwords, seed=config.seed,
                          neural_overrides=config.neural_overrides, settings={**fixed, **settings})

    if config.time_limit and spec(result.name).takes_validation:
        import keras  # noqa: F401 - imported before the clock starts: an import cut short would break the next model
    with time_limit(config.time_limit):  # folds, tuning, the fit and the test predictions
        model = _train(result, config, splits, prepared, step, unlabelled, build, members)
    step.phase("intervals and size")
    if finished is not None:
        finished(result, model)  # scored and saved by the comparison while this engine goes on
    del model
    if config.repeats > 1 and uses_seed(result.name):
        _other_seeds(result, config, splits, prepared, stopwords, step, unlabelled, members)


def _train(result: ModelResult, config: RunConfig, splits: corpus.Splits, prepared: dict[str, corpus.PreparedTexts],
           step: Stage, unlabelled: list[str] | None, build, members: FittedMembers | None = None):
    """Cross-validate, tune, fit and predict ``result``'s model, filling ``result``; the model to keep."""
    if config.cv:
        from imdb_baselines.run.folds import cross_validate, out_of_fold

        step.phase(f"cross-validating ({config.cv} folds" + (f" × {config.cv_repeats}" if config.cv_repeats > 1
                                                             else "") + ")")
        X_pool, y_pool, groups = _pool(splits, prepared)
        result.folds = cross_validate(build, result.name, X_pool, y_pool, config, classes=splits.classes,
                                      unlabelled=unlabelled, groups=groups)
        if splits.out_of_fold:  # no test set: the figures are the folds' scores of the texts they did not see
            out_of_fold(result, result.folds, len(y_pool))
    validation = (prepared["validation"], splits.y_val) if "validation" in prepared else None
    if config.tune is not False:
        step.phase("tuning")
    result.tuning = search(build, result.name, prepared["train"], splits.y_train, config,
                           fit_params=fit_params(result.name, unlabelled), groups=splits.groups.get("train"))
    model = build(result.tuning.best_params if result.tuning is not None else {})
    with PeakMemory() as memory:
        pause_point(f"fit-{result.name}")
        step.phase("fitting on the whole training split" if config.cv else "fitting")
        result.fit_s = _fit(model, result, config.seed, prepared["train"], splits.y_train, validation, unlabelled,
                            members)
        if not splits.out_of_fold:
            step.phase("predicting")
            started = time.perf_counter()
            raw = raw_scores(model, prepared["test"])
            result.predict_s = time.perf_counter() - started
    base = model
    if splits.out_of_fold:
        if config.calibration and validation is not None and not hasattr(model, "predict_proba"):
            model = calibrate(model, *validation) or model  # the kept model's scale, from its validation carve
    else:
        positive = config.positive_label if config.positive_label is not None or len(splits.classes) != 2 else \
            splits.classes[1]
        result.predictions, result.scores = predictions_and_scores(raw, model.classes_, positive)
        result.scores = in_class_order(result.scores, model.classes_, splits.classes)  # the data's class order
        if config.calibration:  # calibrated if it had to be
            model, probabilities, result.probability_source = probabilities_for(model, prepared["test"], raw,
                                                                                 validation)
            result.probabilities = in_class_order(probabilities, model.classes_, splits.classes)
    result.throughput = len(splits.X_test) / max(result.predict_s, 1e-9)
    result.peak_memory_mib = memory.added_bytes / 2**20
    result.history = getattr(base, "history_", None)
    result.top_features = None if spec(result.name).is_custom else top_features_table(base)
    return model


def _fit(model, result: ModelResult, seed: int, X, y, validation, unlabelled: list[str] | None,
         members: FittedMembers | None) -> float:
    """Fit ``model``, ``result``'s model with ``seed``; its fit seconds, those of the members a stack took from
    the run's own fits included. The fit is kept for a later stack that may take it."""
    started = time.perf_counter()
    fit_model(model, result.name, X, y, validation, unlabelled,
              fitted_members=members.for_seed(seed) if members is not None else None)
    seconds = time.perf_counter() - started
    taken = getattr(model, "taken_members_", None)
    if taken:
        result.taken_members = list(taken)
        seconds += sum(model.member_seconds_[name] for name in taken)
    if members is not None:
        members.offer(result.name, seed, model, seconds)
    return seconds


def _other_seeds(result: ModelResult, config: RunConfig, splits: corpus.Splits,
                 prepared: dict[str, corpus.PreparedTexts], stopwords: str, step: Stage,
                 unlabelled: list[str] | None, members: FittedMembers | None = None) -> None:
    """``--repeats``: the model trained again with the next seeds, each one's test accuracy kept."""
    fixed = config.settings.get(result.name) or {}
    validation = (prepared["validation"], splits.y_val) if "validation" in prepared else None
    result.seed_accuracies = [float(np.mean(result.predictions == splits.y_test))]
    for repeat in range(1, config.repeats):
        step.phase(f"retraining with seed {config.seed + repeat} ({repeat + 1}/{config.repeats})")
        tuned = result.tuning.best_params if result.tuning is not None else {}
        again = make_model(result.name, stopwords=stopwords, seed=config.seed + repeat,
                           neural_overrides=config.neural_overrides, settings={**fixed, **tuned})
        _fit(again, result, config.seed + repeat, prepared["train"], splits.y_train, validation, unlabelled, members)
        predictions, _ = predictions_and_scores(raw_scores(again, prepared["test"]), again.classes_,
                                                config.positive_label)
        result.seed_accuracies.append(float(np.mean(predictions == splits.y_test)))
    logger.info("%s over %d seeds: accuracy %s", result.name, config.repeats,
                ", ".join(f"{a:.4f}" for a in result.seed_accuracies))


def _pool(splits: corpus.Splits, prepared: dict[str, corpus.PreparedTexts]) -> tuple[
        corpus.PreparedTexts, np.ndarray, np.ndarray | None]:
    """The texts cross-validation divides, their labels and groups (None without): every labelled text
    without a test set, else the training data (the training split and its validation carve together)."""
    groups = splits.groups
    if splits.out_of_fold:
        return prepared["test"], splits.y_test, groups.get("test")
    if "validation" not in prepared:
        return prepared["train"], splits.y_train, groups.get("train")
    return (corpus.PreparedTexts.concatenate(prepared["train"], prepared["validation"]),
            np.concatenate([splits.y_train, splits.y_val]),
            np.concatenate([groups["train"], groups["validation"]]) if groups else None)


def top_features_table(model, n: int = 10) -> list[dict] | None:
    """The n-grams a fitted baseline weighs most each way, or towards each class (None for other models)."""
    from baselines import top_features

    if not hasattr(model, "steps"):
        return None
    table = top_features(model, n=n)
    return table.assign(weight=table["weight"].round(4)).to_dict(orient="records")
