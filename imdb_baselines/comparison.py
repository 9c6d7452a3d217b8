"""One comparison: claim the report folder, load and split once, run every model on an engine, score each
result, keep the models, and write the report.

The engine (:mod:`imdb_baselines.run`) fits and predicts; this module hands each
finished result to the evaluation (:mod:`imdb_baselines.evaluation`) and each fitted
model to the model files (:mod:`imdb_baselines.modelfiles`), the only place where
the three meet.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from imdb_baselines import corpus
from imdb_baselines.catalog import check_models, is_neural
from imdb_baselines.evaluation.analysis import health_warnings
from imdb_baselines.evaluation.folder import library_versions, write_run
from imdb_baselines.evaluation.scoring import score_result
from imdb_baselines.run.local import LocalEngine
from imdb_baselines.run.resources import saved_size_bytes
from imdb_baselines.run.results import Loaded, ModelResult, ModelRuns, Preparation, RunConfig
from imdb_baselines.run.resume import RESUME_FOLDER, Resumed, load_resumed, run_identity, save_resumable
from imdb_baselines.run.stops import RunStopped, signals_deferred
from imdb_baselines.storage import OwnedFolder

__all__ = ["Comparison", "health_report", "protected_inputs", "run_comparison"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Comparison:
    """What a comparison run produced."""

    folder: Path | None  # the report folder (None when no report was asked for)
    by_list: dict[str, list[ModelResult]]  # results per stopword list; the first list is primary
    stopped: RunStopped | None  # how the run was stopped early, if it was
    warnings: list[str] = field(default_factory=list)  # models that did not learn, losses that only rose


def run_comparison(config: RunConfig, *, engine=None, wait: bool = False,
                   data: corpus.TextCorpus | None = None, resume: bool = False) -> Comparison:
    """Run ``config`` on ``engine`` and write its report folder.

    Before any data is loaded, ``config.out`` (if not None) is claimed: it must be absent,
    empty, or a report this package wrote (anything else raises
    :class:`imdb_baselines.storage.TargetError`), and a lock keeps other runs from writing
    it at the same time. The report is assembled in a staging folder beside
    it and swapped into place atomically, so ``config.out`` always holds a
    complete report, old or new. A failed or stopped model is named in the
    report; the others' results are kept, and a stopped run's report keeps
    them in ``resume/`` too, for ``resume``.

    Parameters
    ----------
    config : RunConfig
        The run.
    engine : LocalEngine or SparkEngine, optional
        Where the models run (default: this process, :class:`imdb_baselines.run.local.LocalEngine`).
    wait : bool, default=False
        Wait for another run writing the same folder instead of failing.
    data : TextCorpus, optional
        Texts already loaded (local engine); by default ``config.data`` is read once the
        report folder is claimed.
    resume : bool, default=False
        Finish the stopped run whose report is in ``config.out``: the models it finished are
        carried over, not fitted again (:mod:`imdb_baselines.run.resume`). Where the folder
        holds no stopped run, every model runs.

    Raises
    ------
    ValueError
        If a model's setting is out of its range, or the engine does not run a model (checked first).
    imdb_baselines.storage.TargetError
        If the report folder may not be written.
    imdb_baselines.corpus.DataError
        If the data cannot be read or is too small for the split.
    RunStopped
        If the run was stopped before any model finished; nothing is written
        and an older report in ``config.out`` stays as it was.
    ValueError
        With ``resume``, if the stopped run in ``config.out`` differs from this one in its data,
        split, options, code or libraries.
    """
    engine = engine or LocalEngine()
    check_models(config.models, stopwords=config.stopwords[0], seed=config.seed, settings=config.settings,
                 neural_overrides=config.neural_overrides)  # every setting's range, before any data is read
    if hasattr(engine, "check"):
        engine.check(config)
    if hasattr(engine, "configured"):
        config = engine.configured(config)  # the engine's own defaults, recorded in the report as any setting
    if resume and config.out is None:
        raise ValueError("resume finishes the stopped run in a report folder: give its folder as out")
    try:
        if config.out is None:
            return _run(config, engine, engine.load(config, data), None)
        target = OwnedFolder(config.out, "report")
        with target.claimed(wait=wait, protect=protected_inputs(config)):
            return _run(config, engine, engine.load(config, data), target, resume)
    finally:
        engine.close()


def protected_inputs(config: RunConfig) -> list[Path]:
    """What the run reads, which its report folder must never be or contain."""
    data = config.data
    paths = [data.path, data.test, data.validation, os.environ.get("IMDB_DATA") if data.path is None else None,
             corpus.default_cache_dir()]
    return [Path(p) for p in paths if p]


def _run(config: RunConfig, engine, loaded: Loaded, target: OwnedFolder | None, resume: bool = False) -> Comparison:
    """Run every model on each stopword list's split and write the report into ``target`` (none if None).

    The report's staging folder is made before the first model, so that each finished model is saved into it
    (``models/NAME``) at once, while the next one trains, instead of being held until the end; it is swapped
    into place with the report. With ``resume``, the models a stopped run in ``target`` finished are taken
    from it, their files copied, and only the others run.
    """
    started = time.perf_counter()
    data, splits_by_list = loaded.data, loaded.splits
    _check_positive_label(config, data)
    _check_out_of_fold(config, data)
    classes = splits_by_list[config.stopwords[0]].classes
    data_hints = config.data.tables_beside() + corpus.label_spelling_hints(classes) + corpus.class_order_hints(
        classes, data.class_order)
    for hint in data_hints:  # said before the models train, so that a run on the wrong files can be stopped
        logger.warning("%s", hint.replace("`", ""))
    identity = run_identity(config, data, splits_by_list) if target is not None else {}
    resumed = load_resumed(target.path, identity, config) if resume else Resumed()
    staging = target.stage() if target is not None else None
    try:
        by_list: dict[str, list[ModelResult]] = {}
        preparations: dict[str, Preparation] = {}
        stopped = None
        for stopwords, splits in splits_by_list.items():
            keep = staging is not None and config.save_models and stopwords == config.stopwords[0]
            details = {"dataset": data.name, "data_sha256": data.sha256, "split_fingerprint": splits.fingerprint,
                       "text_preparation": splits.text_settings, "versions": library_versions(),
                       "command": config.command}
            carried = resumed.results.get(stopwords, {})
            remaining = tuple(name for name in config.models if name not in carried)
            with ThreadPoolExecutor(1, thread_name_prefix="save") as saver:
                keeper = _Keeper(config, splits, saver, staging / "models" if keep else None, details)
                if keep:
                    keeper.carry(target.path / "models", list(carried))
                runs = (engine.run_models(replace(config, models=remaining), loaded, stopwords, keeper.finished)
                        if remaining else ModelRuns([], resumed.preparations.get(stopwords, Preparation())))
            keeper.collect()
            ran = {r.name: r for r in runs.results}
            by_list[stopwords] = [carried.get(name) or ran[name] for name in config.models
                                  if name in carried or name in ran]
            preparations[stopwords], stopped = runs.preparation, runs.stopped
            if stopped:
                break
        if stopped and not any(r.status == "ok" for results in by_list.values() for r in results):
            raise stopped  # nothing finished: an older report in the folder is worth more than an empty one
        warnings = health_report(by_list[config.stopwords[0]], splits_by_list[config.stopwords[0]], bool(config.cv))
        warnings += corpus.group_hints(data, config.data.group_column, keeps_groups=engine.keeps_groups)
        warnings += corpus.segmentation_hints(data)
        for warning in warnings:
            logger.warning("%s", warning.replace("`", ""))
        warnings += data_hints
        if target is not None:
            try:
                with signals_deferred():
                    if stopped:
                        save_resumable(staging / RESUME_FOLDER, identity, config, by_list, preparations,
                                       [*resumed.commands, config.command])
                    write_run(config, target, staging, data, by_list, splits_by_list,
                              preparations[config.stopwords[0]], warnings, stopped, time.perf_counter() - started,
                              engine=engine.provenance(), shared_texts=loaded.shared_texts,
                              resumed={"models": resumed.names(config.stopwords[0]), "commands": resumed.commands})
            except RunStopped as late:  # came while the report was written: the report is whole, the exit says so
                stopped = stopped or late
            logger.info("Report written to %s", target.path / "report.md")
    finally:
        if staging is not None:
            target.discard(staging)
    return Comparison(target.path if target else None, by_list, stopped, warnings)


class _Keeper:
    """Scores each finished result and saves its model (in a thread, while the engine goes on)."""

    def __init__(self, config: RunConfig, splits: corpus.Splits, saver: ThreadPoolExecutor,
                 models_dir: Path | None, details: dict[str, Any]) -> None:
        self.config, self.splits, self.saver, self.models_dir, self.details = config, splits, saver, models_dir, details
        self.savings: list[tuple[ModelResult, Future]] = []

    def carry(self, old_models: Path, names: list[str]) -> None:
        """Copy the files of the models a stopped run finished (``old_models/NAME``) into this report."""
        for name in names:
            shutil.copytree(old_models / name, self.models_dir / name)

    def finished(self, result: ModelResult, model) -> None:
        score_result(result, self.splits, self.config)
        logger.info("%s: accuracy %.4f, fit %.1f s, predict %.1f s", result.name, result.metrics["accuracy"],
                    result.fit_s, result.predict_s)
        if model is None:
            return
        if self.models_dir is None:
            result.model_bytes = saved_size_bytes(model)
            return
        from imdb_baselines.modelfiles import write_model_files

        metrics = {k: v for k, v in result.metrics.items() if isinstance(v, float)}
        self.savings.append((result, self.saver.submit(
            write_model_files, model, self.models_dir / result.name, name=result.name,
            details={**self.details, "test_metrics": metrics})))

    def collect(self) -> None:
        """Each saved model's size; a model whose files failed is reported with its metrics, marked unsaved."""
        for result, saving in self.savings:
            try:
                result.model_bytes = saving.result()
            except Exception as error:  # the model was evaluated; only its file is missing
                logger.error("Saving %s failed: %s", result.name, error)
                result.error = f"not saved: {type(error).__name__}: {error}"


