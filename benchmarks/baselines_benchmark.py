"""Accuracy, time and memory of the classical baselines on the full official split.

Usage: python benchmarks/baselines_benchmark.py [--data PATH] [--stopwords minimal,english,none]

For each stopword list (each in its own process, so peak memory is its own):
count the uni- to trigrams of the training and test texts once (the shared
tokenization pass), then fit and predict Naive Bayes, the linear SVM and
NBSVM from that count matrix, timing each step. Trained on all 25,000
training reviews with the default settings; evaluated once on the 25,000
test reviews.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import sys
import time
from pathlib import Path

from results_file import RESULTS, results_target, write_results  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))



def run(stopwords: str, data: str | None, queue) -> None:
    from baselines import NgramVectorizer
    from imdb_baselines import corpus
    from imdb_baselines.catalog import is_neural, make_model, model_names

    started = time.perf_counter()
    imdb = corpus.load_imdb(data)
    load_s = time.perf_counter() - started
    X_train, y_train = imdb.train["text"].tolist(), imdb.train["label"].to_numpy()
    X_test, y_test = imdb.test["text"].tolist(), imdb.test["label"].to_numpy()
    started = time.perf_counter()
    X_train, X_test = corpus.prepare(X_train, stopwords), corpus.prepare(X_test, stopwords)
    prepare_s = time.perf_counter() - started
    row = {"stopwords": corpus.get_stopwords(stopwords).describe(), "load_s": round(load_s, 2)}
    wall = time.perf_counter()
    started = time.perf_counter()
    counter = NgramVectorizer(ngram_range=(1, 3), stopwords=stopwords)
    counter.fit_transform(X_train)
    counter.transform(X_test)
    row["prepare_s"] = round(prepare_s, 1)
    row["shared_counting_s"] = round(time.perf_counter() - started, 1)
    row["n_features_1to3"] = len(counter.vocabulary_)
    for name in [n for n in model_names() if not is_neural(n)]:
        model = make_model(name, stopwords=stopwords)
        started = time.perf_counter()
        model.fit(X_train, y_train)
        fit_s = time.perf_counter() - started
        started = time.perf_counter()
        accuracy = float((model.predict(X_test) == y_test).mean())
        row[name] = {"test_accuracy": round(accuracy, 4), "fit_s": round(fit_s, 1),
                     "predict_s": round(time.perf_counter() - started, 1)}
    row["all_three_wall_s"] = round(time.perf_counter() - wall, 1)
    row["peak_rss_gib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2)
    queue.put(row)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Classical baselines on the full IMDB data.")
    parser.add_argument("--data", help="aclImdb_v1.tar.gz or aclImdb folder (default: IMDB_DATA)")
    parser.add_argument("--stopwords", default="minimal,english,sentiment,none")
    parser.add_argument("--out", type=results_target, default=str(RESULTS / "baselines_benchmark.json"))
    args = parser.parse_args(argv)
    context = multiprocessing.get_context("spawn")
    rows = []
    for stopwords in args.stopwords.split(","):
        queue = context.Queue()
        process = context.Process(target=run, args=(stopwords, args.data, queue))
        process.start()
        rows.append(queue.get())
        process.join()
        print(json.dumps(rows[-1]), flush=True)
    names = ("naive_bayes", "linear_svm", "nbsvm")
    print(f"\n{'stopwords':<44}" + "".join(f"{n:>13}" for n in names) + f"{'wall s':>9}{'peak GiB':>10}")
    for row in rows:
        cells = "".join(f"{row[n]['test_accuracy']:>13.4f}" for n in names)
        print(f"{row['stopwords']:<44}{cells}{row['all_three_wall_s']:>9}{row['peak_rss_gib']:>10}")
    write_results(args.out, rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
