"""Whether the automatic search's choices beat the defaults on texts the search never read: nested cross-validation.

Usage: python benchmarks/nested_tuning.py [--shared ../shared/data] [--sets sst5,trec,polarity2k] [--models M,...]
       [--out PATH]

The automatic search (``imdb_baselines.run.tuning``) compares its best candidate with the defaults on the folds
it chose the best on; the best of a hundred candidates is favoured by those folds' noise as well as by its
merit. Here each training file is split into 5 stratified outer folds in the file's order (as the search's own
folds are); on each outer training part the search runs as a comparison runs it (``tune(automatic=True)``: the
5-fold grid search and its standard-error rule), and its choice and the defaults are both fitted on that part
and scored on the outer fold, which no search read. The mean of the five differences estimates what searching
is worth on such data, free of the selection; its standard error says whether the folds can tell.

Only training files are read: no test or dev file. Polarity v2.0 has none of its own; its training file here is
the loader's training part (1,600 of its 2,000 reviews), the 400 the loader holds out unread. Prints a markdown
table and writes JSON under ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold
from sklearn.utils import _safe_indexing

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from results_file import RESULTS, results_target, write_results  # noqa: E402

from imdb_baselines import corpus  # noqa: E402
from imdb_baselines.catalog import make_model, resolved_settings, search_grid  # noqa: E402
from imdb_baselines.run.tuning import automatic_refusal, tune  # noqa: E402

MODELS = ["naive_bayes", "linear_svm", "nbsvm"]
OUTER_FOLDS = 5


def training_files(shared: Path) -> dict[str, Callable[[], pd.DataFrame]]:
    """Each data set's training file, as a loader (never its test or dev file)."""
    frames = {
        "sst5": lambda: corpus.load_texts(shared / "sst5" / "train.csv", text_column="sentence").train,
        "trec": lambda: corpus.load_texts(shared / "trec" / "train.jsonl", text_column="question",
                                          label_column="coarse").train,
        "polarity2k": lambda: corpus.load_texts(shared / "polarity2k").train,
    }
    return frames


def nested(name: str, X, y: np.ndarray) -> dict:
    """The search's choice against the defaults on each outer fold, or why the model is not searched."""
    grid = search_grid(name)
    refusal = automatic_refusal(name, grid, X)
    if refusal:
        return {"note": f"not searched: {refusal}"}
    settings = resolved_settings(name)
    default = {key: settings.get(key) for key in grid}
    folds = []
    started = time.perf_counter()
    for train, held_out in StratifiedKFold(OUTER_FOLDS).split(np.zeros(len(y)), y):
        X_train, X_held_out = _safe_indexing(X, train), _safe_indexing(X, held_out)
        search = tune(lambda given: make_model(name, settings=given), name, X_train, y[train], grid=grid,
                      neural=False, default=default, automatic=True)
        chosen = make_model(name, settings=search.best_params).fit(X_train, y[train])
        defaults = make_model(name).fit(X_train, y[train])
        folds.append({"chosen": {k: list(v) if isinstance(v, tuple) else v for k, v in search.best_params.items()},
                      "inner_best": round(search.best_score, 4), "inner_defaults": round(search.default_score, 4),
                      "kept_defaults": bool(search.note) or search.best_params == search.default_params,
                      "defaults": round(float(np.mean(defaults.predict(X_held_out) == y[held_out])), 4),
                      "searched": round(float(np.mean(chosen.predict(X_held_out) == y[held_out])), 4)})
    gains = np.array([fold["searched"] - fold["defaults"] for fold in folds])
    inner = np.array([fold["inner_best"] - fold["inner_defaults"] for fold in folds])
    return {"folds": folds, "gain": round(float(gains.mean()), 4),
            "error": round(float(gains.std(ddof=1) / np.sqrt(len(gains))), 4),
            "inner_gain": round(float(inner.mean()), 4), "seconds": round(time.perf_counter() - started, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--sets", default="sst5,trec,polarity2k")
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--out", type=results_target, default=str(RESULTS / "nested_tuning.json"))
    args = parser.parse_args()
    summary: dict[str, dict] = {}
    for data, load in training_files(Path(args.shared)).items():
        if data not in args.sets.split(","):
            continue
        frame = load()
        X, y = corpus.prepare(frame["text"].tolist()), frame["label"].to_numpy()
        for name in args.models.split(","):
            summary.setdefault(data, {})[name] = result = nested(name, X, y)
            print(data, name, {k: v for k, v in result.items() if k != "folds"}, flush=True)
    print("| data | model | search's gain on the outer folds (standard error) | as the inner folds saw it |"
          " choices kept (of 5) |")
    print("| :--- | :--- | ---: | ---: | ---: |")
    for data, models in summary.items():
        for name, result in models.items():
            if "folds" not in result:
                print(f"| {data} | `{name}` | {result['note']} | | |")
                continue
            moved = sum(not fold["kept_defaults"] for fold in result["folds"])
            print(f"| {data} | `{name}` | {100 * result['gain']:+.2f} ({100 * result['error']:.2f}) "
                  f"| {100 * result['inner_gain']:+.2f} | {moved} |")
    print(f"Written to {write_results(args.out, summary)}")


if __name__ == "__main__":
    main()
