"""One comparison run: load once, split once per stopword list, run every model, write the report atomically."""

from __future__ import annotations

import logging
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import corpus
from evaluation.plots import plot_accuracy_vs_time, plot_confusion_matrices, plot_roc_curves
from evaluation.report import write_report
from evaluation.runner import ModelResult, RunConfig, run_models
from evaluation.significance import mcnemar_matrix

__all__ = ["run_comparison"]

logger = logging.getLogger(__name__)


def run_comparison(config: RunConfig) -> tuple[Path, dict[str, list[ModelResult]]]:
    """Run ``config`` and write its report folder; return the folder and the results by stopword list.

    The report is assembled in a hidden staging folder beside ``config.out``
    and renamed into place at the end, so a crash never leaves a half-written
    report. A failed or interrupted model is named in the report; the
    others' results are kept.
    """
    started = time.perf_counter()
    logger.info("Loading the IMDB corpus")
    imdb = corpus.load_imdb(config.data, reviews_per_class=None if config.excerpt else corpus.REVIEWS_PER_CLASS)
    if config.sample:
        imdb = corpus.sample_corpus(imdb, config.sample, seed=config.seed)
    logger.info("%s", imdb.summary())
    by_list: dict[str, list[ModelResult]] = {}
    splits_by_list: dict[str, corpus.Splits] = {}
    interrupted = False
    for stopwords in config.stopwords:
        splits = corpus.make_splits(imdb, validation_size=config.validation_size, seed=config.seed,
                                    stopwords=stopwords)
        splits_by_list[stopwords] = splits
        by_list[stopwords], interrupted = run_models(config, splits, stopwords)
        if interrupted:
            break
    config.out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=config.out.parent, prefix=f".{config.out.name}.partial-"))
    try:
        primary = config.stopwords[0]
        results = [r for r in by_list[primary] if r.status == "ok"]
        y_test = splits_by_list[primary].y_test
        figures = _figures(staging, results, y_test)
        mcnemar = mcnemar_matrix(y_test, {r.name: r.predictions for r in results})
        provenance = _provenance(config, imdb, splits_by_list, time.perf_counter() - started)
        write_report(staging, by_list=by_list, mcnemar=mcnemar, provenance=provenance, figures=figures,
                     interrupted=interrupted)
        _write_predictions(staging / "predictions.csv", splits_by_list[primary], results)
        _replace_folder(staging, config.out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    logger.info("Report written to %s", config.out / "report.md")
    return config.out, by_list


def _write_predictions(path: Path, splits: corpus.Splits, results: list[ModelResult]) -> None:
    """Every test review's label, and each model's prediction and score, for re-analysis."""
    import pandas as pd

    columns = {"review": splits.keys["test"], "label": splits.y_test}
    for r in results:
        columns[f"{r.name}_prediction"] = r.predictions
        columns[f"{r.name}_score"] = r.scores
    pd.DataFrame(columns).to_csv(path, index=False, float_format="%.6g")


def _figures(folder: Path, results: list[ModelResult], y_test) -> dict[str, str]:
    if not results:
        return {}
    figures = {
        "ROC curves of all models": plot_roc_curves(
            y_test, {r.name: r.scores for r in results}, {r.name: r.metrics["roc_auc"] for r in results},
            folder / "roc_curves.png").name,
        "Confusion matrices": plot_confusion_matrices(
            {r.name: r.metrics["confusion_matrix"] for r in results}, folder / "confusion_matrices.png").name,
        "Test accuracy against fit time": plot_accuracy_vs_time(
            {r.name: (r.fit_s, r.metrics["accuracy"]) for r in results}, folder / "accuracy_vs_fit_time.png").name,
    }
    for r in sorted(results, key=lambda r: r.name):
        if r.history:
            from neural.plots import plot_history

            name = plot_history(r.history, folder / f"training_{r.name}.png", title=r.name).name
            figures[f"Training curves of {r.name}"] = name
    return figures


def _provenance(config: RunConfig, imdb: corpus.ImdbCorpus, splits: dict[str, corpus.Splits],
                wall_s: float) -> dict[str, Any]:
    primary = splits[config.stopwords[0]]
    settings = {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(config).items() if k != "command"}
    return {
        "command": config.command,
        "models": ", ".join(config.models),
        "seed": config.seed,
        "settings": settings,
        "stopwords": {name: corpus.get_stopwords(name).describe() for name in splits},
        "text_preparation": {name: s.text_settings for name, s in splits.items()},
        "fingerprints": {name: s.fingerprint for name, s in splits.items()},
        "split_sizes": primary.sizes(),
        "data_source": imdb.source,
        "data_sha256": imdb.sha256,
        "n_resamples": config.n_resamples,
        "versions": _versions(),
        "machine": f"{platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs",
        "wall_s": round(wall_s, 1),
    }


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


def _replace_folder(staging: Path, out: Path) -> None:
    """Move ``staging`` onto ``out``; an older report there is removed only after the move."""
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
    os.replace(staging, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
