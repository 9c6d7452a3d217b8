"""Markdown report, results.json and results.csv of a comparison run (deterministic text)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from evaluation.metrics import Metric, metric_table
from evaluation.runner import ModelResult, Preparation
from storage import atomic_file

__all__ = ["headline_rows", "update_index", "write_report"]

def _ok(results: list[ModelResult]) -> list[ModelResult]:
    """Finished results, best accuracy first, then by name (a stable order)."""
    done = [r for r in results if r.status == "ok"]
    return sorted(done, key=lambda r: (-round(r.metrics["accuracy"], 6), r.name))


def table_of(results: list[ModelResult]) -> tuple[Metric, ...]:
    """The metric table of these results (two classes or more)."""
    done = [r for r in results if r.status == "ok"]
    return metric_table(len(done[0].metrics["per_class"])) if done else metric_table(2)


def headline_rows(results: list[ModelResult]) -> list[dict[str, Any]]:
    """One flat record per finished model: every metric, its interval, and the costs."""
    rows = []
    for r in _ok(results):
        row: dict[str, Any] = {"model": r.name, "stopwords": r.stopwords}
        for metric in table_of(results):
            row[metric.name] = round(r.metrics[metric.name], 4)
            low, high = r.intervals.get(metric.name, (None, None))
            row[f"{metric.name}_ci_low"] = None if low is None else round(low, 4)
            row[f"{metric.name}_ci_high"] = None if high is None else round(high, 4)
        row.update({key: r.metrics[key] for key in ("tn", "fp", "fn", "tp") if key in r.metrics})
        row.update(fit_s=round(r.fit_s, 2), predict_s=round(r.predict_s, 2),
                   reviews_per_s=round(r.throughput, 1), peak_memory_mib=round(r.peak_memory_mib, 1),
                   model_mib=round(r.model_bytes / 2**20, 2))
        rows.append(row)
    return rows


def _table(header: list[str], rows: list[list[str]], align: str = "") -> str:
    align = align or "l" + "r" * (len(header) - 1)
    marks = ["---:" if a == "r" else ":---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _headline(rows: list[dict[str, Any]], table: tuple[Metric, ...]) -> str:
    with_ci = any(row["accuracy_ci_low"] is not None for row in rows)
    header = ["Model"] + [m.label + (" [95% CI]" if m.with_interval and with_ci else "") for m in table] + \
        ["Fit s", "Predict s"]
    body = []
    for row in rows:
        cells = [f"`{row['model']}`"]
        for metric in table:
            value = f"{row[metric.name]:.4f}"
            if metric.with_interval and with_ci:
                value += f" [{row[metric.name + '_ci_low']:.4f}, {row[metric.name + '_ci_high']:.4f}]"
            cells.append(value)
        cells += [f"{row['fit_s']:.1f}", f"{row['predict_s']:.1f}"]
        body.append(cells)
    return _table(header, body)


def _costs(rows: list[dict[str, Any]], preparation: Preparation | None) -> str:
    counts = [k for k in ("tn", "fp", "fn", "tp") if rows and k in rows[0]]
    header = ["Model", "Fit s", "Predict s", "Test texts/s", "Peak memory MiB", "Saved model MiB",
              *(k.upper() for k in counts)]
    body = []
    if preparation is not None:
        body.append([f"*shared text preparation* ({preparation.tokens:,} tokens)", f"{preparation.seconds:.1f}",
                     "—", "—", f"{preparation.peak_memory_mib:,.0f}", "—", *("—" for _ in counts)])
    body += [[f"`{r['model']}`", f"{r['fit_s']:.1f}", f"{r['predict_s']:.1f}", f"{r['reviews_per_s']:,.0f}",
              f"{r['peak_memory_mib']:,.0f}", f"{r['model_mib']:.1f}", *(f"{r[k]:,}" for k in counts)] for r in rows]
    return _table(header, body)


def _per_class(results: list[ModelResult]) -> str:
    """Precision, recall and F1 of every class for every model (more than two classes)."""
    done = _ok(results)
    classes = [entry["class"] for entry in done[0].metrics["per_class"]]
    header = ["Class", "Support"] + [f"`{r.name}` P / R / F1" for r in done]
    body = []
    for i, name in enumerate(classes):
        support = done[0].metrics["per_class"][i]["support"]
        cells = [f"{name}", f"{support:,}"]
        for r in done:
            entry = r.metrics["per_class"][i]
            cells.append(f"{entry['precision']:.3f} / {entry['recall']:.3f} / {entry['f1']:.3f}")
        body.append(cells)
    return _table(header, body)


def _mcnemar(matrix: pd.DataFrame) -> str:
    names = sorted(matrix.index)
    body = [[f"`{a}`"] + ["—" if a == b else f"{matrix.loc[a, b]:.2g}" for b in names] for a in names]
    return _table(["p-value"] + [f"`{n}`" for n in names], body)


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
    return _table(header, body)


def write_report(folder: Path, *, by_list: dict[str, list[ModelResult]], mcnemar: pd.DataFrame,
                 provenance: dict[str, Any], figures: dict[str, str], preparation: Preparation | None = None,
                 stopped: str | None = None) -> None:
    """Write ``report.md``, ``results.json`` and ``results.csv`` into ``folder``.

    Parameters
    ----------
    folder : Path
        The (staging) report folder; figures are already in it.
    by_list : dict
        Stopword list name to that list's results; the first list is primary.
    mcnemar : DataFrame
        McNemar p-values between the primary list's models.
    provenance : dict
        Command, seed, settings, split fingerprint, data checksum, versions...
    figures : dict
        Caption to file name (relative to ``folder``).
    preparation : Preparation, optional
        The shared text preparation's cost, its own row in the cost table.
    stopped : str or None
        How the run was stopped before every model ran (e.g. "stopped by
        SIGTERM"), or None if it ran to the end.
    """
    primary = next(iter(by_list))
    results = by_list[primary]
    rows = headline_rows(results)
    table = table_of(results)
    sizes, classes = provenance["split_sizes"], provenance["classes"]
    lines = [f"# {provenance['dataset']}: {', '.join(f'`{r.name}`' for r in results)}", ""]
    lines += [f"Test set: {sizes['test']:,} texts, touched once per model. Training: {sizes['train']:,}; "
              f"validation (used by the neural models only): {sizes['validation']:,}. "
              f"{len(classes)} classes: {', '.join(f'`{c}`' for c in classes)}"
              + (f" (positive: `{provenance['positive_label']}`)" if provenance["positive_label"] is not None
                 else "")
              + f". Stopword list for every model: {provenance['stopwords'][primary]}. "
              f"Split fingerprint `{provenance['fingerprints'][primary][:16]}`.", ""]
    shared = provenance["test_texts_also_in_training"]
    if shared:
        lines += [f"> **Validity warning:** {shared:,} test text(s) also occur, character for character, in the "
                  "training or validation texts, which flatters every model. `--drop-duplicates` removes them "
                  "from training and validation.", ""]
    if stopped:
        lines += [f"> **This run was stopped early** ({stopped}); only the models listed below finished.", ""]
    failed = [r for rs in by_list.values() for r in rs if r.status != "ok"]
    lines += ["## Results", "", _headline(rows, table), "",
              (f"Intervals: {provenance['n_resamples']} seeded percentile-bootstrap resamples of the test texts. "
               if provenance["n_resamples"] else "No confidence intervals (`--bootstrap 0`). ")
              + "ROC-AUC is computed from continuous scores (decision values or probabilities).", ""]
    if len(classes) > 2 and rows:
        lines += ["## Per class", "", "Precision / recall / F1 of each class on the test set.", "",
                  _per_class(results), ""]
    if failed:
        lines += ["## Failed models", ""] + [f"- `{r.name}` ({r.stopwords}): {r.status}: {r.error}"
                                              for r in failed] + [""]
    lines += ["## Cost", "", _costs(rows, preparation), "",
              "Peak memory is the resident memory added while the model was fitted and scored. Every model "
              "starts from the same prepared texts (normalised, tokenized and stopword-filtered once, the first "
              "row); the classical models also share each n-gram order's counts, which the first of them "
              "computes.", ""]
    if len(mcnemar) > 1:
        lines += ["## Paired significance (McNemar)", "",
                  "Exact McNemar test on the test texts where one model is right and the other wrong; p < 0.05 "
                  "means their error rates differ.", "", _mcnemar(mcnemar), ""]
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
              "text's id and label, and every model's prediction and score).", ""]
    (folder / "report.md").write_text("\n".join(lines), encoding="utf-8")
    records = [row for rs in by_list.values() for row in headline_rows(rs)]
    payload = {"provenance": provenance, "results": records,
               "preparation": None if preparation is None else {
                   "seconds": round(preparation.seconds, 2), "peak_memory_mib": round(preparation.peak_memory_mib, 1),
                   "tokens": preparation.tokens, "words": preparation.words},
               "failed": [{"model": r.name, "stopwords": r.stopwords, "status": r.status, "error": r.error}
                          for r in failed],
               "mcnemar_p_values": {a: {b: (None if pd.isna(v) else round(float(v), 6))
                                        for b, v in mcnemar.loc[a].items()} for a in mcnemar.index},
               "histories": {r.name: r.history for r in results if r.history},
               "confusion_matrices": {r.name: r.metrics["confusion_matrix"] for r in results if r.status == "ok"},
               "per_class": {r.name: r.metrics["per_class"] for r in results if r.status == "ok"}}
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
    text = "# Reports\n\nOne folder per comparison run (`report.md`, `results.json`, `results.csv`, figures).\n\n"
    text += "\n".join(entries) + "\n"
    with atomic_file(reports_dir / "README.md", "w", encoding="utf-8") as out:
        out.write(text)
    return reports_dir / "README.md"
