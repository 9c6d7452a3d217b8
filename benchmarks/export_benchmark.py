"""Exports against the Python models on the 25,000 IMDB test reviews: agreement, tokens, load time, latency, throughput.

Usage: python benchmarks/export_benchmark.py REPORT [--data PATH] [--models nbsvm,fasttext,lstm]

For each model kept in REPORT (a full-data comparison, e.g. ``reports/reference``), exports ONNX (and,
for Keras models, a SavedModel) into a scratch folder, then on the official test set:
- agreement: the share of reviews with the Python model's label, the largest probability difference
  over reviews whose encoding is identical, and the reviews whose in-graph encoding differs from the
  Python one (with the characters that explain it);
- cost, for the Python model, the SavedModel and the ONNX file: load time, single-review latency (median
  and p99 of 300 reviews, one call each) and batch throughput (every test review, batches of 1,000).
Writes JSON under ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import numpy as np
from results_file import RESULTS, results_target, write_results  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _latency(predict, reviews: list[str]) -> dict:
    times = []
    for review in reviews:
        started = time.perf_counter()
        predict([review])
        times.append(time.perf_counter() - started)
    times.sort()
    return {"p50_ms": round(1000 * statistics.median(times), 2),
            "p99_ms": round(1000 * times[int(0.99 * (len(times) - 1))], 2)}


def _throughput(predict, reviews: list[str], batch: int = 1000) -> tuple[float, list]:
    started = time.perf_counter()
    outputs = [predict(reviews[i:i + batch]) for i in range(0, len(reviews), batch)]
    return round(len(reviews) / (time.perf_counter() - started), 1), outputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", help="a full-data report folder with saved models")
    parser.add_argument("--data", default=os.environ.get("IMDB_DATA"), help="aclImdb_v1.tar.gz (default: IMDB_DATA)")
    parser.add_argument("--models", default="nbsvm,fasttext,lstm")
    parser.add_argument("--out", type=results_target, default=str(RESULTS / "export_benchmark.json"))
    args = parser.parse_args(argv)
    if not args.data:
        parser.error("give --data or set IMDB_DATA")
    from imdb_baselines import corpus
    from imdb_baselines.exports import export_model, load_export
    from imdb_baselines.exports.parity import agreement
    from imdb_baselines.modelfiles import load_model, predict_texts, read_manifest

    reviews = corpus.load_imdb(args.data).test["text"].tolist()
    sample = [reviews[i] for i in np.random.default_rng(0).choice(len(reviews), 300, replace=False)]
    summary = {}
    with tempfile.TemporaryDirectory() as scratch:
        for name in args.models.split(","):
            path = Path(args.report) / "models" / name
            kind = read_manifest(path)["kind"]
            started = time.perf_counter()
            model = load_model(path)
            rows = {"python": {"load_s": round(time.perf_counter() - started, 2)}}
            predict_texts(model, sample[:5])  # warm-up (tracing)
            python = partial(predict_texts, model)
            rows["python"].update(_latency(python, sample))
            rows["python"]["reviews_per_s"], outputs = _throughput(python, reviews)
            expected = [row for batch in outputs for row in batch]
            for fmt in ("onnx", "savedmodel") if kind == "keras" else ("onnx",):
                folder = Path(scratch) / f"{name}-{fmt}"
                started = time.perf_counter()
                export_model(path, fmt, folder)
                export_s = time.perf_counter() - started
                started = time.perf_counter()
                exported = load_export(folder)
                row = {"export_s": round(export_s, 1), "load_s": round(time.perf_counter() - started, 2)}
                exported.predict(sample[:5])
                row.update(_latency(exported.predict, sample))
                row["reviews_per_s"], _ = _throughput(exported.predict, reviews)
                row["size_mib"] = round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20, 1)
                row.update(agreement(model, exported, reviews, expected))
                rows[fmt] = row
            summary[name] = rows
            print(name, json.dumps(rows, indent=1), flush=True)
    write_results(args.out, summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
