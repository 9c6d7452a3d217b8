"""The full classical comparison: wall time, peak memory and each step, against plain scikit-learn, in one run.

Usage: python benchmarks/classical_benchmark.py [--data PATH] [--repeats 3]

Measures, on the full IMDB data (cached archive):
1. ``compare.py --models naive_bayes,linear_svm,nbsvm --no-save-models --no-calibration`` with its report (the
   work the plain script does), and the default run that also saves and calibrates, ``--repeats`` times, each in a fresh
   process: wall time, peak resident memory of the run (its own, and of the worker it forks to tokenize),
   and the steps from its results.json (preparation, each model's fit and predict); the median is reported;
2. the same three models as a plain scikit-learn user writes them (``plain_sklearn.py``: CountVectorizer /
   TfidfVectorizer per model, no shared preparation), the same number of times, interleaved;
3. ``NgramVectorizer`` against scikit-learn's ``CountVectorizer`` on the same texts (uni- to trigrams);
4. the bootstrap intervals of one model (5 metrics, 1,000 resamples, 25,000 reviews);
5. ``compare.py --help`` and ``--list-models`` start-up, and whether a baseline-only run imports TensorFlow.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from results_file import RESULTS, results_target, write_results  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
MODELS = "naive_bayes,linear_svm,nbsvm"


def _measured(command: list[str]) -> dict:
    """Run ``command``; its wall time, CPU time and peak memory (it and its waited-for children, MiB)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    stdout, stderr = process.communicate()
    if status != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{stderr[-2000:]}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_mib": usage.ru_maxrss / 1024,
            "stdout": stdout}


def _comparison(data: str, *options: str) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "report"
        run = _measured([sys.executable, "compare.py", "--data", data, "--models", MODELS, "--quiet", "--out",
                         str(out), *options])
        results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    steps = {"preparation_s": results["preparation"]["seconds"]}
    for row in results["results"]:
        steps[f"{row['model']}_fit_s"], steps[f"{row['model']}_predict_s"] = row["fit_s"], row["predict_s"]
    run.update(steps=steps, accuracy={r["model"]: r["accuracy"] for r in results["results"]})
    return run


def _vectorizers(data: str) -> dict:
    from sklearn.feature_extraction.text import CountVectorizer

    from baselines import NgramVectorizer
    from imdb_baselines import corpus

    imdb = corpus.load_imdb(data)
    X_train, X_test = imdb.train["text"].tolist(), imdb.test["text"].tolist()
    prep = corpus.TextPreprocessor()
    rows = {}
    for name, make in (("NgramVectorizer", lambda: NgramVectorizer(ngram_range=(1, 3))),
                       ("CountVectorizer (same analyzer)", lambda: CountVectorizer(
                           analyzer=lambda text: [" ".join(g) for n in (1, 2, 3) for g in zip(
                               *(prep(text)[i:] for i in range(n)))]))):
        started = time.perf_counter()
        vectorizer = make()
        train = vectorizer.fit_transform(X_train)
        test = vectorizer.transform(X_test)
        rows[name] = {"fit_transform_and_transform_s": round(time.perf_counter() - started, 2),
                      "features": train.shape[1], "train_nnz": int(train.nnz), "test_nnz": int(test.nnz)}
    return rows


def _bootstrap(data: str) -> dict:
    import numpy as np

    from imdb_baselines.evaluation.metrics import bootstrap_intervals

    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 12_500)
    scores = y + rng.normal(0, 0.6, len(y))
    predictions = (scores > 0.5).astype(int)
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        bootstrap_intervals(y, predictions, scores, n_resamples=1000, seed=0)
        timings.append(time.perf_counter() - started)
    return {"median_s": round(statistics.median(timings), 2), "runs_s": [round(t, 2) for t in timings]}


def _start_up() -> dict:
    rows = {}
    for name, argv in (("help", ["--help"]), ("list_models", ["--list-models"])):
        runs = [_measured([sys.executable, "compare.py", *argv])["wall_s"] for _ in range(3)]
        rows[f"{name}_s"] = round(statistics.median(runs), 2)
    probe = ("import sys, compare, imdb_baselines.catalog as r; r.model_names(); "
             "from imdb_baselines.comparison import run_comparison; print('tensorflow' in sys.modules)")
    rows["baseline_path_imports_tensorflow"] = _measured([sys.executable, "-c", probe])["stdout"].strip() == "True"
    return rows


def _median(runs: list[dict], key: str) -> float:
    return round(statistics.median(run[key] for run in runs), 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("IMDB_DATA"), help="aclImdb_v1.tar.gz (default: IMDB_DATA)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=results_target, default=str(RESULTS / "classical_benchmark.json"))
    args = parser.parse_args(argv)
    if not args.data:
        parser.error("give --data or set IMDB_DATA")
    package, plain, default = [], [], []
    for repeat in range(args.repeats):  # interleaved, so all see the same machine load
        # The same work as the plain script (which neither saves nor calibrates), then the default run.
        package.append(_comparison(args.data, "--no-save-models", "--no-calibration"))
        plain.append(_measured([sys.executable, "benchmarks/plain_sklearn.py", "--data", args.data]))
        default.append(_comparison(args.data))
        print(f"run {repeat + 1}: package {package[-1]['wall_s']:.1f} s, {package[-1]['peak_mib']:.0f} MiB; "
              f"plain scikit-learn {plain[-1]['wall_s']:.1f} s, {plain[-1]['peak_mib']:.0f} MiB; "
              f"default (saving and calibrating) {default[-1]['wall_s']:.1f} s, {default[-1]['peak_mib']:.0f} MiB",
              flush=True)
    summary = {
        "package": {"wall_s": _median(package, "wall_s"), "cpu_s": _median(package, "cpu_s"),
                    "peak_mib": _median(package, "peak_mib"),
                    "steps_s": {k: round(statistics.median(r["steps"][k] for r in package), 2)
                                for k in package[0]["steps"]},
                    "accuracy": package[0]["accuracy"]},
        "default_with_saving_and_calibration": {"wall_s": _median(default, "wall_s"),
                                                "cpu_s": _median(default, "cpu_s"),
                                                "peak_mib": _median(default, "peak_mib")},
        "plain_sklearn": {"wall_s": _median(plain, "wall_s"), "cpu_s": _median(plain, "cpu_s"),
                          "peak_mib": _median(plain, "peak_mib"), "accuracy": json.loads(plain[0]["stdout"])},
    }
    summary["ratios"] = {key: round(summary["plain_sklearn"][key] / summary["package"][key], 2)
                         for key in ("wall_s", "cpu_s", "peak_mib")}
    summary["vectorizers"] = _vectorizers(args.data)
    summary["bootstrap_one_model"] = _bootstrap(args.data)
    summary["start_up"] = _start_up()
    print(json.dumps(summary, indent=1))
    write_results(args.out, summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
