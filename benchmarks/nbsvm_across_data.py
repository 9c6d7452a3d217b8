"""NBSVM's default against the setting IMDB's movie-keeping folds prefer, on other data sets' training data.

Usage: python benchmarks/nbsvm_across_data.py [--shared ../shared/data] [--out FILE]

5-fold stratified, shuffled cross-validation on the training file of SST-5 (CSV, 5 classes), TREC (JSON
Lines, 6 classes) and polarity2k (a folder per class); their test files are never read. A default has to
hold on data it was not chosen on.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold, cross_val_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from results_file import RESULTS, results_target, write_results  # noqa: E402

from baselines import make_nbsvm  # noqa: E402
from imdb_baselines import corpus  # noqa: E402

SETTINGS = {
    "default (Wang & Manning)": {},
    "IMDB movie folds' best": {"min_df": 2, "loss": "logistic", "C": 0.1, "beta": 0.4},
    "that, with C = 1": {"min_df": 2, "loss": "logistic", "C": 1.0, "beta": 0.4},
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--out", type=results_target, default=str(RESULTS / "nbsvm_across_data.json"))
    args = parser.parse_args(argv)
    shared = Path(args.shared)
    data = {
        "sst5": corpus.load_texts(shared / "sst5" / "train.csv", text_column="sentence"),
        "trec": corpus.load_texts(shared / "trec" / "train.jsonl", text_column="question", label_column="coarse"),
        "polarity2k": corpus.load_texts(shared / "polarity2k"),
    }
    summary: dict = {}
    for name, texts in data.items():
        X, y = corpus.prepare(texts.train["text"].tolist()), texts.train["label"].to_numpy()
        for label, settings in SETTINGS.items():
            scores = cross_val_score(make_nbsvm(**settings), X, y, cv=StratifiedKFold(5, shuffle=True, random_state=0))
            summary.setdefault(name, {})[label] = {"cv_accuracy": round(float(np.mean(scores)), 4),
                                                    "cv_std": round(float(np.std(scores)), 4)}
            print(f"{name:11s} {label:26s} {np.mean(scores):.4f} ({np.std(scores):.4f})", flush=True)
    write_results(args.out, summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
