"""First parse of the IMDB archive against later cached loads.

Usage: python benchmarks/corpus_benchmark.py [--data PATH] [--repeats 3]

Uses a fresh, temporary cache folder, so the first load really parses the
archive (50,000 labelled and 50,000 unlabelled reviews in one pass).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from results_file import RESULTS, results_target, write_results  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))



def main(argv: list[str] | None = None) -> int:
    from imdb_baselines import corpus

    parser = argparse.ArgumentParser(description="IMDB archive parse and cached-load times.")
    parser.add_argument("--data", default=os.environ.get("IMDB_DATA"), help="aclImdb_v1.tar.gz (default: IMDB_DATA)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=results_target, default=str(RESULTS / "corpus_benchmark.json"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()
        imdb = corpus.load_imdb(args.data, cache_dir=cache)
        parse_s = time.perf_counter() - started
        cached = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            corpus.load_imdb(args.data, cache_dir=cache)
            cached.append(time.perf_counter() - started)
        started = time.perf_counter()
        corpus.load_imdb(args.data, cache_dir=cache, include_unsup=True)
        unsup_s = time.perf_counter() - started
    result = {"source": imdb.source, "sha256": imdb.sha256, "train": len(imdb.train), "test": len(imdb.test),
              "first_parse_s": round(parse_s, 2), "cached_load_s": [round(t, 2) for t in cached],
              "cached_load_with_unsup_s": round(unsup_s, 2)}
    print(json.dumps(result))
    write_results(args.out, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
