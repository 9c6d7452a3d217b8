"""Choose the baselines' defaults by 5-fold cross-validation on the training split only.

Usage: python benchmarks/tune_baselines.py [--data PATH] [--out FILE]

The n-gram vocabulary is counted once on the whole training split (no labels
are used for that); every label-dependent step (Naive Bayes counts, NBSVM's
log-count ratio, IDF weights, the classifiers) is fitted inside each fold.
The test split is never read.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

import pandas as pd
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC

import corpus
from baselines import NaiveBayesClassifier, NBSVMClassifier, NgramVectorizer

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
    parser.add_argument("--out", default="benchmarks/results/tune_baselines.json")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--models", default=",".join(GRIDS), help="comma list of " + ", ".join(GRIDS))
    parser.add_argument("--fine", action="store_true", help="NBSVM only: the finer grid FINE_NBSVM on uni- to trigrams")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    train = corpus.load_imdb(args.data).train
    texts, labels = corpus.prepare(train["text"].tolist()), train["label"].to_numpy()
    folds = StratifiedKFold(args.folds, shuffle=True, random_state=0)
    rows = []
    grids = {**GRIDS, "nbsvm": (True, GRIDS["nbsvm"][1], FINE_NBSVM)} if args.fine else GRIDS
    for ngram_range in [(1, 3)] if args.fine else NGRAM_RANGES:
        for name in ["nbsvm"] if args.fine else args.models.split(","):
            binary, make, grid = grids[name]
            features = NgramVectorizer(ngram_range=ngram_range, binary=binary).fit_transform(texts)
            started = time.perf_counter()
            search = GridSearchCV(make(), grid, cv=folds, n_jobs=2).fit(features, labels)
            logging.info("%s %s: best %.4f %s (%.0f s)", name, ngram_range, search.best_score_,
                         search.best_params_, time.perf_counter() - started)
            for params, mean, std in zip(search.cv_results_["params"], search.cv_results_["mean_test_score"],
                                         search.cv_results_["std_test_score"]):
                rows.append({"model": name, "ngram_range": str(ngram_range), **params,
                             "cv_accuracy": round(float(mean), 4), "cv_std": round(float(std), 4)})
    table = pd.DataFrame(rows).sort_values(["model", "cv_accuracy"], ascending=[True, False])
    print(table.groupby("model").head(5).to_string(index=False))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
