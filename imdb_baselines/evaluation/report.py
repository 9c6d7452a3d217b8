"""Markdown report, results.json and results.csv of a comparison run (deterministic text)."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from imdb_baselines import corpus
from imdb_baselines.evaluation import sections
from imdb_baselines.evaluation.crossval import cv_summary
from imdb_baselines.evaluation.crossval import section as cv_section
from imdb_baselines.evaluation.introduction import introduction
from imdb_baselines.evaluation.metrics import Metric, is_skewed, metric_table
from imdb_baselines.evaluation.sections import markdown_table
from imdb_baselines.evaluation.significance import holm_matrix, p_value_table
from imdb_baselines.run.results import ModelResult, Preparation
from imdb_baselines.storage import atomic_file

__all__ = ["SORT_KEYS", "headline_rows", "result_rows", "table_of", "update_index", "write_report"]

logger = logging.getLogger(__name__)

#: Columns the leaderboard can be sorted by: lower first for costs, higher first for everything else.
COSTS = ("fit_s", "predict_s", "peak_memory_mib", "model_mib")
SORT_KEYS = ("accuracy", "precision", "recall", "f1", "macro_precision", "macro_recall", "macro_f1",
             "weighted_f1", "balanced_accuracy", "average_precision", "roc_auc", *COSTS)


def table_of(results: list[ModelResult]) -> tuple[Metric, ...]:
    """The metric table of these results (two classes or more; skewed test classes add three metrics)."""
    done = [r for r in results if r.status == "ok"]
    if not done:
        return metric_table(2)
    per_class = done[0].metrics["per_class"]
    return metric_table(len(per_class), is_skewed([c["support"] for c in per_class]))


def result_rows(by_list: Mapping[str, list[ModelResult]], sort_by: str = "accuracy") -> list[dict[str, Any]]:
    """``results.csv``'s records: :func:`headline_rows` of each stopword list's results, list after list."""
    return [row for results in by_list.values() for row in headline_rows(results, sort_by)]


def headline_rows(results: list[ModelResult], sort_by: str = "accuracy") -> list[dict[str, Any]]:
    """One flat record per finished model: every metric, its interval, and the costs; sorted by ``sort_by``.

    Metrics sort best (highest) first and costs cheapest first; ties go by model name, so the order is stable.
    """
    rows = []
    for r in (r for r in results if r.status == "ok"):
        row: dict[str, Any] = {"model": r.name, "stopwords": r.stopwords}
        for metric in table_of(results):
            row[metric.name] = round(r.metrics[metric.name], 4)
            low, high = r.intervals.get(metric.name, (None, None))
            row[f"{metric.name}_ci_low"] = None if low is None else round(low, 4)
            row[f"{metric.name}_ci_high"] = None if high is None else round(high, 4)
        for metric in table_of(results) if r.folds else ():
            summary = cv_summary(r.folds, metric.name)
            row.update({f"cv_{metric.name}_{key}": round(value, 4) for key, value in summary.items()})
        row.update({key: r.metrics[key] for key in ("tn", "fp", "fn", "tp") if key in r.metrics})
        row.update(fit_s=round(r.fit_s, 2), predict_s=round(r.predict_s, 2),
                   reviews_per_s=round(r.throughput, 1), peak_memory_mib=round(r.peak_memory_mib, 1),
                   model_mib=round(r.model_bytes / 2**20, 2))
        rows.append(row)
    if rows and sort_by not in rows[0] and f"macro_{sort_by}" in rows[0]:
        sort_by = f"macro_{sort_by}"  # precision, recall, f1 of more than two classes: their macro averages
    if rows and sort_by not in rows[0]:
        keys = ", ".join(k for k in SORT_KEYS if k in rows[0])
        raise ValueError(f"Cannot sort by {sort_by!r}; choose one of {keys}.")
    sign = 1 if sort_by in COSTS else -1
    return sorted(rows, key=lambda row: (sign * row[sort_by], row["model"]))


def _headline(rows: list[dict[str, Any]], table: tuple[Metric, ...]) -> str:
    with_ci = any(row["accuracy_ci_low"] is not None for row in rows)
    header = ["Model"] + [m.label + (" [95% CI]" if with_ci else "") for m in table]
    body = []
    for row in rows:
        cells = [f"`{row['model']}`"]
        for metric in table:
            value = f"{row[metric.name]:.4f}"
            if with_ci:
                value += f" [{row[metric.name + '_ci_low']:.4f}, {row[metric.name + '_ci_high']:.4f}]"
            cells.append(value)
        body.append(cells)
    return markdown_table(header, body)


def _per_class(results: list[ModelResult]) -> str:
    """Precision, recall and F1 of every class for every model (more than two classes)."""
    done = [r for r in results if r.status == "ok"]
    classes = [entry["class"] for entry in done[0].metrics["per_class"]]
    header = ["Class", "Support"] + [f"`{r.name}` P / R / F1" for r in done]
    body = []
    for i, name in enumerate(classes):
        cells = [f"{name}", f"{done[0].metrics['per_class'][i]['support']:,}"]
        for r in done:
            entry = r.metrics["per_class"][i]
            cells.append(f"{entry['precision']:.3f} / {entry['recall']:.3f} / {entry['f1']:.3f}")
        body.append(cells)
    return markdown_table(header, body)




def _p_values(matrix: pd.DataFrame) -> dict[str, dict[str, float | None]]:
    """A matrix of p-values for results.json: 6 significant digits, None on the diagonal."""
    return {a: {b: (None if pd.isna(v) else float(f"{v:.6g}")) for b, v in matrix.loc[a].items()}
            for a in matrix.index}


def _ablation(by_list: dict[str, list[ModelResult]]) -> str:
    lists = list(by_list)
    models = sorted({r.name for rs in by_list.values() for r in rs if r.status == "ok"})
    accuracy = {(r.stopwords, r.name): r.metrics["accuracy"] for rs in by_list.values() for r in rs
                if r.status == "ok"}
    header = ["Model"] + [f"`{s}`" for s in lists] + ([f"Δ vs `none` ({s})" for s in lists if s != "none"]
                                                      if "none" in lists else [])
    body = []
    for name in models:
        cells = [f"`{name}`"] + [f"{accuracy[(s, name)]:.4f}" if (s, name) in accuracy else "—" for s in lists]
        if "none" in lists:
            for s in lists:
                if s != "none":
                    both = (s, name) in accuracy and ("none", name) in accuracy
                    cells.append(f"{100 * (accuracy[(s, name)] - accuracy[('none', name)]):+.2f} pt" if both else "—")
        body.append(cells)
    return markdown_table(header, body)


def write_report(folder: Path, *, by_list: dict[str, list[ModelResult]], splits: corpus.Splits,
                 mcnemar: pd.DataFrame, provenance: dict[str, Any], figures: dict[str, str],
                 differences: dict[str, dict[str, dict[str, float]]] | None = None,
                 preparation: Preparation | None = None, warnings: list[str] | None = None,
                 sort_by: str = "accuracy", repeats: int = 1, run_peak_mib: float | None = None,
                 stopped: str | None = None) -> None:
    """Write ``report.md``, ``results.json`` and ``results.csv`` into ``folder``.

    Parameters
    ----------
    folder : Path
        The (staging) report folder; figures are already in it.
    by_list : dict
        Stopword list name to that list's results; the first list is primary.
    splits : Splits
        The primary list's splits (test texts, labels and ids for the error analysis).
    mcnemar : DataFrame
        McNemar p-values between the primary list's models.
    differences : dict, optional
        Each pair's accuracy difference with its paired bootstrap interval
        (:func:`~imdb_baselines.evaluation.significance.accuracy_differences`).
    provenance : dict
        Command, seed, settings, split fingerprint, data checksum, versions...
    figures : dict
        Caption to file name (relative to ``folder``).
    preparation : Preparation, optional
        The shared text preparation's cost, its own row in the cost table.
    warnings : list of str, optional
        Warnings that catch a broken run, shown at the top.
    sort_by : str, default="accuracy"
        The leaderboard's order (one of :data:`SORT_KEYS`).
    repeats : int, default=1
        Seeds per model (a training-variance section when more than one).
    run_peak_mib : float, optional
        The run's peak resident memory.
    stopped : str or None
        How the run was stopped before every model ran (e.g. "stopped by SIGTERM"), or None.
    """
    primary = next(iter(by_list))
    results = by_list[primary]
    done = [r for r in results if r.status == "ok"]
    rows = headline_rows(results, sort_by)
    order = [row["model"] for row in rows]
    ordered = sorted(done, key=lambda r: order.index(r.name))
    holm = holm_matrix(mcnemar)  # McNemar's p-values adjusted for the pairs compared
    classes = list(splits.classes)
    failed = [r for rs in by_list.values() for r in rs if r.status != "ok"]
    lines = [f"# {provenance['dataset']}: {', '.join(f'`{r.name}`' for r in results)}", ""]
    supports = [c["support"] for c in done[0].metrics["per_class"]] if done else None
    lines += introduction(provenance, primary, warnings or [], stopped, supports)
    lines += ["## Results", "", _headline(rows, table_of(results)), "",
              (f"Sorted by {sort_by}. " + (f"Intervals: {provenance['n_resamples']} seeded percentile-bootstrap "
                                           "resamples of the test texts. " if provenance["n_resamples"] else
                                           "No confidence intervals (`--bootstrap 0`). "))
              + "ROC-AUC is computed from continuous scores (decision values or probabilities); costs are below.",
              ""]
    folds_lines, folds_payload = cv_section(ordered, [(m.name, m.label) for m in table_of(results)], sort_by,
                                            splits.out_of_fold)
    lines += folds_lines
    if repeats > 1 and done:
        lines += sections.variance(ordered, repeats)
    with_probabilities = [r for r in ordered if r.brier is not None]
    engine = provenance.get("engine", {}).get("engine", "local")
    local = engine == "local"
    if with_probabilities:
        margins = ("Models with only margins get probabilities from their margins times one scale fitted on the "
                   "validation split, never on the test set (a logistic function for two classes, a softmax for "
                   "more); the scale has no offset, so each text's most probable class is its label, from which "
                   "the metrics above come." if local else
                   f"On {'Spark' if engine == 'spark' else 'the chunked engine'} only Naive Bayes has probabilities "
                   "(its own); the SVMs' margins are not calibrated.")
        lines += ["## Calibration", "",
                  "Brier score of each model's test probabilities (lower is better; 0.25 is a coin's for two "
                  f"balanced classes). {margins}", "",
                  markdown_table(["Model", "Brier score", "Probabilities"],
                                 [[f"`{r.name}`", f"{r.brier:.4f}", r.probability_source] for r in with_probabilities]),
                  ""]
    tuned = [r for r in ordered if r.tuning is not None]
    if tuned:
        lines += sections.tuning(tuned)
    if len(classes) > 2 and done:
        lines += ["## Per class", "", "Precision / recall / F1 of each class on the test set.", "",
                  _per_class(results), ""]
    if failed:
        lines += ["## Failed models", ""] + [f"- `{r.name}` ({r.stopwords}): {r.status}: {r.error}"
                                              for r in failed] + [""]
    saved = engine != "spark" and provenance.get("settings", {}).get("save_models", True)
    searched = {r.name: r.search_s for r in ordered if r.search_s is not None}
    lines += sections.costs(rows, preparation, engine=engine, saved=saved, searched=searched,
                            run_peak_mib=run_peak_mib)
    lines += sections.taken_members(done)
    if len(done) > 1:
        table, holm_said = p_value_table(mcnemar, holm, sorted(mcnemar.index))
        lines += ["## Paired significance (McNemar)", "",
                  "Exact McNemar test on the test texts where one model is right and the other wrong; p < 0.05 "
                  f"means their error rates differ. {holm_said}".rstrip(), "", table, ""]
        lines += sections.differences(done, differences or {}, holm)
        lines += sections.agreement(done)
    if done:
        lines += sections.lengths(ordered, splits.X_test, splits.y_test)
        lines += sections.learned(ordered, classes)
        lines += sections.mistakes(ordered, splits.X_test, splits.y_test, classes, splits.keys["test"])
    if len(by_list) > 1:
        lines += ["## Stopword ablation", "", "Test accuracy of each model with each stopword list.", "",
                  _ablation(by_list), ""]
    if figures:
        lines += ["## Figures", ""] + [f"![{caption}]({name})\n" for caption, name in figures.items()]
    lines += ["## Provenance", "", "```"]
    lines += [f"{key}: {json.dumps(value, sort_keys=True) if isinstance(value, (dict, list)) else value}"
              for key, value in provenance.items()]
    lines += ["```", "", f"Reproduce: `{provenance['command']}`", "",
              "Files: `results.json` and `results.csv` (every number above), `predictions.csv` (each test "
              "text's id, label and text, and every model's prediction and score)"
              + (", and `models/NAME/` (each trained model; `imdb-predict` and `modelfiles.load_model` read it)."
                 if saved else "; no model files (`--no-save-models`, or the Spark engine)."), ""]
    (folder / "report.md").write_text("\n".join(lines), encoding="utf-8")
    records = result_rows(by_list, sort_by)
    payload = {"provenance": provenance, "results": records, "warnings": warnings or [],
               "preparation": None if preparation is None else {
                   "seconds": round(preparation.seconds, 2), "peak_memory_mib": round(preparation.peak_memory_mib, 1),
                   "tokens": preparation.tokens, "words": preparation.words},
               "run_peak_memory_mib": None if run_peak_mib is None else round(run_peak_mib, 1),
               "failed": [{"model": r.name, "stopwords": r.stopwords, "status": r.status, "error": r.error}
                          for r in failed],
               "mcnemar_p_values": _p_values(mcnemar), "mcnemar_holm_p_values": _p_values(holm),
               "accuracy_differences": {a: {b: {key: round(v, 6) for key, v in entry.items()}
                                            for b, entry in row.items()} for a, row in (differences or {}).items()},
               "histories": {r.name: r.history for r in results if r.history},
               "seed_accuracies": {r.name: r.seed_accuracies for r in done if r.seed_accuracies},
               "top_features": {r.name: r.top_features for r in done if r.top_features},
               "calibration": {r.name: {"brier": round(r.brier, 6), "probabilities": r.probability_source}
                               for r in done if r.brier is not None},
               "confusion_matrices": {r.name: r.metrics["confusion_matrix"] for r in done},
               "tuning": {r.name: dataclasses.asdict(r.tuning) for r in done if r.tuning is not None},
               "per_class": {r.name: r.metrics["per_class"] for r in done},
               "cross_validation": folds_payload}
    (folder / "results.json").write_text(json.dumps(payload, indent=1, sort_keys=True), encoding="utf-8")
    pd.DataFrame(records).to_csv(folder / "results.csv", index=False, float_format="%.4f")


def update_index(reports_dir: Path) -> Path:
    """Rewrite ``reports/README.md``: one line per report folder with its headline accuracy."""
    entries = []
    for results in sorted(reports_dir.glob("*/results.json")):
        try:
            data = json.loads(results.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        best = max(data["results"], key=lambda r: r["accuracy"], default=None)
        summary = f"best `{best['model']}` {best['accuracy']:.4f}" if best else "no finished model"
        entries.append(f"- [{results.parent.name}]({results.parent.name}/report.md): "
                       f"{data['provenance']['models']} — {summary}")
    header = "# Reports\n\nOne folder per comparison run (`report.md`, `results.json`, `results.csv`, figures).\n\n"
    index = reports_dir / "README.md"
    if index.exists() and not index.read_text(encoding="utf-8", errors="replace").startswith(header):
        logger.warning("Not updating %s: it was not written by imdb-baselines", index)
        return index
    with atomic_file(index, "w", encoding="utf-8") as out:
        out.write(header + "\n".join(entries) + "\n")
    return index
