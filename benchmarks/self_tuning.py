"""The baselines' automatic search against their fixed defaults, on the three shared data sets besides IMDB.

Usage: python benchmarks/self_tuning.py [--shared ../shared/data] [--sets sst5,trec,polarity2k] [--validation-only]

Each data set is compared twice with ``imdb_baselines.compare``: with ``tune=False`` (today's fixed defaults)
and with the default ``tune=None``, which searches each baseline's catalogue grid by 5-fold cross-validation on
the training texts alone when the grid is cheap there (``imdb_baselines.run.tuning``). SST-5 and TREC are
scored once on their test files (SST-5's dev file is its validation split, unread by the search); polarity v2.0
by 10-fold cross-validation of all 2,000 reviews (``validation_size=0``, the published protocol), each fold
searching its own training part. Prints a markdown table, with each search's choice and its cross-validated
accuracy against the defaults', and, on a test file, the exact McNemar test of the defaults' answers against the
self-tuned ones; writes JSON under ``benchmarks/results/``.

Where a data set has a validation file of its own (SST-5's dev file), each model is also fitted on the training
file with its defaults and with the search's choice and scored there: a second opinion on the choice from data
the search never read. ``--validation-only`` adds it to an earlier run's JSON without repeating the runs.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from results_file import RESULTS, read_results, results_target, write_results  # noqa: E402

import imdb_baselines  # noqa: E402
from imdb_baselines.evaluation.significance import mcnemar  # noqa: E402

MODELS = ["naive_bayes", "linear_svm", "nbsvm"]


def runs(shared: Path) -> dict[str, dict]:
    """Each data set's ``compare`` arguments."""
    return {
        "sst5": {"data": shared / "sst5" / "train.csv", "test": shared / "sst5" / "test.csv",
                 "validation": shared / "sst5" / "dev.csv", "text_column": "sentence"},
        "trec": {"data": shared / "trec" / "train.jsonl", "test": shared / "trec" / "test.jsonl",
                 "text_column": "question", "label_column": "coarse"},
        "polarity2k": {"data": shared / "polarity2k", "cv": 10, "validation_size": 0.0},
    }


def measure(arguments: dict, tune: bool | None, out: Path) -> dict:
    """One comparison: each model's accuracy (test, or the folds' mean), and what its search chose."""
    started = time.perf_counter()
    imdb_baselines.compare(models=MODELS, tune=tune, bootstrap=0, quiet=True, save_models=False, out=out,
                           **{k: str(v) if isinstance(v, Path) else v for k, v in arguments.items()})
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    if "cv" in arguments:
        accuracy = {m: e["summary"]["accuracy"]["mean"] for m, e in results["cross_validation"]["models"].items()}
        chosen = {m: [fold.get("tuned") for fold in e.get("folds", [])]
                  for m, e in results["cross_validation"]["models"].items()}
    else:
        accuracy = {row["model"]: row["accuracy"] for row in results["results"]}
        chosen = {m: t["best_params"] for m, t in results["tuning"].items()}
    tuning = {m: {k: t[k] for k in ("best_params", "best_score", "default_score", "note", "seconds")}
              for m, t in results["tuning"].items()}
    predictions = {}
    if "cv" not in arguments:  # each test text's label and each model's answer, for the paired test
        frame = pd.read_csv(out / "predictions.csv", usecols=["label", *(f"{m}_prediction" for m in MODELS)])
        predictions = {column: frame[column].astype(str).tolist() for column in frame.columns}
    return {"seconds": round(time.perf_counter() - started, 1), "accuracy": accuracy, "chosen": chosen,
            "tuning": tuning, "predictions": predictions}


def paired_tests(pair: dict) -> dict[str, dict]:
    """Each model's exact McNemar test of the defaults against the self-tuned choice on the same test texts."""
    before, after = pair["defaults"].get("predictions"), pair["automatic"].get("predictions")
    if not before or not after:  # cross-validated, or written before the predictions were kept
        return {}
    return {m: mcnemar(before["label"], before[f"{m}_prediction"], after[f"{m}_prediction"]) for m in MODELS}


def validation_check(arguments: dict, chosen: dict[str, dict]) -> dict[str, dict[str, float]]:
    """Each model fitted on the training file with its defaults and with ``chosen``, scored on the validation file."""
    from imdb_baselines import corpus
    from imdb_baselines.catalog import make_model

    columns = {k: arguments[k] for k in ("text_column", "label_column") if k in arguments}
    train = corpus.load_texts(arguments["data"], **columns).train
    validation = corpus.load_texts(arguments["validation"], **columns).train
    X, y = corpus.prepare(train["text"].tolist()), train["label"].to_numpy()
    X_val, y_val = corpus.prepare(validation["text"].tolist()), validation["label"].to_numpy()
    scores = {}
    for model in MODELS:
        settings = {k: tuple(v) if isinstance(v, list) else v for k, v in chosen.get(model, {}).items()}
        scores[model] = {label: round(float(np.mean(make_model(model, settings=given).fit(X, y).predict(X_val)
                                                    == y_val)), 4)
                         for label, given in (("defaults", None), ("chosen", settings))}
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--sets", default="sst5,trec,polarity2k")
    parser.add_argument("--validation-only", action="store_true",
                        help="add the validation check to benchmarks/results/self_tuning.json's earlier runs")
    args = parser.parse_args()
    path = RESULTS / "self_tuning.json" if args.validation_only else results_target(RESULTS / "self_tuning.json")
    sets = {name: arguments for name, arguments in runs(Path(args.shared)).items() if name in args.sets.split(",")}
    summary: dict[str, dict] = read_results(path) if args.validation_only else {}
    with tempfile.TemporaryDirectory() as scratch:
        for name, arguments in sets.items() if not args.validation_only else ():
            for label, tune in (("defaults", False), ("automatic", None)):
                summary.setdefault(name, {})[label] = measure(arguments, tune, Path(scratch) / f"{name}-{label}")
                print(f"{name} {label}: {summary[name][label]['seconds']} s", flush=True)
    for name, arguments in sets.items():
        if "validation" in arguments:
            summary[name]["validation"] = validation_check(arguments, summary[name]["automatic"]["chosen"])
            print(f"{name} validation file, defaults / chosen:", summary[name]["validation"], flush=True)
    print("| data | model | defaults | self-tuned | change | McNemar p (answers only one gets right: defaults, "
          "self-tuned) | chosen (cross-validated accuracy; the defaults') |")
    print("| :--- | :--- | ---: | ---: | ---: | ---: | :--- |")
    for name, pair in summary.items():
        pair["paired"] = tests = paired_tests(pair)
        for model in MODELS:
            test = tests.get(model)
            paired = f"{test['p_value']:.2g} ({test['b']}, {test['c']})" if test else "per fold"
            before, after = pair["defaults"]["accuracy"][model], pair["automatic"]["accuracy"][model]
            search = pair["automatic"]["tuning"].get(model)
            if search is None:
                chosen = "per fold (see JSON)"
            elif search["note"].startswith("not searched"):
                chosen = search["note"]
            else:
                settings = ", ".join(f"{k}={v}" for k, v in search["best_params"].items())
                chosen = f"{settings} ({search['best_score']:.4f}; {search['default_score']:.4f})"
                chosen += f"; {search['note']}" if search["note"] else ""
            print(f"| {name} | `{model}` | {100 * before:.2f} | {100 * after:.2f} | {100 * (after - before):+.2f} "
                  f"| {paired} | {chosen} |")
    write_results(path, summary, default=str)
    print(f"Written to {path}")


if __name__ == "__main__":
    main()
