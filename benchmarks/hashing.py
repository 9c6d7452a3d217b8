"""Hashed n-grams against the exact vocabulary: accuracy, fit time and saved size of each baseline.

Usage: python benchmarks/hashing.py [--data ../shared/data/aclImdb_v1.tar.gz] [--bits 18,20,22,24]

The reference's split (validation carved by whole movies, seed 0, the ``minimal`` stopwords). Each of Naive
Bayes, the linear SVM and NBSVM is fitted on the training split with its defaults, once with the exact
vocabulary and once per ``--bits``; for each: validation and test accuracy, fit seconds (tokens prepared
once beforehand, as a comparison does) and the size of the saved model. The choice of when to hash reads the
validation column; the test column is reported. Writes ``benchmarks/results/hashing.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from results_file import RESULTS, results_target, write_results  # noqa: E402

from imdb_baselines import corpus  # noqa: E402
from imdb_baselines.catalog import make_model  # noqa: E402
from imdb_baselines.modelfiles import save_model  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "aclImdb_v1.tar.gz"))
    parser.add_argument("--bits", default="18,20,22,24")
    parser.add_argument("--models", default="naive_bayes,linear_svm,nbsvm")
    args = parser.parse_args()
    target = results_target(RESULTS / "hashing.json")
    splits = corpus.make_splits(corpus.load_imdb(args.data), seed=0, stopwords="minimal", group_column="movie")
    train, held, test = (corpus.prepare(texts, "minimal", n_jobs=2) for texts in
                         (splits.X_train, splits.X_val, splits.X_test))
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for name in args.models.split(","):
            for bits in [None, *map(int, args.bits.split(","))]:
                model = make_model(name, stopwords="minimal", settings={"hash_bits": bits})
                start = time.perf_counter()
                model.fit(train, splits.y_train)
                fit_s = time.perf_counter() - start
                saved = save_model(model, Path(scratch) / f"{name}-{bits}", name=name)
                row = {"model": name, "hash_bits": bits, "fit_s": round(fit_s, 1),
                       "validation": float(np.mean(model.predict(held) == splits.y_val)),
                       "test": float(np.mean(model.predict(test) == splits.y_test)),
                       "saved_mib": round(sum(p.stat().st_size for p in saved.rglob("*")) / 2**20, 1)}
                rows.append(row)
                print(json.dumps(row), flush=True)
                for prepared in (train, held, test):
                    prepared.release()
    print("| model | n-grams | validation | test | fit s | saved MiB |")
    print("| :--- | :--- | ---: | ---: | ---: | ---: |")
    for row in rows:
        kind = "exact vocabulary" if row["hash_bits"] is None else f"hashed, {row['hash_bits']} bits"
        print(f"| {row['model']} | {kind} | {row['validation']:.4f} | {row['test']:.4f} | {row['fit_s']} | "
              f"{row['saved_mib']} |")
    write_results(target, {"split": splits.fingerprint, "rows": rows})


if __name__ == "__main__":
    main()