def health_report(results: list[ModelResult], splits: corpus.Splits, cross_validated: bool = False) -> list[str]:
    """Health warnings of every finished model (see :func:`imdb_baselines.evaluation.analysis.health_warnings`)."""
    majority = float(pd.Series(splits.y_test).value_counts(normalize=True).max())
    return [warning for r in results if r.status == "ok"
            for warning in health_warnings(r.name, r.metrics["accuracy"], r.intervals.get("accuracy"), majority,
                                           r.history, is_neural(r.name), _balanced(r), len(splits.y_test),
                                           cross_validated)]


def _balanced(result: ModelResult) -> tuple[float, tuple[float, float] | None, int] | None:
    """Balanced accuracy, its interval and the number of classes, where the test classes are skewed."""
    if "balanced_accuracy" not in result.metrics:
        return None
    return (result.metrics["balanced_accuracy"], result.intervals.get("balanced_accuracy"),
            len(result.metrics["per_class"]))


def _check_out_of_fold(config: RunConfig, data: corpus.TextCorpus) -> None:
    """Enough texts of each class for the folds; texts without a test set are scored only out of fold: they need
    cross-validation, and no retraining on a test set (``--repeats``)."""
    if data.out_of_fold and not config.cv:
        raise corpus.DataError(f"{data.name} has no test set (test_size 0), so only cross-validation can score it: "
                               "give --cv K (cv=K), a test set, or a test_size above 0.")
    smallest = data.train["label"].value_counts()
    if config.cv and smallest.min() < config.cv:
        raise corpus.DataError(f"--cv {config.cv} needs at least {config.cv} texts of each class to divide, and class "
                               f"{corpus.plain_label(smallest.idxmin())!r} has {smallest.min()}: give fewer folds.")
    column = config.data.group_column
    if config.cv and column and column in data.train.columns and data.train[column].nunique() < config.cv:
        raise corpus.DataError(f"--cv {config.cv} needs at least {config.cv} groups to divide, and the training texts "
                               f"have {data.train[column].nunique()} in {column!r}: give fewer folds.")
    if data.out_of_fold and config.repeats > 1:
        raise corpus.DataError("--repeats retrains each model and scores it on the test set, and with --cv and no "
                               "test set there is none; use --cv-repeats.")


def _check_positive_label(config: RunConfig, data: corpus.TextCorpus) -> None:
    if config.positive_label is None:
        return
    if len(data.classes) != 2:
        raise corpus.DataError(
            f"The positive label {config.positive_label!r} names one of two classes, and {data.name} has "
            f"{len(data.classes)}: {list(data.classes)}. Leave it out: with more classes each class has its own "
            "precision, recall and F1, and the report averages them."
        )
    if config.positive_label not in data.classes:
        raise corpus.DataError(
            f"The positive label {config.positive_label!r} is not one of the two classes of {data.name}: "
            f"{list(data.classes)}. Name one of them, or leave the positive label out "
            f"(it is {data.classes[-1]!r}, the second in sorted order)."
        )
