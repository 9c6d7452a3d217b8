"""The report folder of a finished run: the report, figures, predictions table and provenance, written whole.

It reads the run's results and writes them; it neither runs models nor saves them.
"""

from __future__ import annotations

import os
import platform
import resource
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from imdb_baselines import corpus
from imdb_baselines.catalog import resolved_settings
from imdb_baselines.evaluation.plots import (
    plot_accuracy_vs_time,
    plot_calibration,
    plot_confusion_matrices,
    plot_roc_curves,
)
from imdb_baselines.evaluation.report import write_report
from imdb_baselines.evaluation.significance import accuracy_differences, mcnemar_matrix
from imdb_baselines.run.results import ModelResult, Preparation, RunConfig
from imdb_baselines.run.stops import RunStopped
from imdb_baselines.storage import OwnedFolder

__all__ = ["checkout_commit", "library_versions", "runs_from_checkout", "write_run"]


def write_run(config: RunConfig, target: OwnedFolder, staging: Path, data: corpus.TextCorpus,
              by_list: dict[str, list[ModelResult]], splits_by_list: dict[str, corpus.Splits],
              preparation: Preparation, warnings: list[str], stopped: RunStopped | None, wall_s: float, *,
              engine: dict[str, Any] | None = None, shared_texts: int | None = None,
              resumed: dict[str, list[str]] | None = None) -> None:
    """Write the report of a finished run into ``staging`` and swap it into ``target``.

    ``engine`` describes another engine than the local one (its name, master, executors, version) for the
    provenance; ``shared_texts`` is the count of test texts also in training when ``data`` does not hold
    the texts (see :func:`imdb_baselines.corpus.shared_texts`); ``resumed`` names the models carried over
    from a stopped run (``models``) and that run's commands (``commands``).
    """
    primary = config.stopwords[0]
    results = [r for r in by_list[primary] if r.status == "ok"]
    splits = splits_by_list[primary]
    figures = _figures(staging, results, splits, config.positive_label, preparation, data.name)
    mcnemar = mcnemar_matrix(splits.y_test, {r.name: r.predictions for r in results})
    differences = accuracy_differences(splits.y_test, {r.name: r.predictions for r in results}, config.n_resamples,
                                       config.seed) if len(results) > 1 else {}
    tuned = {r.name: r.tuning.best_params for r in results if r.tuning is not None and r.tuning.grid}
    provenance = _provenance(config, data, splits_by_list, wall_s, tuned)
    provenance["engine"] = engine or {"engine": "local"}
    if shared_texts is not None:
        provenance["test_texts_also_in_training"] = shared_texts
    if resumed and resumed.get("models"):
        provenance["resumed"] = resumed
    write_report(staging, by_list=by_list, splits=splits, mcnemar=mcnemar, differences=differences,
                 provenance=provenance,
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
             preparation: Preparation, dataset: str | None = None) -> dict[str, str]:
    if not results:
        return {}
    classes = list(splits.classes)
    names = [corpus.shown_label(c, dataset) for c in classes]  # IMDB's 0 and 1 as negative and positive
    figures = {}
    if len(classes) == 2:
        positive = classes[1] if positive is None else positive
        figures["ROC curves of all models"] = plot_roc_curves(
            splits.y_test == positive, {r.name: r.scores for r in results},
            {r.name: r.metrics["roc_auc"] for r in results}, folder / "roc_curves.png").name
    figures["Confusion matrices"] = plot_confusion_matrices(
        {r.name: r.metrics["confusion_matrix"] for r in results}, classes, folder / "confusion_matrices.png",
        names=names).name
    calibrated = {r.name: r.probabilities for r in results if r.probabilities is not None}
    if calibrated:
        figures["Calibration (reliability diagram)"] = plot_calibration(
            splits.y_test, calibrated, classes, folder / "calibration.png", names=names).name
    searched = {r.name: r.search_s for r in results if r.search_s is not None}
    caption = "Test accuracy against search and fit time" if searched else "Test accuracy against fit time"
    figures[caption] = plot_accuracy_vs_time(
        {r.name: (r.fit_s, r.metrics["accuracy"]) for r in results}, folder / "accuracy_vs_fit_time.png",
        preparation_s=preparation.seconds, searched=searched).name
    for r in sorted(results, key=lambda r: r.name):
        if r.history:
            from neural.plots import plot_history

            name = plot_history(r.history, folder / f"training_{r.name}.png", title=r.name).name
            figures[f"Training curves of {r.name}"] = name
    return figures


