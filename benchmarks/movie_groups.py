"""IMDB's validation carve with and without movie groups: how far validation accuracy runs ahead of test.

Usage: python benchmarks/movie_groups.py [--data ../shared/data/aclImdb_v1.tar.gz] [--models nbsvm,linear_svm]

The official test set holds movies the training set does not (one movie in 3,581 is shared), but a plain
stratified 10 % validation carve takes reviews of movies whose other reviews stay in training. For each model:
fitted on the training split, its accuracy on the validation carve and on the test set, with the carve plain
and with ``--group-column movie`` (whole movies), over several carves (seeds). The closer the mean gap is to
zero, the better validation stands in for the test set (early stopping, calibration and tuning all read it).
Writes JSON under ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from results_file import RESULTS, results_target, write_results  # noqa: E402

from imdb_baselines import corpus  # noqa: E402
from imdb_baselines.catalog import make_model  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "aclImdb_v1.tar.gz"))
    parser.add_argument("--models", default="nbsvm,linear_svm")
    parser.add_argument("--seeds", type=int, default=5, help="carves per setting (seeds 0, 1, ...)")
    args = parser.parse_args()
    target = results_target(RESULTS / "movie_groups.json")
    data = corpus.load_imdb(args.data)
    every = corpus.prepare(data.train["text"].tolist(), "minimal", n_jobs=2)  # tokenized once; carves take rows
    test = corpus.prepare(data.test["text"].tolist(), "minimal", n_jobs=2)
    position = {key: i for i, key in enumerate(corpus.review_keys(data.train))}
    rows = {}
    for label, column in (("plain carve", None), ("movie groups", "movie")):
        for name in args.models.split(","):
            runs = []
            for seed in range(args.seeds):
                splits = corpus.make_splits(data, seed=seed, stopwords="minimal", group_column=column)
                train = every.take([position[key] for key in splits.keys["train"]])
                held = every.take([position[key] for key in splits.keys["validation"]])
                model = make_model(name, stopwords="minimal").fit(train, splits.y_train)
                runs.append({"seed": seed, "validation": float(np.mean(model.predict(held) == splits.y_val)),
                             "test": float(np.mean(model.predict(test) == splits.y_test)),
                             "validation_texts": len(splits.y_val), "groups": splits.group_counts(),
                             "fingerprint": splits.fingerprint})
            gaps = [100 * (run["validation"] - run["test"]) for run in runs]
            rows[f"{name}, {label}"] = {"runs": runs, "mean_gap_points": round(float(np.mean(gaps)), 2),
                                        "gap_std_points": round(float(np.std(gaps, ddof=1)), 2)}
    print(f"| Model, validation carve | Validation − test, points, mean ± std over {args.seeds} carves | Seed 0: "
          "validation, test |")
    print("| :--- | ---: | ---: |")
    for key, row in rows.items():
        first = row["runs"][0]
        print(f"| {key} | {row['mean_gap_points']:+.2f} ± {row['gap_std_points']:.2f} | "
              f"{first['validation']:.4f}, {first['test']:.4f} |")
    path = write_results(target, rows)
    print(f"Written to {path}")


if __name__ == "__main__":
    main()
