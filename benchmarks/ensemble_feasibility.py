"""Would stacking reach the published ensemble? Members' validation scores stacked, measured on the test set.

Usage: python benchmarks/ensemble_feasibility.py [--data PATH] [--vector-size 100] [--epochs 10]
       [--neural fasttext_trigrams]

Fits, on the package's training split: the three baselines, and paragraph vectors (gensim Doc2Vec,
PV-DBOW) learned from the training and the 50,000 unlabelled reviews (never validation or test), with
a logistic regression on the training vectors; validation and test reviews get inferred vectors; and the
named neural models of ``--neural`` (trained with the validation split for early stopping). Then
every combination of members is stacked by a logistic regression fitted on their validation scores, and
scored once on the test set. A feasibility check for an ``ensemble`` model: it tells which members add
something, before any is built into the package.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from itertools import combinations
from pathlib import Path

import numpy as np
from results_file import RESULTS, results_target, write_results  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("IMDB_DATA"), help="aclImdb_v1.tar.gz (default: IMDB_DATA)")
    parser.add_argument("--vector-size", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--ngram", type=int, default=1,
                        help="paragraph vectors also predict the document's n-grams up to this order (DV-ngram, "
                        "Li et al. 2016); 1: words only")
    parser.add_argument("--neural", default="", help="comma list of named neural models to add as members")
    parser.add_argument("--out", type=results_target, default=str(RESULTS / "ensemble_feasibility.json"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if not args.data:
        parser.error("give --data or set IMDB_DATA")
    from gensim.models.doc2vec import Doc2Vec, TaggedDocument
    from sklearn.linear_model import LogisticRegression

    from baselines import make_linear_svm, make_naive_bayes, make_nbsvm
    from imdb_baselines import corpus

    imdb = corpus.load_imdb(args.data, include_unsup=True)
    splits = corpus.make_splits(imdb, seed=0)
    prep = corpus.TextPreprocessor()
    train, val, test, unlabelled = (corpus.prepare(texts, prep, n_jobs=2) for texts in (
        splits.X_train, splits.X_val, splits.X_test, imdb.unsup["text"].tolist()))
    summary: dict = {"members": {}, "stacked": {}, "settings": vars(args)}
    started = time.perf_counter()
    def items(tokens: list[str]) -> list[str]:
        """The tokens and, with --ngram N, their n-grams up to N joined by '_' (what each document vector predicts)."""
        return tokens + [" ".join(tokens[i:i + n]).replace(" ", "_") for n in range(2, args.ngram + 1)
                         for i in range(len(tokens) - n + 1)]

    documents = [TaggedDocument(items(tokens), [i])
                 for i, tokens in enumerate(train.tokens() + unlabelled.tokens())]
    vectors = Doc2Vec(documents, dm=0, vector_size=args.vector_size, window=10, negative=5, hs=0, min_count=2,
                      sample=1e-4, epochs=args.epochs, workers=2, seed=0)
    fit_s = time.perf_counter() - started
    started = time.perf_counter()
    on_train = np.vstack([vectors.dv[i] for i in range(len(train))])
    on_val, on_test = (np.vstack([vectors.infer_vector(items(t), epochs=args.epochs) for t in part.tokens()])
                       for part in (val, test))
    reader = LogisticRegression(max_iter=1000).fit(on_train, splits.y_train)
    members = {"paragraph_vectors": (reader.decision_function(on_val), reader.decision_function(on_test))}
    summary["paragraph_vectors_seconds"] = {"fit": round(fit_s, 1), "infer": round(time.perf_counter() - started, 1)}
    for name, make in (("nbsvm", make_nbsvm), ("linear_svm", make_linear_svm), ("naive_bayes", make_naive_bayes)):
        model = make().fit(train, splits.y_train)
        members[name] = (model.decision_function(val), model.decision_function(test))
    for name in filter(None, args.neural.split(",")):
        from imdb_baselines.catalog import make_model

        model = make_model(name, settings={"verbose": 0})
        model.fit(train, splits.y_train, validation_data=(val, splits.y_val))
        members[name] = (model.decision_function(val), model.decision_function(test))
    for name, (on_val_scores, on_test_scores) in members.items():
        summary["members"][name] = {"validation": round(float(np.mean((on_val_scores > 0) == splits.y_val)), 4),
                                    "test": round(float(np.mean((on_test_scores > 0) == splits.y_test)), 4)}
        print(name, summary["members"][name], flush=True)
    for size in range(2, len(members) + 1):
        for combo in combinations(members, size):
            stacker = LogisticRegression().fit(np.column_stack([members[n][0] for n in combo]), splits.y_val)
            accuracy = stacker.score(np.column_stack([members[n][1] for n in combo]), splits.y_test)
            summary["stacked"][" + ".join(combo)] = round(float(accuracy), 4)
            print(" + ".join(combo), round(float(accuracy), 4), flush=True)
    write_results(args.out, summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
