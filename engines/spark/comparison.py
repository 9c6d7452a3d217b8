"""A comparison on Spark: the same split and tokens as the local engine, the baselines as Spark ML, the same report.

Test predictions are small (a label and a score per text), so they are collected on the driver and the
report's metrics, intervals, McNemar tests and figures come from the local engine's own functions.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

import numpy as np

import corpus
from engines import SPARK_MODELS
from engines.spark.data import SparkData, read_spark_data
from engines.spark.models import describe_solver, make_spark_model
from engines.spark.preparation import TOKENS, add_tokens
from engines.spark.session import SparkOptions, describe_session, spark_session
from evaluation.comparison import Comparison, health_report, protected_inputs, write_run
from evaluation.metrics import bootstrap_intervals, evaluate
from evaluation.registry import resolved_settings
from evaluation.resources import PeakMemory
from evaluation.runner import ModelResult, Preparation, RunConfig, brier_score, predictions_and_scores
from evaluation.stops import RunStopped, signals_deferred
from storage import OwnedFolder

__all__ = ["SPARK_MODELS", "SparkOptions", "run_spark_comparison"]

logger = logging.getLogger(__name__)

def run_spark_comparison(config: RunConfig, options: SparkOptions | None = None, *, wait: bool = False,
                         session=None) -> Comparison:
    """Run ``config``'s baselines on Spark and write the report folder as :func:`evaluation.run_comparison` does.

    Parameters
    ----------
    config : RunConfig
        The run; its models must be among :data:`SPARK_MODELS`. ``tune``, ``repeats`` and ``save_models``
        are the local engine's (a Spark run fits each model once and keeps no model files).
    options : SparkOptions, optional
        Master URL, Spark settings (default ``local[2]``) and the linear models' solver.
    wait : bool, default=False
        Wait for another run writing the same report folder instead of failing.
    session : pyspark.sql.SparkSession, optional
        A session to use instead of starting one from ``options``.

    Returns
    -------
    Comparison

    Raises
    ------
    ValueError
        If a model is not one the Spark engine runs.
    storage.TargetError, corpus.DataError, RunStopped
        As for the local engine.
    """
    unknown = [name for name in config.models if name not in SPARK_MODELS]
    if unknown:
        raise ValueError(f"The Spark engine runs {', '.join(SPARK_MODELS)}; not {', '.join(unknown)}.")
    options = options or SparkOptions()
    session = session or spark_session(options)
    if config.out is None:
        return _run(config, session, None, options.solver)
    target = OwnedFolder(config.out, "report")
    with target.claimed(wait=wait, protect=protected_inputs(config)):
        return _run(config, session, target, options.solver)


def _run(config: RunConfig, session, target: OwnedFolder | None, solver: str) -> Comparison:
    started = time.perf_counter()
    primary = config.stopwords[0]
    data = read_spark_data(session, config.data, seed=config.seed, validation_size=config.validation_size,
                           stopwords=primary, sample=config.sample)
    logger.info("%s", data.corpus.summary())
    by_list: dict[str, list[ModelResult]] = {}
    splits_by_list: dict[str, corpus.Splits] = {}
    preparations: dict[str, Preparation] = {}
    stopped = None
    try:
        for stopwords in config.stopwords:
            splits = _splits_for(data.splits, stopwords)
            splits_by_list[stopwords] = splits
            by_list[stopwords], preparations[stopwords], stopped = _run_list(config, data, splits, stopwords, solver)
            if stopped:
                break
    finally:
        data.frame.unpersist()
    if stopped and not any(r.status == "ok" for results in by_list.values() for r in results):
        raise stopped
    warnings = health_report(by_list[primary], splits_by_list[primary])
    if target is not None:
        staging = target.stage()
        try:
            with signals_deferred():
                write_run(config, target, staging, data.corpus, by_list, splits_by_list, preparations[primary],
                          warnings, stopped, time.perf_counter() - started, shared_texts=data.shared_texts,
                          engine={**describe_session(session), "linear_models": describe_solver(solver)})
        except RunStopped as late:
            stopped = stopped or late
        finally:
            target.discard(staging)
        logger.info("Report written to %s", target.path / "report.md")
    return Comparison(target.path if target else None, by_list, stopped, warnings)


def _splits_for(splits: corpus.Splits, stopwords: str) -> corpus.Splits:
    """The same split under another stopword list (its fingerprint names the list)."""
    settings = corpus.TextPreprocessor(stopwords).settings
    return replace(splits, text_settings=settings, fingerprint=corpus.split_fingerprint(splits.keys, settings))


def _run_list(config: RunConfig, data: SparkData, splits: corpus.Splits, stopwords: str, solver: str):
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    with PeakMemory(0.2, children=True) as memory:
        begun = time.perf_counter()
        tokens = add_tokens(data.frame, stopwords).persist(StorageLevel.MEMORY_AND_DISK)
        counted = tokens.agg(F.sum(F.size(TOKENS)).alias("n")).first()["n"]
        words = tokens.where("split = 'train'").select(F.explode(TOKENS)).distinct().count()
        seconds = time.perf_counter() - begun
    preparation = Preparation(seconds=seconds, peak_memory_mib=memory.added_bytes / 2**20, tokens=int(counted or 0),
                              words=int(words))
    logger.info("Prepared %s tokens on Spark in %.1f s", f"{preparation.tokens:,}", seconds)
    results, stopped, vectorizers = [], None, {}
    try:
        for position, name in enumerate(config.models, start=1):
            logger.info("[%d/%d] %s on Spark (stopwords: %s)", position, len(config.models), name, stopwords)
            result = ModelResult(name=name, stopwords=stopwords)
            try:
                _fit_and_score(result, config, tokens, splits, vectorizers, solver)
            except KeyboardInterrupt as interrupt:
                stopped = RunStopped.from_interrupt(interrupt)
                result.status, result.error = "interrupted", stopped.describe()
                results.append(result)
                break
            except Exception as error:  # one model's failure must not lose the others
                result.status, result.error = "failed", describe_failure(error)
                logger.error("%s failed on Spark: %s", name, result.error)
            results.append(result)
    finally:
        tokens.unpersist()
    return results, preparation, stopped


def describe_failure(error: Exception) -> str:
    """One line for a model that failed on Spark; a JVM out of memory says which setting to raise.

    Examples
    --------
    >>> describe_failure(RuntimeError("java.lang.OutOfMemoryError: Java heap space"))[:60]
    'RuntimeError: the Spark JVM ran out of memory (java.lang.Out'
    >>> describe_failure(ValueError("no such column"))
    'ValueError: no such column'
    """
    text = str(error)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    memory = next((line for line in lines if "OutOfMemoryError" in line or "heap space" in line), None)
    if memory:
        return (f"{type(error).__name__}: the Spark JVM ran out of memory ({memory.lstrip(': ')[:120]}). In local "
                "mode raise --spark-driver-memory; on a cluster raise spark.driver.memory (the n-gram vocabulary is "
                "built on the driver) or spark.executor.memory, or keep fewer n-grams (--set MODEL.min_df=5)")
    return f"{type(error).__name__}: {lines[0] if lines else type(error).__name__}"


def _fit_and_score(result: ModelResult, config: RunConfig, tokens, splits: corpus.Splits,
                   vectorizers: dict, solver: str) -> None:
    settings = resolved_settings(result.name, config.settings.get(result.name))
    model = make_spark_model(result.name, settings, len(splits.classes), solver)
    with PeakMemory(0.2, children=True) as memory:
        started = time.perf_counter()
        model.fit(tokens.where("split = 'train'"), vectorizers=vectorizers)
        result.fit_s = time.perf_counter() - started
        started = time.perf_counter()
        scored = model.scores(tokens.where("split = 'test'")).select("key", "scores", "probability").toPandas()
        result.predict_s = time.perf_counter() - started
    result.peak_memory_mib = memory.added_bytes / 2**20
    scored = scored.set_index("key").reindex(splits.keys["test"])
    raw = np.vstack(scored["scores"].to_numpy())
    raw = raw[:, 0] if raw.shape[1] == 1 else raw
    classes = np.asarray(splits.classes)
    result.predictions, result.scores = predictions_and_scores(raw, classes, config.positive_label)
    if config.calibration and scored["probability"].notna().all():
        result.probabilities = np.vstack(scored["probability"].to_numpy())
        result.probability_source = "the model's own"
        result.brier = brier_score(splits.y_test, result.probabilities, classes)
    options = {"classes": splits.classes, "positive": config.positive_label}
    result.metrics = evaluate(splits.y_test, result.predictions, result.scores, **options)
    if config.n_resamples:
        result.intervals = bootstrap_intervals(splits.y_test, result.predictions, result.scores,
                                               n_resamples=config.n_resamples, seed=config.seed, **options)
    result.throughput = len(splits.keys["test"]) / max(result.predict_s, 1e-9)
    logger.info("%s on Spark: accuracy %.4f, fit %.1f s, predict %.1f s", result.name, result.metrics["accuracy"],
                result.fit_s, result.predict_s)
