"""Wall time of the comparison runner on the full data, and its own overhead.

Usage: python benchmarks/compare_benchmark.py [--data PATH]

Runs, in this process and one after the other:
1. the classical part of the default comparison (cached corpus, splits, NB + SVM + NBSVM) and reports
   how long loading, preparing and the three models took, and the whole run with its report;
2. ``--sample 2000`` with all default models (the three baselines and the tutorial's LSTM).
The runner's overhead is the run's wall time minus every model's fit and predict time.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from results_file import RESULTS, results_target, write_results  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))



def _timed_run(argv: list[str]) -> dict:
    from imdb_baselines.cli import compare

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "run"
        started = time.perf_counter()
        status = compare.main([*argv, "--out", str(out), "--quiet"])
        wall = time.perf_counter() - started
        data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    models_s = sum(r["fit_s"] + r["predict_s"] for r in data["results"])
    return {
        "argv": " ".join(argv), "status": status, "wall_s": round(wall, 1), "models_fit_predict_s": round(models_s, 1),
        "overhead_s": round(wall - models_s, 1), "overhead_share": round((wall - models_s) / wall, 3),
        "accuracy": {r["model"]: r["accuracy"] for r in data["results"]},
    }


def _classical_part(data: str | None) -> dict:
    from imdb_baselines import corpus
    from imdb_baselines.catalog import is_neural, make_model, model_names

    started = time.perf_counter()
    imdb = corpus.load_imdb(data)
    splits = corpus.make_splits(imdb, validation_size=0.1, seed=0)
    prepared = time.perf_counter() - started
    X_train, X_test = corpus.prepare(splits.X_train), corpus.prepare(splits.X_test)
    for name in [n for n in model_names() if not is_neural(n)]:
        model = make_model(name).fit(X_train, splits.y_train)
        model.predict(X_test)
    return {"load_and_split_s": round(prepared, 1), "classical_part_s": round(time.perf_counter() - started, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Comparison runner timings on the full IMDB data.")
    parser.add_argument("--data", help="aclImdb_v1.tar.gz or aclImdb folder (default: IMDB_DATA)")
    parser.add_argument("--out", type=results_target, default=str(RESULTS / "compare_benchmark.json"))
    args = parser.parse_args(argv)
    data = ["--data", args.data] if args.data else []
    results = {"classical_part": _classical_part(args.data)}
    print(json.dumps(results["classical_part"]), flush=True)
    results["classical_run"] = _timed_run([*data, "--models", "naive_bayes,linear_svm,nbsvm"])
    print(json.dumps(results["classical_run"]), flush=True)
    results["sample_2000_default"] = _timed_run([*data, "--sample", "2000"])
    print(json.dumps(results["sample_2000_default"]), flush=True)
    write_results(args.out, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
