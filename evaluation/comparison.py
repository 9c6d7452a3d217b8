"""One comparison run: claim the report folder, load once, split once per stopword list, run every model, write."""

from __future__ import annotations

import logging
import os
import platform
import resource
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

import corpus
from evaluation.analysis import health_warnings
from evaluation.plots import plot_accuracy_vs_time, plot_calibration, plot_confusion_matrices, plot_roc_curves
from evaluation.registry import check_models, is_neural, resolved_settings, uses_unlabelled
from evaluation.report import write_report
from evaluation.runner import ModelResult, Preparation, RunConfig, run_models
from evaluation.significance import mcnemar_matrix
from evaluation.stops import RunStopped, signals_deferred
from storage import OwnedFolder

__all__ = ["Comparison", "health_report", "protected_inputs", "run_comparison", "write_run"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Comparison:
    """What a comparison run produced."""

    folder: Path | None  # the report folder (None when no report was asked for)
    by_list: dict[str, list[ModelResult]]  # results per stopword list; the first list is primary
    stopped: RunStopped | None  # how the run was stopped early, if it was
    warnings: list[str] = field(default_factory=list)  # models that did not learn, losses that only rose


def run_comparison(config: RunConfig, *, wait: bool = False, data: corpus.TextCorpus | None = None) -> Comparison:
    """Run ``config`` and write its report folder.

    Before any data is loaded, ``config.out`` (if not None) is claimed: it must be absent,
    empty, or a report this package wrote (anything else raises
    :class:`storage.TargetError`), and a lock keeps other runs from writing
    it at the same time. The report is assembled in a staging folder beside
    it and swapped into place atomically, so ``config.out`` always holds a
    complete report, old or new. A failed or stopped model is named in the
    report; the others' results are kept.

    Parameters
    ----------
    config : RunConfig
        The run.
    wait : bool, default=False
        Wait for another run writing the same folder instead of failing.
    data : TextCorpus, optional
        Texts already loaded; by default ``config.data`` is read once the
        report folder is claimed.

    Raises
    ------
    ValueError
        If a model's setting is out of its range (checked first).
    storage.TargetError
        If the report folder may not be written.
    corpus.DataError
        If the data cannot be read or is too small for the split.
    RunStopped
        If the run was stopped before any model finished; nothing is written
        and an older report in ``config.out`` stays as it was.
    """
    check_models(config.models, stopwords=config.stopwords[0], seed=config.seed, settings=config.settings,
                 neural_overrides=config.neural_overrides)  # every setting's range, before any data is read
    unlabelled = any(uses_unlabelled(name) for name in config.models)
    if config.out is None:
        return _run(config, data if data is not None else config.data.load(seed=config.seed,
                                                                           include_unsup=unlabelled), None)
    target = OwnedFolder(config.out, "report")
    with target.claimed(wait=wait, protect=protected_inputs(config)):
        return _run(config, data if data is not None else config.data.load(seed=config.seed,
                                                                           include_unsup=unlabelled), target)


def protected_inputs(config: RunConfig) -> list[Path]:
    """What the run reads, which its report folder must never be or contain."""
    data = config.data
    paths = [data.path, data.test, data.validation, os.environ.get("IMDB_DATA") if data.path is None else None,
             corpus.default_cache_dir()]
    return [Path(p) for p in paths if p]


def _run(config: RunConfig, data: corpus.TextCorpus, target: OwnedFolder | None) -> Comparison:
    """Split ``data``, run every model, and write the report into ``target`` (none if ``target`` is None).

    The report's staging folder is made before the first model, so that each finished model is saved into it
    (``models/NAME``) at once instead of being held until the end; it is swapped into place with the report.
    """
    started = time.perf_counter()
    if config.sample:
        data = corpus.sample_corpus(data, config.sample, seed=config.seed)
    logger.info("%s", data.summary())
    _check_positive_label(config, data)
    splits_by_list = {stopwords: corpus.make_splits(data, validation_size=config.validation_size,
                                                    seed=config.seed, stopwords=stopwords)
                      for stopwords in config.stopwords}  # every split is checked before the first model
    staging = target.stage() if target is not None else None
    try:
        by_list: dict[str, list[ModelResult]] = {}
        preparations: dict[str, Preparation] = {}
        stopped = None
        for stopwords, splits in splits_by_list.items():
            keep = staging is not None and config.save_models and stopwords == config.stopwords[0]
            details = {"dataset": data.name, "data_sha256": data.sha256, "split_fingerprint": splits.fingerprint,
                       "text_preparation": splits.text_settings, "versions": _versions(), "command": config.command}
            unlabelled = data.unsup["text"].tolist() if data.unsup is not None else None
            runs = run_models(config, splits, stopwords, staging / "models" if keep else None, details,
                              unlabelled=unlabelled)
            by_list[stopwords], preparations[stopwords], stopped = runs.results, runs.preparation, runs.stopped
            if stopped:
                break
        if stopped and not any(r.status == "ok" for results in by_list.values() for r in results):
            raise stopped  # nothing finished: an older report in the folder is worth more than an empty one
        warnings = health_report(by_list[config.stopwords[0]], splits_by_list[config.stopwords[0]])
        for warning in warnings:
            logger.warning("%s", warning.replace("`", ""))
        if target is not None:
            try:
                with signals_deferred():
                    write_run(config, target, staging, data, by_list, splits_by_list,
                              preparations[config.stopwords[0]], warnings, stopped, time.perf_counter() - started)
            except RunStopped as late:  # came while the report was written: the report is whole, the exit says so
                stopped = stopped or late
            logger.info("Report written to %s", target.path / "report.md")
    finally:
        if staging is not None:
            target.discard(staging)
    return Comparison(target.path if target else None, by_list, stopped, warnings)


def health_report(results: list[ModelResult], splits: corpus.Splits) -> list[str]:
    """Health warnings of every finished model (see :func:`evaluation.analysis.health_warnings`)."""
    majority = float(pd.Series(splits.y_test).value_counts(normalize=True).max())
    return [warning for r in results if r.status == "ok"
            for warning in health_warnings(r.name, r.metrics["accuracy"], r.intervals.get("accuracy"), majority,
                                           r.history, is_neural(r.name))]


def _check_positive_label(config: RunConfig, data: corpus.TextCorpus) -> None:
    if config.positive_label is None:
        return
    if len(data.classes) != 2 or config.positive_label not in data.classes:
        raise corpus.DataError(
            f"The positive label {config.positive_label!r} is not one of the two classes of {data.name}: "
            f"{list(data.classes)}. Name one of them, or leave the positive label out "
            f"(it is {data.classes[-1]!r}, the second in sorted order)."
        )


def write_run(config: RunConfig, target: OwnedFolder, staging: Path, data: corpus.TextCorpus,
              by_list: dict[str, list[ModelResult]], splits_by_list: dict[str, corpus.Splits],
              preparation: Preparation, warnings: list[str], stopped: RunStopped | None, wall_s: float, *,
              engine: dict[str, Any] | None = None, shared_texts: int | None = None) -> None:
    """Write the report of a finished run into ``staging`` and swap it into ``target``.

    ``engine`` describes another engine than the local one (its name, master, executors, version) for the
    provenance; ``shared_texts`` is the count of test texts also in training when ``data`` does not hold
    the texts (see :func:`corpus.shared_texts`).
    """
    primary = config.stopwords[0]
    results = [r for r in by_list[primary] if r.status == "ok"]
    splits = splits_by_list[primary]
    figures = _figures(staging, results, splits, config.positive_label, preparation)
    mcnemar = mcnemar_matrix(splits.y_test, {r.name: r.predictions for r in results})
    provenance = _provenance(config, data, splits_by_list, wall_s)
    provenance["engine"] = engine or {"engine": "local"}
    if shared_texts is not None:
        provenance["test_texts_also_in_training"] = shared_texts
    write_report(staging, by_list=by_list, splits=splits, mcnemar=mcnemar, provenance=provenance,
                 figures=figures, preparation=preparation, warnings=warnings, sort_by=config.sort_by,
                 repeats=config.repeats, run_peak_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                 stopped=stopped.describe() if stopped else None)
    _write_predictions(staging / "predictions.csv", splits, results)
    target.commit(staging)


def _write_predictions(path: Path, splits: corpus.Splits, results: list[ModelResult]) -> None:
    """Every test text's id, label and text, and each model's prediction and score(s), for re-analysis."""
    import pandas as pd

    columns = {"id": splits.keys["test"], "label": splits.y_test, "text": splits.X_test}
    for r in results:
        columns[f"{r.name}_prediction"] = r.predictions
        if r.scores.ndim == 1:
            columns[f"{r.name}_score"] = r.scores
        else:
            columns.update({f"{r.name}_score_{c}": r.scores[:, i] for i, c in enumerate(splits.classes)})
        if r.probabilities is not None:
            columns.update({f"{r.name}_probability_{c}": r.probabilities[:, i] for i, c in enumerate(splits.classes)})
    pd.DataFrame(columns).to_csv(path, index=False, float_format="%.6g")


def _figures(folder: Path, results: list[ModelResult], splits: corpus.Splits, positive,
             preparation: Preparation) -> dict[str, str]:
    if not results:
        return {}
    classes = list(splits.classes)
    figures = {}
    if len(classes) == 2:
        positive = classes[1] if positive is None else positive
        figures["ROC curves of all models"] = plot_roc_curves(
            splits.y_test == positive, {r.name: r.scores for r in results},
            {r.name: r.metrics["roc_auc"] for r in results}, folder / "roc_curves.png").name
    figures["Confusion matrices"] = plot_confusion_matrices(
        {r.name: r.metrics["confusion_matrix"] for r in results}, classes, folder / "confusion_matrices.png").name
    calibrated = {r.name: r.probabilities for r in results if r.probabilities is not None}
    if calibrated:
        figures["Calibration (reliability diagram)"] = plot_calibration(
            splits.y_test, calibrated, classes, folder / "calibration.png").name
    figures["Test accuracy against fit time"] = plot_accuracy_vs_time(
        {r.name: (r.fit_s, r.metrics["accuracy"]) for r in results}, folder / "accuracy_vs_fit_time.png",
        preparation_s=preparation.seconds).name
    for r in sorted(results, key=lambda r: r.name):
        if r.history:
            from neural.plots import plot_history

            name = plot_history(r.history, folder / f"training_{r.name}.png", title=r.name).name
            figures[f"Training curves of {r.name}"] = name
    return figures


def _provenance(config: RunConfig, data: corpus.TextCorpus, splits: dict[str, corpus.Splits],
                wall_s: float) -> dict[str, Any]:
    primary = splits[config.stopwords[0]]
    settings = {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(config).items() if k != "command"}
    classes = list(primary.classes)
    return {
        "command": config.command,
        "dataset": data.name,
        "classes": [corpus.plain_label(c) for c in classes],
        "positive_label": corpus.plain_label(config.positive_label if config.positive_label is not None else classes[1])
        if len(classes) == 2 else None,
        "models": ", ".join(config.models),
        "model_settings": {name: _jsonable(resolved_settings(name, config.settings.get(name), config.neural_overrides))
                           for name in config.models},
        "package": _package(),
        "seed": config.seed,
        "settings": settings,
        "stopwords": {name: corpus.get_stopwords(name).describe() for name in splits},
        "text_preparation": {name: s.text_settings for name, s in splits.items()},
        "fingerprints": {name: s.fingerprint for name, s in splits.items()},
        "split_sizes": primary.sizes(),
        "data_source": data.source,
        "data_sha256": data.sha256,
        "data_notes": list(data.notes),
        "test_texts_also_in_training": corpus.shared_texts(data),
        "n_resamples": config.n_resamples,
        "versions": _versions(),
        "machine": f"{platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs",
        "wall_s": round(wall_s, 1),
    }


def _jsonable(settings: dict[str, Any]) -> dict[str, Any]:
    return {k: (v if v is None or isinstance(v, (bool, int, float, str)) else
                list(v) if isinstance(v, tuple) else str(v)) for k, v in settings.items()}


def _package() -> str:
    """The package's version, and its git commit when it runs from a checkout."""
    import subprocess

    from modelfiles.files import package_version

    try:
        commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=Path(__file__).resolve().parent,
                                capture_output=True, text=True, timeout=5, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"imdb-baselines {package_version()}" + (f", commit {commit}" if commit else "")


def _versions() -> dict[str, str]:
    import numpy
    import pandas
    import scipy
    import sklearn

    versions = {"python": platform.python_version(), "numpy": numpy.__version__, "scipy": scipy.__version__,
                "scikit-learn": sklearn.__version__, "pandas": pandas.__version__}
    if "keras" in sys.modules:
        import keras
        import tensorflow

        versions.update(keras=keras.__version__, tensorflow=tensorflow.__version__)
    return versions
