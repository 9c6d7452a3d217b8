"""Choose the baselines' defaults by 5-fold cross-validation on the training split only.

Usage: python benchmarks/tune_baselines.py [--data PATH] [--out FILE] [--fine] [--movie-folds] [--min-df 1,2]

The n-gram vocabulary is counted once on the whole training split (no labels
are used for that); every label-dependent step (Naive Bayes counts, NBSVM's
log-count ratio, IDF weights, the classifiers) is fitted inside each fold.
The test split is never read.
"""

from __future__ import annotations

import argparse
import logging
import time
from itertools import product

import pandas as pd
from results_file import results_target, write_results
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC

from baselines import NaiveBayesClassifier, NBSVMClassifier, NgramVectorizer
from imdb_baselines import corpus

GRIDS = {
    "naive_bayes": (True, lambda: NaiveBayesClassifier(), {"alpha": [0.1, 0.3, 1.0]}),
    "linear_svm": (
        False,
        lambda: make_pipeline(TfidfTransformer(sublinear_tf=True), LinearSVC(random_state=0)),
        {"linearsvc__C": [0.1, 0.3, 1.0, 3.0, 10.0, 30.0]},
    ),
    "nbsvm": (
        True,
        lambda: NBSVMClassifier(),
        {"C": [0.1, 1.0], "beta": [0.25, 0.5, 1.0], "loss": ["svm", "logistic"]},
    ),
}
NGRAM_RANGES = [(1, 1), (1, 2), (1, 3)]
#: A finer NBSVM grid around the defaults (``--fine``), on uni- to trigrams only.
FINE_NBSVM = {"C": [0.03, 0.1, 0.3, 1.0], "beta": [0.1, 0.25, 0.4], "alpha": [0.5, 1.0], "loss": ["svm", "logistic"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="aclImdb_v1.tar.gz or aclImdb folder (default: IMDB_DATA)")
    parser.add_argument("--out", type=results_target, default="benchmarks/results/tune_baselines.json")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--models", default=",".join(GRIDS), help="comma list of " + ", ".join(GRIDS))
    parser.add_argument("--fine", action="store_true", help="NBSVM only: the finer grid FINE_NBSVM on uni- to trigrams")
    parser.add_argument("--movie-folds", action="store_true",
                        help="folds in the archive's order, which numbers each movie's reviews consecutively: every "
                        "fold holds whole movies (but the few at fold edges), as the test set holds movies the "
                        "training set never saw; default: shuffled folds")
    parser.add_argument("--min-df", default="1", help="comma list of min_df values to try (each counts its own "
                        "vocabulary)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    train = corpus.load_imdb(args.data).train
    texts, labels = corpus.prepare(train["text"].tolist()), train["label"].to_numpy()
    folds = StratifiedKFold(args.folds) if args.movie_folds else StratifiedKFold(args.folds, shuffle=True,
                                                                                  random_state=0)
    rows = []
    grids = {**GRIDS, "nbsvm": (True, GRIDS["nbsvm"][1], FINE_NBSVM)} if args.fine else GRIDS
    for ngram_range, min_df in product([(1, 3)] if args.fine else NGRAM_RANGES, map(int, args.min_df.split(","))):
        for name in ["nbsvm"] if args.fine else args.models.split(","):
            binary, make, grid = grids[name]
            features = NgramVectorizer(ngram_range=ngram_range, binary=binary, min_df=min_df).fit_transform(texts)
            started = time.perf_counter()
            search = GridSearchCV(make(), grid, cv=folds, n_jobs=2).fit(features, labels)
            logging.info("%s %s min_df %d: best %.4f %s (%.0f s)", name, ngram_range, min_df, search.best_score_,
                         search.best_params_, time.perf_counter() - started)
            results = search.cv_results_
            for i, params in enumerate(results["params"]):
                rows.append({"model": name, "ngram_range": str(ngram_range), "min_df": min_df, **params,
                             "cv_accuracy": round(float(results["mean_test_score"][i]), 4),
                             "cv_std": round(float(results["std_test_score"][i]), 4),
                             "folds": [round(float(results[f"split{k}_test_score"][i]), 4)
                                       for k in range(args.folds)]})
    table = pd.DataFrame(rows).sort_values(["model", "cv_accuracy"], ascending=[True, False])
    print(table.groupby("model").head(5).drop(columns="folds").to_string(index=False))
    write_results(args.out, rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
