"""Markdown sections of the report beyond the headline: variance, agreement, length, what was learned, mistakes."""

from __future__ import annotations

from collections.abc import Sequence
from statistics import mean, stdev
from typing import Any

import numpy as np
import pandas as pd

from imdb_baselines.corpus.dataset import plain_label
from imdb_baselines.evaluation.analysis import agreement_matrix, all_wrong, confident_mistakes, excerpt, length_buckets
from imdb_baselines.run.results import ModelResult, Preparation

__all__ = ["agreement", "costs", "learned", "lengths", "markdown_table", "mistakes", "variance"]


def markdown_table(header: list[str], rows: list[list[str]], align: str = "") -> str:
    """A GitHub-flavoured markdown table; ``align`` is one "l" or "r" per column (default: first left)."""
    align = align or "l" + "r" * (len(header) - 1)
    marks = ["---:" if a == "r" else ":---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks) + " |"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def variance(results: list[ModelResult], repeats: int) -> list[str]:
    """Test accuracy across training seeds beside the bootstrap interval, and which differences the seeds cover."""
    lines = ["## Training variance", "",
             "The bootstrap interval says how much a model's accuracy depends on which test texts were drawn; "
             f"retraining with {repeats} seeds (the split fixed) says how much it depends on the training run "
             "itself. Two models whose difference is within their seed-to-seed spread are not reliably "
             "ordered, however narrow their intervals.", ""]
    rows, spreads = [], {}
    for r in results:
        interval = r.intervals.get("accuracy")
        shown = f"[{interval[0]:.4f}, {interval[1]:.4f}]" if interval else "—"
        if not r.seed_accuracies:
            rows.append([f"`{r.name}`", "deterministic: the seed changes nothing", f"{r.metrics['accuracy']:.4f}",
                         "0", "—", shown])
            spreads[r.name] = (r.metrics["accuracy"], 0.0)
            continue
        values = r.seed_accuracies
        spread = stdev(values) if len(values) > 1 else 0.0
        spreads[r.name] = (mean(values), spread)
        rows.append([f"`{r.name}`", ", ".join(f"{v:.4f}" for v in values), f"{mean(values):.4f}", f"{spread:.4f}",
                     f"{min(values):.4f}–{max(values):.4f}", shown])
    lines += [markdown_table(["Model", "Test accuracy per seed", "Mean", "Std", "Range", "Bootstrap 95% CI"],
                             rows), ""]
    close = [f"`{a}` and `{b}` ({abs(spreads[a][0] - spreads[b][0]):.4f} apart)" for i, a in enumerate(spreads)
             for b in list(spreads)[i + 1:] if abs(spreads[a][0] - spreads[b][0]) <= spreads[a][1] + spreads[b][1]]
    lines += [("Within their seed-to-seed spread (difference of means ≤ the sum of their standard deviations): "
               + "; ".join(close) + ".") if close else
              "Every pair of models differs by more than their seed-to-seed spread.", ""]
    return lines


def agreement(results: list[ModelResult]) -> list[str]:
    """How often each pair of models predicts the same label."""
    matrix = agreement_matrix({r.name: r.predictions for r in results})
    names = list(matrix.index)
    rows = [[f"`{a}`"] + ["—" if a == b else f"{matrix.loc[a, b]:.3f}" for b in names] for a in names]
    return ["## Agreement", "", "Share of test texts on which two models predict the same label.", "",
            markdown_table(["agreement"] + [f"`{n}`" for n in names], rows), ""]


def lengths(results: list[ModelResult], texts: Sequence[str], y_test: np.ndarray) -> list[str]:
    """Accuracy on the shortest, middle and longest third of the test texts."""
    table = length_buckets(texts, y_test, {r.name: r.predictions for r in results})
    buckets = list(table.columns)
    rows = [["texts"] + [f"{int(table.loc['texts', b]):,}" for b in buckets]]
    rows += [[f"`{m}`"] + [f"{table.loc[m, b]:.4f}" for b in buckets] for m in table.index if m != "texts"]
    return ["## Where it is hard: accuracy by length", "",
            "Test accuracy on the shortest, middle and longest third of the test texts (words split on spaces).",
            "", markdown_table(["Model"] + buckets, rows), ""]


def learned(results: list[ModelResult], classes: Sequence) -> list[str]:
    """The n-grams each linear model weighs most towards each class."""
    shown = [r for r in results if r.top_features]
    if not shown:
        return []
    lines = ["## What the linear models learned", "",
             "The n-grams each model weighs most towards each class (linear weight, one-vs-rest for more than two "
             "classes; for Naive Bayes the log probability ratio).", ""]
    toward = {"positive": classes[1], "negative": classes[0]} if len(classes) == 2 else {c: c for c in classes}
    for r in shown:
        table = pd.DataFrame(r.top_features)
        for side, group in table.groupby("polarity", sort=False):
            cells = ", ".join(f"{f} ({w:+.2f})" for f, w in zip(group["feature"], group["weight"]))
            lines.append(f"- `{r.name}` → `{toward.get(side, side)}`: {cells}")
    return lines + [""]


def mistakes(results: list[ModelResult], texts: Sequence[str], y_test: np.ndarray, classes: Sequence,
             ids: Sequence[str], per_class: int = 2) -> list[str]:
    """Each model's most confident mistakes per true class, and the texts every model gets wrong."""
    lines = ["## Where each model goes wrong", "",
             f"Each model's {per_class} most confident mistakes per true class (" +
             ("the model's score for the positive class, 0 the boundary" if len(classes) == 2 else
              "the margin: how far the model's score for the predicted class lies above its score for the class "
              "it ranked next, named") + "), with the text's id in `predictions.csv`.", ""]
    for r in results:
        lines += [f"### `{r.name}`", ""]
        for m in confident_mistakes(y_test, r.predictions, r.scores, classes, per_class=per_class):
            how_sure = f"score {m.score:+.3f}" if m.runner_up is None else \
                f"margin {m.confidence:.3f} over `{m.runner_up}`"
            lines.append(f"- true `{m.true}`, predicted `{m.predicted}` ({how_sure}, `{ids[m.index]}`): "
                         f"“{excerpt(texts[m.index])}”")
        lines.append("")
    wrong = all_wrong(y_test, {r.name: r.predictions for r in results})
    if len(results) > 1:
        lines += [f"### Wrong for every model: {len(wrong):,} test texts ({len(wrong) / len(y_test):.1%})", ""]
        lines += [f"- true `{plain_label(y_test[i])}` (`{ids[i]}`): “{excerpt(texts[i])}”" for i in wrong[:5]]
        lines.append("")
    return lines


def differences(results: list[ModelResult], gaps: dict[str, dict[str, dict[str, float]]],
                holm: pd.DataFrame) -> list[str]:
    """How far the most accurate model is ahead of each other one: the accuracy difference in points with its
    paired bootstrap interval, and the McNemar p-value adjusted by Holm's method (``holm``)."""
    if len(results) < 2 or not gaps:
        return []
    best = max(results, key=lambda r: r.metrics["accuracy"]).name
    with_interval = "ci_low" in gaps[best][next(iter(gaps[best]))]
    rows = []
    for r in sorted((r for r in results if r.name != best), key=lambda r: -r.metrics["accuracy"]):
        gap = gaps[best][r.name]
        cell = f"{100 * gap['difference']:+.2f}" + (
            f" [{100 * gap['ci_low']:+.2f}, {100 * gap['ci_high']:+.2f}]" if with_interval else "")
        rows.append([f"`{r.name}`", cell, f"{holm.loc[best, r.name]:.2g}"])
    interval = (", with a 95% interval from bootstrap resamples of the test texts that draw each text for both "
                "models at once (paired: it is narrower than the two models' own intervals suggest when they err "
                "on the same texts)") if with_interval else ""
    return [f"Test accuracy of `{best}`, the most accurate model, minus each other model's, in points{interval}. "
            + ("The interval is not adjusted for the number of comparisons; the McNemar p-value beside it is." if
               with_interval else "Beside it, the McNemar p-value adjusted for the number of comparisons."), "",
            markdown_table(["Model", f"`{best}` minus it" + (" [95% CI]" if with_interval else ""),
                            "McNemar p (Holm)"], rows), ""]


#: How the tuning section names what a search optimised.
TUNE_METRIC_NAMES = {"accuracy": "accuracy", "macro_f1": "macro F1", "roc_auc": "ROC-AUC", "log_loss": "log loss"}


def tuning(results: list[ModelResult]) -> list[str]:
    """The tuning section: each model's grid, its cross-validated scores, and the settings chosen (``--tune``, or
    the automatic search of the baselines' grids that are cheap on the training set)."""
    automatic = all(result.tuning.automatic for result in results)
    lines = ["## Tuning" + ("" if automatic else " (`--tune`)"), ""]
    if automatic and all(result.tuning.note.startswith("not searched") for result in results):
        lines += ["No grid was searched on this training set, so the fixed defaults were kept (`--tune` searches the "
                  "grids anyway):", ""]
        for result in results:
            lines += [f"`{result.name}`: {result.tuning.note}.", ""]
        return lines
    if automatic:
        lines += ["The baselines' grids that are cheap on this training set were searched without `--tune` "
                  "(`--no-tune` turns this off); a search keeps the defaults unless the best candidate beats them "
                  "by more than the standard error of their fold-by-fold difference.", ""]
    lines += ["Each grid was searched by stratified cross-validation on the training split only (validation and "
              "test unseen), with folds in the texts' order (on IMDB each fold holds whole movies, as the test set "
              "does); the model was then fitted with the settings chosen. Each candidate's score is the mean over "
              "the folds (± its standard deviation).", ""]
    for result in results:
        t = result.tuning
        if t.note.startswith("not searched"):
            lines += [f"`{result.name}`: {t.note}.", ""]
            continue
        if not t.grid:
            lines += [f"`{result.name}`: nothing left to tune (every setting of its grid was fixed with --set).", ""]
            continue
        best = ", ".join(f"{k}={v}" for k, v in t.best_params.items())
        metric = TUNE_METRIC_NAMES.get(getattr(t, "metric", "accuracy"), "accuracy")
        against = "" if t.default_score is None or t.best_params == t.default_params else \
            f", against {t.default_score:.4f} with the defaults"
        lines += [f"`{result.name}`: {len(t.grid)} candidates × {t.folds} folds in {t.seconds:.0f} s; chosen: "
                  f"{best} (cross-validated {metric} {t.best_score:.4f}{against})"
                  + (f"; {t.note}" if t.note else "") + ".", ""]
        rows = sorted(t.grid, key=lambda row: row["mean"] if t.metric == "log_loss" else -row["mean"])
        keys = list(rows[0]["params"])
        shown = rows if len(rows) <= 12 else rows[:10]
        lines += [markdown_table([*keys, metric],
                                 [[str(row["params"][k]) for k in keys]
                                  + [f"{row['mean']:.4f} ± {row['std']:.4f}"] for row in shown],
                                 align="l" * len(keys) + "r"), ""]
        if len(shown) < len(rows):
            lines += [f"The best 10 of {len(rows)} candidates; `results.json` holds every one.", ""]
    return lines


def taken_members(done: list[ModelResult]) -> list[str]:
    """A line for each stack that took Keras members from the run's own fits rather than training them again."""
    lines = []
    for r in (r for r in done if r.taken_members):
        named = " and ".join(f"`{name}`" for name in r.taken_members)
        one = len(r.taken_members) == 1
        fits = "that fit's" if one else "those fits'"
        lines.append(f"`{r.name}` took its member{'' if one else 's'} {named} from this run's own fits of "
                     f"{'that model' if one else 'those models'} (the same seed, settings and texts) instead of "
                     f"training {'it' if one else 'them'} again; its fit seconds include {fits}.")
    return lines + [""] if lines else []


def _seconds(value: float) -> str:
    """Wall seconds to one decimal; one that would read 0.0 reads "< 0.1" (every fit and prediction takes some)."""
    return "< 0.1" if value < 0.05 else f"{value:.1f}"


def costs(rows: list[dict[str, Any]], preparation: Preparation | None, *, engine: str = "local", saved: bool = True,
          searched: dict[str, float] | None = None, run_peak_mib: float | None = None) -> list[str]:
    """The cost section: each model's time, speed, memory and size (and the search of its settings, if searched).

    ``rows`` are the leaderboard's rows; ``searched`` maps a model to the seconds its cross-validated search took.
    """
    counts = [k for k in ("tn", "fp", "fn", "tp") if rows and k in rows[0]]
    search = ["Search s"] if searched else []
    header = ["Model", *search, "Fit s", "Predict s", "Test texts/s", "Memory added MiB", "Saved model MiB",
              *(k.upper() for k in counts)]
    body = []
    if preparation is not None:
        body.append([f"*shared text preparation* ({preparation.tokens:,} tokens)", *("—" for _ in search),
                     _seconds(preparation.seconds), "—", "—", f"{preparation.peak_memory_mib:,.0f}", "—",
                     *("—" for _ in counts)])
    body += [[f"`{r['model']}`", *(_seconds(searched[r["model"]]) if r["model"] in searched else "—"
                                   for _ in search),
              _seconds(r["fit_s"]), _seconds(r["predict_s"]), f"{r['reviews_per_s']:,.0f}",
              f"{r['peak_memory_mib']:,.0f}", f"{r['model_mib']:.1f}" if saved else "not saved",
              *(f"{r[k]:,}" for k in counts)] for r in rows]
    peak = f" The run's peak resident memory: {run_peak_mib:,.0f} MiB." if run_peak_mib else ""
    memory = {"local": "Memory added is the resident memory a model added while it was fitted and scored, above what "
                       "the run already held (the prepared texts, and the n-gram counts the classical models share, "
                       "which the first of them computes)." + peak,
              "chunked": "Memory added is the resident memory a model added while its fit was finished (for the "
                         "SVMs, the Newton passes over its rows on disk) and it scored the test set; its share of the "
                         "one pass that read and counted the training chunks is in its fit time." + peak,
              "spark": "Memory added is the resident memory the whole process tree (the Python driver, Spark's JVM "
                       "and its Python workers) added while a model was fitted and scored; the JVM keeps what its "
                       "heap once took, so later models show less."}[engine]
    lines = ["## Cost", "", markdown_table(header, body), ""]
    if searched:
        lines += ["Search s is the time the cross-validated search of a model's settings took (see Tuning), before "
                  "its fit.", ""]
    return lines + [memory, ""]
