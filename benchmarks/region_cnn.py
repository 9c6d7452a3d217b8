"""The region-embedding CNN alone and stacked with the bag-of-n-grams ensemble, on IMDB's reference split.

Usage: python benchmarks/region_cnn.py [--data PATH] [--models region_cnn,region_cnn_unlabelled] [--out FILE]

The package's reference split (seed 0, a validation carve of whole movies, ``--group-column movie``): NBSVM and
the catalogue's ``ensemble`` are fitted on the training split; each region CNN on it too, early-stopping on
the validation split, the unlabelled variant learning its region embedding from the 50,000 unlabelled reviews
plus the training split (cached). Each CNN is then stacked with the ensemble by a logistic regression fitted on
their log-odds over the validation split (the CNN is too slow to fit five times for out-of-fold values; it
chose its epoch on the same split, which flatters it a little there). Every choice is made on training or
validation texts; the test set is scored once per model: accuracy with its 95 % bootstrap interval, exact
McNemar against NBSVM and against the ensemble, and each model's fit time. Writes JSON under
``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from imdb_baselines import corpus  # noqa: E402
from imdb_baselines.catalog import make_model  # noqa: E402
from imdb_baselines.evaluation.metrics import bootstrap_intervals  # noqa: E402
from imdb_baselines.evaluation.significance import mcnemar  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("IMDB_DATA", str(ROOT.parent / "shared" / "data"
                                                                           / "aclImdb_v1.tar.gz")))
    parser.add_argument("--models", default="region_cnn,region_cnn_unlabelled")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "region_cnn.json"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    data = corpus.load_imdb(args.data, include_unsup=True)
    splits = corpus.make_splits(data, validation_size=0.1, seed=0, stopwords="minimal", group_column="movie")
    X_train, X_val, X_test = (list(splits.X_train), list(splits.X_val), list(splits.X_test))
    y_train, y_val, y_test = splits.y_train, splits.y_val, splits.y_test
    unlabelled = data.unsup["text"].tolist()
    fitted, seconds = {}, {}
    for name in ("nbsvm", "ensemble", *args.models.split(",")):
        model = make_model(name, stopwords="minimal", seed=0, neural_overrides={"verbose": "log"})
        started = time.perf_counter()
        if name.startswith("region_cnn"):
            model.fit(X_train, y_train, validation_data=(X_val, y_val),
                      **({"unlabelled": unlabelled} if name.endswith("unlabelled") else {}))
        else:
            model.fit(X_train, y_train)
        seconds[name] = time.perf_counter() - started
        fitted[name] = model
        logging.info("%s fitted in %.0f s", name, seconds[name])
    scores = {name: model.decision_function(X_test) for name, model in fitted.items()}
    validation = {name: fitted[name].decision_function(X_val) for name in fitted if name.startswith("region_cnn")}
    validation["ensemble"] = fitted["ensemble"].decision_function(X_val)
    summary: dict = {"validation_accuracy": {}, "stackers": {}}
    for name in [n for n in fitted if n.startswith("region_cnn")]:
        summary["validation_accuracy"][name] = float(np.mean((validation[name] > 0) == (y_val == 1)))
        stacker = LogisticRegression().fit(np.column_stack([validation["ensemble"], validation[name]]), y_val)
        summary["stackers"][f"ensemble+{name}"] = {"coef": stacker.coef_.ravel().tolist(),
                                                   "intercept": float(stacker.intercept_[0])}
        scores[f"ensemble+{name}"] = stacker.decision_function(np.column_stack([scores["ensemble"], scores[name]]))
        seconds[f"ensemble+{name}"] = seconds["ensemble"] + seconds[name]
    predictions = {name: (score > 0).astype(int) for name, score in scores.items()}
    rows = {}
    for name, predicted in predictions.items():
        intervals = bootstrap_intervals(y_test, predicted, scores[name], n_resamples=1000, seed=0)
        rows[name] = {"accuracy": float(np.mean(predicted == y_test)), "interval": list(intervals["accuracy"]),
                      "fit_s": round(seconds[name], 1),
                      "mcnemar_p_vs_nbsvm": mcnemar(y_test, predicted, predictions["nbsvm"])["p_value"],
                      "mcnemar_p_vs_ensemble": mcnemar(y_test, predicted, predictions["ensemble"])["p_value"]}
    summary["test"] = rows
    print("| model | test accuracy [95% CI] | fit s | McNemar p vs NBSVM | vs ensemble |")
    print("| :--- | ---: | ---: | ---: | ---: |")
    for name, row in rows.items():
        low, high = row["interval"]
        print(f"| `{name}` | {row['accuracy']:.4f} [{low:.4f}, {high:.4f}] | {row['fit_s']:.0f} | "
              f"{row['mcnemar_p_vs_nbsvm']:.2g} | {row['mcnemar_p_vs_ensemble']:.2g} |")
    print("validation accuracy:", summary["validation_accuracy"], "stackers:", summary["stackers"])
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(summary, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
