"""The three baselines as a plain scikit-learn user writes them: one vectorizer per model, nothing shared.

Usage: python benchmarks/plain_sklearn.py --data PATH

The same split (validation carved out with seed 0, tested on all 25,000 test
reviews), the same tokenizer and stopword list (passed as the analyzer), the
same n-gram orders and model settings as the package's baselines; prints the
test accuracy of each as JSON. ``classical_benchmark.py`` times it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.naive_bayes import MultinomialNB
from sklearn.svm import LinearSVC

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _ngrams(n_max: int):
    from imdb_baselines.corpus import TextPreprocessor

    prep = TextPreprocessor()

    def analyzer(text: str) -> list[str]:
        tokens = prep(text)
        return [" ".join(tokens[i:i + n]) for n in range(1, n_max + 1) for i in range(len(tokens) - n + 1)]
    return analyzer


def main(argv: list[str] | None = None) -> int:
    from imdb_baselines import corpus

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    args = parser.parse_args(argv)
    splits = corpus.make_splits(corpus.load_imdb(args.data), seed=0)
    accuracy = {}

    counts = CountVectorizer(analyzer=_ngrams(3), binary=True)
    nb = MultinomialNB().fit(counts.fit_transform(splits.X_train), splits.y_train)
    accuracy["naive_bayes"] = float(np.mean(nb.predict(counts.transform(splits.X_test)) == splits.y_test))

    tfidf = TfidfVectorizer(analyzer=_ngrams(2), sublinear_tf=True)
    svm = LinearSVC(random_state=0).fit(tfidf.fit_transform(splits.X_train), splits.y_train)
    accuracy["linear_svm"] = float(np.mean(svm.predict(tfidf.transform(splits.X_test)) == splits.y_test))

    presence = CountVectorizer(analyzer=_ngrams(3), binary=True)
    X = presence.fit_transform(splits.X_train).astype(np.float64)
    p = 1 + np.asarray(X[splits.y_train == 1].sum(axis=0)).ravel()
    q = 1 + np.asarray(X[splits.y_train == 0].sum(axis=0)).ravel()
    r = np.log((p / p.sum()) / (q / q.sum()))
    model = LinearSVC(tol=0.1, random_state=0).fit(X.multiply(r).tocsr(), splits.y_train)
    w = 0.75 * np.abs(model.coef_.ravel()).mean() + 0.25 * model.coef_.ravel()
    scores = presence.transform(splits.X_test) @ (r * w) + 0.25 * model.intercept_[0]
    accuracy["nbsvm"] = float(np.mean((scores > 0) == splits.y_test))
    print(json.dumps(accuracy))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
