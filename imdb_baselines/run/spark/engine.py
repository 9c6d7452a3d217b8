"""The Spark engine: the same split and tokens as the local engine, the baselines as Spark ML stages.

Test predictions are small (a label and a score per text), so they are collected on the driver, and the
comparison scores and reports them as it does the local engine's.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np

from imdb_baselines import corpus
from imdb_baselines.catalog import models_on, resolved_settings
from imdb_baselines.run.resources import PeakMemory
from imdb_baselines.run.results import (
    Finished,
    Loaded,
    ModelResult,
    ModelRuns,
    Preparation,
    RunConfig,
    predictions_and_scores,
)
from imdb_baselines.run.spark.data import read_spark_data
from imdb_baselines.run.spark.models import describe_solver, make_spark_model
from imdb_baselines.run.spark.preparation import TOKENS, add_tokens
from imdb_baselines.run.spark.session import SparkOptions, describe_session, spark_session
from imdb_baselines.run.stops import RunStopped

__all__ = ["SparkEngine", "SparkOptions", "describe_failure"]

logger = logging.getLogger(__name__)


class SparkEngine:
    """Read and split the data on Spark and fit the baselines there (``--engine spark``).

    Parameters
    ----------
    options : SparkOptions, optional
        Master URL, Spark settings (default ``local[2]``) and the linear models' solver.
    session : pyspark.sql.SparkSession, optional
        A session to use instead of starting one from ``options``.
    """

    name = "spark"
    keeps_groups = False  # --group-column is refused (CompareOptions.checked)

    def __init__(self, options: SparkOptions | None = None, session=None) -> None:
        self.options = options or SparkOptions()
        self.session = session
        self._frame = None

    def check(self, config: RunConfig) -> None:
        """Refuse models the catalogue does not run on Spark."""
        unknown = [name for name in config.models if name not in models_on("spark")]
        if unknown:
            raise ValueError(f"The Spark engine runs {', '.join(models_on('spark'))}; not {', '.join(unknown)}.")

    def load(self, config: RunConfig, data: corpus.TextCorpus | None = None) -> Loaded:
        """Read ``config.data`` into Spark and split it exactly as the local engine does, per stopword list."""
        if data is not None:
            raise ValueError("The Spark engine reads its data itself; pass the data source in the run's config.")
        self.check(config)
        self.session = self.session or spark_session(self.options)
        spark_data = read_spark_data(self.session, config.data, seed=config.seed,
                                     validation_size=config.validation_size, stopwords=config.stopwords[0],
                                     sample=config.sample)
        logger.info("%s", spark_data.corpus.summary())
        self._frame = spark_data.frame
        splits = {stopwords: corpus.splits_under(spark_data.splits, stopwords) for stopwords in config.stopwords}
        return Loaded(spark_data.corpus, splits, shared_texts=spark_data.shared_texts)

    def run_models(self, config: RunConfig, loaded: Loaded, stopwords: str, finished: Finished | None = None) -> (
            ModelRuns):
        """Fit and score every model of ``config`` on Spark, with the tokens of ``stopwords``."""
        results, preparation, stopped = _run_list(config, self._frame, loaded.splits[stopwords], stopwords,
                                                  self.options.solver, finished)
        return ModelRuns(results, preparation, stopped)

    def provenance(self) -> dict[str, Any]:
        """The session (master, executors, versions) and the linear models' solver, for the report."""
        return {**describe_session(self.session), "linear_models": describe_solver(self.options.solver)}

    def close(self) -> None:
        """Release the cached data (the session stays, for the next run)."""
        if self._frame is not None:
            self._frame.unpersist()
            self._frame = None


def _run_list(config: RunConfig, frame, splits: corpus.Splits, stopwords: str, solver: str,
              finished: Finished | None):
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    with PeakMemory(0.2, children=True) as memory:
        begun = time.perf_counter()
        tokens = add_tokens(frame, stopwords).persist(StorageLevel.MEMORY_AND_DISK)
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
                if finished is not None:
                    finished(result, None)
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
    result.throughput = len(splits.keys["test"]) / max(result.predict_s, 1e-9)
    logger.info("%s on Spark: fit %.1f s, predict %.1f s", result.name, result.fit_s, result.predict_s)
