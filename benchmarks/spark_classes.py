"""A multi-class model on Spark: its one-against-the-rest fits one class at a time against side by side.

Usage: python benchmarks/spark_classes.py [--trec DIR] [--fixture] [--models linear_svm,nbsvm] [--rounds 2]

TREC's six coarse classes (``train.jsonl`` and ``test.jsonl`` of ``../shared/data/trec``; ``--fixture``: the
test suite's 168 questions), the Spark engine in ``local[2]`` with its Newton solver. Each round fits the models
twice on one session, with ``CONCURRENT_FITS = 1`` (one class after the other) and with the package's setting;
the first round warms Spark up. Prints each fit's seconds, and whether the two ways give the same scores to the
last bit. Writes JSON under ``benchmarks/results/``.
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

from imdb_baselines import corpus  # noqa: E402
from imdb_baselines.comparison import run_comparison  # noqa: E402
from imdb_baselines.run.results import RunConfig  # noqa: E402
from imdb_baselines.run.spark import SparkEngine, models  # noqa: E402
from imdb_baselines.run.spark.session import SparkOptions, spark_session  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trec", default=str(ROOT.parent / "shared" / "data" / "trec"))
    parser.add_argument("--fixture", action="store_true", help="the test suite's TREC excerpt instead")
    parser.add_argument("--models", default="linear_svm,nbsvm")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    target = results_target(RESULTS / ("spark_classes_fixture.json" if args.fixture else "spark_classes.json"))
    trec = ROOT / "tests" / "fixtures" / "trec" if args.fixture else Path(args.trec)
    source = corpus.DataSource(path=str(trec / "train.jsonl"), test=str(trec / "test.jsonl"),
                               text_column="question", label_column="coarse")
    config = RunConfig(models=tuple(args.models.split(",")), stopwords=("minimal",), out=None, data=source,
                       n_resamples=0, save_models=False)
    session = spark_session(SparkOptions(master="local[2]", driver_memory="2g"))
    default, rows, scores = models.CONCURRENT_FITS, [], {}
    try:
        for round_ in range(1, args.rounds + 1):
            for concurrent in (1, default):
                models.CONCURRENT_FITS = concurrent
                start = time.perf_counter()
                run = run_comparison(config, engine=SparkEngine(session=session)).by_list["minimal"]
                wall = time.perf_counter() - start
                scores[(round_, concurrent)] = {r.name: np.asarray(r.scores) for r in run}
                fits = {r.name: round(r.fit_s, 1) for r in run}
                rows.append({"round": round_, "concurrent_fits": concurrent, "wall_s": round(wall, 1),
                             "fit_s": fits, "accuracy": {r.name: r.metrics["accuracy"] for r in run}})
                print(f"round {round_}, {concurrent} at a time: {wall:.1f} s; fits {fits}", flush=True)
    finally:
        models.CONCURRENT_FITS = default
        session.stop()
    same = {name: all(np.array_equal(scores[(1, 1)][name], s[name]) for s in scores.values())
            for name in scores[(1, 1)]}
    print(f"the same scores every time: {same}")
    written = write_results(target, {"data": str(trec), "rows": rows, "same_scores": same})
    print(f"wrote {written}")


if __name__ == "__main__":
    main()