def _provenance(config: RunConfig, data: corpus.TextCorpus, splits: dict[str, corpus.Splits],
                wall_s: float, tuned: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The run's provenance; each model's settings are those it was fitted with, a search's choice included."""
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
        "model_settings": {name: _jsonable(resolved_settings(name, {**(config.settings.get(name) or {}),
                                                                    **tuned.get(name, {})}, config.neural_overrides))
                           for name in config.models},
        "package": _package(),
        "seed": config.seed,
        "settings": settings,
        "stopwords": {name: corpus.get_stopwords(name).describe() for name in splits},
        "text_preparation": {name: s.text_settings for name, s in splits.items()},
        "fingerprints": {name: s.fingerprint for name, s in splits.items()},
        "split_sizes": primary.sizes(),
        "out_of_fold": primary.out_of_fold,
        "groups": {"column": primary.group_column, **primary.group_counts()} if primary.group_column else None,
        "data_source": data.source,
        "data_sha256": data.sha256,
        "data_notes": list(data.notes),
        "test_texts_also_in_training": corpus.shared_texts(data),
        "n_resamples": config.n_resamples,
        "versions": library_versions(),
        "machine": f"{platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs",
        "wall_s": round(wall_s, 1),
    }


def _jsonable(settings: dict[str, Any]) -> dict[str, Any]:
    return {k: (v if v is None or isinstance(v, (bool, int, float, str)) else
                list(v) if isinstance(v, tuple) else str(v)) for k, v in settings.items()}


def _package() -> str:
    """The package's version, and its git commit when it runs from this project's own checkout."""
    from imdb_baselines import __version__

    commit = checkout_commit()
    return f"imdb-baselines {__version__}" + (f", commit {commit}" if commit else "")


def runs_from_checkout() -> bool:
    """Whether the package runs from this project's own checkout (its ``compare.py`` and ``.git`` beside it),
    found without starting a process, so that it is safe before a run's signal handlers are in place."""
    root = Path(__file__).resolve().parents[2]
    return (root / "compare.py").is_file() and (root / ".git").exists() and (root / "imdb_baselines").is_dir()


def checkout_commit() -> str:
    """The commit of this project's checkout the package runs from, or ``""`` (installed, or no git).

    A package installed into another project's folder sits inside that project's checkout: its commit is
    not ours, so a commit counts only when the checkout's top folder holds this very package.
    """
    import subprocess

    package = Path(__file__).resolve().parents[1]  # the imdb_baselines folder
    try:
        done = subprocess.run(["git", "rev-parse", "--show-toplevel", "--short=12", "HEAD"], cwd=package,
                              capture_output=True, text=True, timeout=5, check=True)
    except (OSError, subprocess.SubprocessError):
        return ""
    lines = done.stdout.split()
    if len(lines) != 2 or Path(lines[0]).resolve() != package.parent:
        return ""
    return lines[1]


def library_versions() -> dict[str, str]:
    """The versions of Python and the libraries the results depend on (Keras and TensorFlow when loaded)."""
    import numpy
    import pandas
    import scipy
    import sklearn

    versions = {"python": platform.python_version(), "numpy": numpy.__version__, "scipy": scipy.__version__,
                "scikit-learn": sklearn.__version__, "pandas": pandas.__version__}
    if "keras" in sys.modules:
        import keras

        versions["keras"] = keras.__version__
        if keras.backend.backend() == "tensorflow":
            import tensorflow

            versions["tensorflow"] = tensorflow.__version__
        else:
            versions["keras_backend"] = keras.backend.backend()
    return versions
