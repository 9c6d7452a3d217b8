"""NBSVM trained on all 25,000 training reviews and tested once on the 25,000 test reviews, as published.

Usage: python benchmarks/nbsvm_all_reviews.py [--data PATH] [--out FILE]

Two settings, each chosen without the test set: the default (Wang & Manning's uni- to trigrams, C = 1,
beta = 0.25, SVM loss), and the setting that 5-fold cross-validation on the training reviews prefers with folds
that keep each movie's reviews together (``benchmarks/tune_baselines.py --fine --movie-folds --min-df 1,2``:
n-grams in at least 2 reviews, the logistic loss, C = 0.1, beta = 0.4), which is close to Mesnil et al.'s
NBSVM-trigram run (logistic regression on binarized NB-scaled uni- to trigrams). Prints each setting's test
accuracy with its 95 % interval (normal approximation), fit seconds, and the exact McNemar test between them.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from results_file import RESULTS, results_target, write_results  # noqa: E402

from baselines import make_nbsvm  # noqa: E402
from imdb_baselines import corpus  # noqa: E402
from imdb_baselines.evaluation.significance import mcnemar  # noqa: E402

SETTINGS = {
    "default": {},
    "movie folds' choice": {"min_df": 2, "loss": "logistic", "C": 0.1, "beta": 0.4},
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="aclImdb_v1.tar.gz or aclImdb folder (default: IMDB_DATA)")
    parser.add_argument("--out", type=results_target, default=str(RESULTS / "nbsvm_all_reviews.json"))
    args = parser.parse_args(argv)
    imdb = corpus.load_imdb(args.data)
    X, y = corpus.prepare(imdb.train["text"].tolist()), imdb.train["label"].to_numpy()
    X_test, y_test = corpus.prepare(imdb.test["text"].tolist()), imdb.test["label"].to_numpy()
    summary, predictions = {"text_preparation": X.settings}, {}
    for name, settings in SETTINGS.items():
        started = time.perf_counter()
        model = make_nbsvm(**settings).fit(X, y)
        seconds = time.perf_counter() - started
        predictions[name] = model.predict(X_test)
        accuracy = float(np.mean(predictions[name] == y_test))
        half = 1.96 * np.sqrt(accuracy * (1 - accuracy) / len(y_test))
        summary[name] = {"settings": settings, "accuracy": round(accuracy, 4),
                         "interval": [round(accuracy - half, 4), round(accuracy + half, 4)],
                         "fit_seconds": round(seconds, 1)}
        print(f"{name:20s} {accuracy:.4f} [{accuracy - half:.4f}, {accuracy + half:.4f}] fit {seconds:.0f} s",
              flush=True)
    test = mcnemar(y_test, *predictions.values())
    summary["mcnemar"] = {key: (round(value, 6) if isinstance(value, float) else value) for key, value in test.items()}
    print("McNemar:", summary["mcnemar"])
    write_results(args.out, summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
