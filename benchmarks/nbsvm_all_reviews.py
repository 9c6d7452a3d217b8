"""NBSVM trained on all 25,000 training reviews and tested once on the 25,000 test reviews, as published.

Usage: python benchmarks/nbsvm_all_reviews.py [--data PATH] [--cross-validate] [--out FILE]

Four settings, each chosen without the test set: the default (Wang & Manning's uni- to trigrams, C = 1,
beta = 0.25, SVM loss); the setting that 5-fold cross-validation on the training reviews prefers with folds
that keep each movie's reviews together (``benchmarks/tune_baselines.py --fine --movie-folds --min-df 1,2``:
n-grams in at least 2 reviews, the logistic loss, C = 0.1, beta = 0.4), which is close to Mesnil et al.'s
NBSVM-trigram run (logistic regression on binarized NB-scaled uni- to trigrams); and the default with no
stopword filtered, as Wang & Manning and Mesnil et al. ran it, which the same folds prefer for NBSVM
(``benchmarks/stopword_lists.py``: 0.09 points, standard error 0.06); then Mesnil et al.'s classifier (logistic
regression, C = 1, no interpolation: beta = 1, no stopword filtered) on the package's tokens. Prints each
setting's test accuracy with its 95 % interval (normal approximation), fit seconds (the texts prepared
beforehand), and the exact McNemar test of each setting against the default.

With ``--cross-validate`` no model sees a test review: each setting is cross-validated on the same 5 folds of
the training reviews in the archive's order, which keep each movie's reviews together, with its gain over the
default and the standard error of the fold-by-fold gain (the rule for a setting to be scored on test: a gain
above its standard error).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold, cross_val_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from results_file import RESULTS, results_target, write_results  # noqa: E402

from baselines import make_nbsvm  # noqa: E402
from imdb_baselines import corpus  # noqa: E402
from imdb_baselines.evaluation.significance import mcnemar  # noqa: E402

SETTINGS = {
    "default": {},
    "movie folds' choice": {"min_df": 2, "loss": "logistic", "C": 0.1, "beta": 0.4},
    "no stopwords": {"stopwords": "none"},
    "Mesnil et al.'s classifier": {"loss": "logistic", "C": 1.0, "beta": 1.0, "stopwords": "none"},
}
#: Each setting as ``make_nbsvm``'s arguments: its changes over the defaults, which filter the minimal stopwords.
ARGUMENTS = {name: {"stopwords": "minimal", **changes} for name, changes in SETTINGS.items()}


def cross_validate(prepared: dict, y: np.ndarray) -> dict:
    """Each setting's accuracy on the 5 movie-keeping folds of the training reviews; no model sees a test review.

    ``prepared`` holds the training reviews prepared once for each stopword list the settings name.
    """
    folds = StratifiedKFold(5)  # not shuffled: the archive's order keeps each movie's reviews in one fold
    scores = {name: cross_val_score(make_nbsvm(**arguments), prepared[arguments["stopwords"]], y, cv=folds)
              for name, arguments in ARGUMENTS.items()}
    summary = {}
    for name, fold_scores in scores.items():
        gains = fold_scores - scores["default"]
        summary[name] = {"settings": SETTINGS[name], "folds": [round(float(score), 4) for score in fold_scores],
                         "accuracy": round(float(fold_scores.mean()), 4), "gain": round(float(gains.mean()), 4),
                         "gain_se": round(float(gains.std(ddof=1) / np.sqrt(len(gains))), 4)}
        print(f"{name:28s} {summary[name]['accuracy']:.4f} (gain {100 * summary[name]['gain']:+.2f} points, "
              f"standard error {100 * summary[name]['gain_se']:.2f})", flush=True)
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="aclImdb_v1.tar.gz or aclImdb folder (default: IMDB_DATA)")
    parser.add_argument("--cross-validate", action="store_true",
                        help="cross-validate the settings on the training reviews' movie folds; test not scored")
    parser.add_argument("--out", type=results_target, default=None,
                        help="the results file (default: nbsvm_all_reviews.json, or nbsvm_all_reviews_folds.json)")
    args = parser.parse_args(argv)
    args.out = args.out or results_target(RESULTS / ("nbsvm_all_reviews_folds.json" if args.cross_validate
                                                     else "nbsvm_all_reviews.json"))
    imdb = corpus.load_imdb(args.data)
    y = imdb.train["label"].to_numpy()
    lists = sorted({arguments["stopwords"] for arguments in ARGUMENTS.values()})
    if args.cross_validate:
        write_results(args.out, cross_validate({stopwords: corpus.prepare(imdb.train["text"].tolist(), stopwords)
                                                for stopwords in lists}, y))
        return 0
    y_test = imdb.test["label"].to_numpy()
    prepared = {stopwords: (corpus.prepare(imdb.train["text"].tolist(), stopwords),
                            corpus.prepare(imdb.test["text"].tolist(), stopwords)) for stopwords in lists}
    summary, predictions = {"text_preparation": {name: X.settings for name, (X, _) in prepared.items()}}, {}
    for name, arguments in ARGUMENTS.items():
        X, X_test = prepared[arguments["stopwords"]]
        started = time.perf_counter()
        model = make_nbsvm(**arguments).fit(X, y)
        seconds = time.perf_counter() - started
        predictions[name] = model.predict(X_test)
        accuracy = float(np.mean(predictions[name] == y_test))
        half = 1.96 * np.sqrt(accuracy * (1 - accuracy) / len(y_test))
        summary[name] = {"settings": SETTINGS[name], "accuracy": round(accuracy, 4),
                         "interval": [round(accuracy - half, 4), round(accuracy + half, 4)],
                         "fit_seconds": round(seconds, 1)}
        if name != "default":
            test = mcnemar(y_test, predictions["default"], predictions[name])
            summary[name]["mcnemar_vs_default"] = {key: (round(value, 6) if isinstance(value, float) else value)
                                                   for key, value in test.items()}
        print(f"{name:28s} {accuracy:.4f} [{accuracy - half:.4f}, {accuracy + half:.4f}] fit {seconds:.0f} s"
              + (f"; McNemar against the default: {summary[name]['mcnemar_vs_default']}" if name != "default"
                 else ""), flush=True)
    write_results(args.out, summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
