"""The Spark engine against the local one: parity on IMDB, then time and memory as the corpus grows.

Usage:
    python benchmarks/spark_benchmark.py --data ../shared/data/aclImdb_v1.tar.gz              # parity only
    python benchmarks/grow_corpus.py --data ../shared/data/aclImdb_v1.tar.gz --times 1,4,16 --out /tmp/grown
    python benchmarks/spark_benchmark.py --data ../shared/data/aclImdb_v1.tar.gz --grown /tmp/grown --times 1,4,16

1. Parity: ``compare.py --models naive_bayes,linear_svm,nbsvm`` with each engine on the full IMDB data (the
   same split, fingerprint checked), side by side: test accuracy, the difference, fit and predict time; Spark
   once with each linear solver of ``--spark-solvers`` (default: liblinear's Newton method, then Spark's
   own L-BFGS ``LinearSVC``).
2. Growth (``--grown``): each engine of ``--engines`` (local, spark, chunked) on ``xN/train.parquet`` (N times
   the training reviews) with the official test set, each in a fresh process under a wall-time limit: fit and
   predict throughput (reviews/s), the peak resident memory of the whole process tree (the local process and
   its tokenizing worker; Spark's Python driver, JVM and Python workers), its peak proportional memory (a page
   shared by a forked tokenizing worker and its parent counted once, not twice), and whether it ran out of
   time or memory.
   A plot of wall time and peak memory against corpus size, a line per engine and models, goes to
   ``benchmarks/spark_growth.png`` (replaced only if a benchmark drew it; checked before anything runs).

Each run is a fresh process; the machine is shared, so compare the engines within one run of this script.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PLOT = Path(__file__).resolve().parent / "spark_growth.png"  # committed: the README shows it

from results_file import RESULTS, figure_target, read_results, results_target, write_figure, write_results  # noqa: E402

from imdb_baselines.run.resources import tree_pss_bytes, tree_rss_bytes  # noqa: E402


def _measured(command: list[str], limit_s: float) -> dict:
    """Run ``command`` with a wall-time limit; wall time, peak memory of its process tree (MiB), outcome."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    peak, proportional = [0], [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.5):
            peak[0] = max(peak[0], tree_rss_bytes(process.pid))
            proportional[0] = max(proportional[0], tree_pss_bytes(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        output, _ = process.communicate(timeout=limit_s)
        outcome = "ok" if process.returncode == 0 else \
            "out of memory (killed)" if process.returncode in (-9, 137) else f"failed ({process.returncode})"
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        output, _ = process.communicate()
        outcome = f"out of time (> {limit_s:.0f} s)"
    done.set()
    sampler.join()
    reasons = [line.strip() for line in output.splitlines() if ": failed:" in line or line.startswith("error:")]
    if outcome != "ok":
        print("\n".join(reasons) or output[-3000:], file=sys.stderr)
    return {"wall_s": round(time.perf_counter() - started, 1), "peak_mib": round(peak[0] / 2**20),
            "peak_pss_mib": round(proportional[0] / 2**20), "outcome": outcome, "reasons": reasons}


def _compare(engine: str, models: str, data: list[str], out: Path, limit_s: float, spark_args: list[str] = (),
             common: list[str] = ()) -> dict:
    command = [sys.executable, "compare.py", "--models", models, "--bootstrap", "0", "--quiet", "--out", str(out),
               *data, *common]
    command += ["--engine", "spark", *spark_args] if engine == "spark" else ["--engine", engine, "--no-save-models"]
    run = _measured(command, limit_s)
    if run["outcome"] == "ok":
        results = json.loads((out / "results.json").read_text())
        run["fingerprint"] = results["provenance"]["fingerprints"][results["provenance"]["settings"]["stopwords"][0]]
        run["preparation_s"] = results["preparation"]["seconds"]
        run["models"] = {r["model"]: {"accuracy": r["accuracy"], "fit_s": r["fit_s"], "predict_s": r["predict_s"]}
                         for r in results["results"]}
        run["split_sizes"] = results["provenance"]["split_sizes"]
    return run


def parity(data: str, models: str, limit_s: float, scratch: Path, solvers: list[str]) -> dict:
    runs = {"local": _compare("local", models, ["--data", data], scratch / "parity-local", limit_s)}
    for solver in solvers:
        runs[f"spark-{solver}"] = _compare("spark", models, ["--data", data], scratch / f"parity-spark-{solver}",
                                           limit_s, ["--spark-solver", solver])
    local = runs["local"]
    for solver in solvers:
        spark = runs[f"spark-{solver}"]
        print(f"\nParity on IMDB (full data, the same split), Spark's linear solver: {solver}")
        print(f"  split fingerprints equal: {local.get('fingerprint') == spark.get('fingerprint')}")
        print(f"  {'model':<12} {'local':>7} {'spark':>7} {'diff pt':>8} {'local fit s':>12} {'spark fit s':>12} "
              f"{'local pred s':>13} {'spark pred s':>13}")
        for name in models.split(","):
            a, b = local.get("models", {}).get(name), spark.get("models", {}).get(name)
            if a and b:
                gap = 100 * (b["accuracy"] - a["accuracy"])
                print(f"  {name:<12} {a['accuracy']:>7.4f} {b['accuracy']:>7.4f} {gap:>+8.2f}"
                      f" {a['fit_s']:>12.1f} {b['fit_s']:>12.1f} {a['predict_s']:>13.1f} {b['predict_s']:>13.1f}")
        print(f"  whole run: local {local['wall_s']} s, {local['peak_mib']:,} MiB; "
              f"spark {spark['wall_s']} s, {spark['peak_mib']:,} MiB")
    return runs


def growth(grown: Path, times: list[int], models: str, limit_s: float, scratch: Path, engines: list[str],
           spark_args: list[str], common: list[str] = ()) -> list[dict]:
    rows = []
    test = grown / "test.parquet"
    for n in times:
        train = grown / f"x{n}" / "train.parquet"
        for engine in engines:
            run = _compare(engine, models, ["--data", str(train), "--test", str(test)],
                           scratch / f"x{n}-{engine}", limit_s, spark_args, common)
            row = {"times": n, "engine": engine, **run, "models_run": models}
            if run["outcome"] == "ok":
                n_train, n_test = run["split_sizes"]["train"], run["split_sizes"]["test"]
                fit = sum(m["fit_s"] for m in run["models"].values()) + run["preparation_s"]
                predict = sum(m["predict_s"] for m in run["models"].values())
                row.update(train_reviews=n_train, fit_reviews_per_s=round(n_train * len(run["models"]) / fit, 1),
                           predict_reviews_per_s=round(n_test * len(run["models"]) / predict, 1))
            rows.append(row)
            print(f"  x{n:<3} {engine:<7} {row['outcome']:<24} wall {row['wall_s']:>8.1f} s  peak "
                  f"{row['peak_mib']:>7,} MiB (proportional {row['peak_pss_mib']:,})  fit "
                  f"{row.get('fit_reviews_per_s', '-')} reviews/s  predict {row.get('predict_reviews_per_s', '-')} "
                  "reviews/s", flush=True)
    return rows


def plot(rows: list[dict], path: Path) -> None:
    """Wall time and peak memory against corpus size, one line per engine and models; failed runs marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 2, figsize=(11, 4.6))
    sizes = sorted({r["times"] for r in rows})
    markers = {"local": "o", "spark": "s", "chunked": "^"}
    for series in dict.fromkeys(_series(r) for r in rows):
        mine = [r for r in rows if _series(r) == series]
        for axis, key in zip(axes, ("wall_s", "peak_mib")):
            done = sorted((r for r in mine if r["outcome"] == "ok" and r.get(key)), key=lambda r: r["times"])
            line, = axis.plot([r["times"] for r in done], [r[key] / (1 if key == "wall_s" else 1024) for r in done],
                              marker=markers.get(mine[0]["engine"], "o"), label=series)
            for r in mine:
                if r["outcome"] != "ok" and r.get(key):
                    value = r[key] / (1 if key == "wall_s" else 1024)
                    axis.plot([r["times"]], [value], marker="x", markersize=10, color=line.get_color())
                    axis.annotate(r["outcome"], (r["times"], value), xytext=(-120, 8), textcoords="offset points",
                                  fontsize=8, color=line.get_color())
    for axis, label in zip(axes, ("wall time of the whole run, s", "peak memory of the process tree, GiB")):
        axis.set_xscale("log", base=2)
        axis.set_xticks(sizes, [f"{n}×" for n in sizes])
        axis.set_xlabel("training reviews, multiples of IMDB's 25,000")
        axis.set_ylabel(label)
        axis.grid(True, which="both", alpha=0.3)
    axes[0].set_yscale("log")
    axes[1].axhline(24, color="grey", linestyle=":", linewidth=1)
    axes[1].annotate("this machine's memory", (sizes[0], 24), xytext=(2, -12), textcoords="offset points", fontsize=8)
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=2, fontsize=8, frameon=False)
    figure.suptitle("As the corpus grows, on 2 cores (Spark: local[2])")
    figure.tight_layout(rect=(0, 0.12, 1, 1))
    write_figure(figure, path, dpi=120)
    plt.close(figure)


def _series(row: dict) -> str:
    """A run's line in the plot: its engine, models and n-grams."""
    bits = row.get("hash_bits")
    grams = "hashed n-grams" if bits or row["engine"] == "chunked" else "exact vocabulary"
    engine = {"local": "local engine", "spark": "Spark engine", "chunked": "chunked engine"}.get(row["engine"],
                                                                                              row["engine"])
    return f"{engine}: {row.get('models_run', '').replace(',', ', ')} ({grams})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("IMDB_DATA"), help="the IMDB archive (default $IMDB_DATA)")
    parser.add_argument("--models", default="naive_bayes,linear_svm,nbsvm")
    parser.add_argument("--grown", help="the folder benchmarks/grow_corpus.py wrote (growth runs)")
    parser.add_argument("--times", default="1,4,16", help="the sizes of --grown to run")
    parser.add_argument("--limit-s", type=float, default=3600, help="wall-time limit of each run (default 3600)")
    parser.add_argument("--skip-parity", action="store_true")
    parser.add_argument("--engines", default="local,spark", help="the engines of the growth runs")
    parser.add_argument("--spark-driver-memory", default="6g", help="passed to compare.py (default 6g)")
    parser.add_argument("--spark-solvers", default="newton,lbfgs", help="Spark's linear solvers in the parity runs")
    parser.add_argument("--name", default=None, help="the results file's name (default by what ran)")
    parser.add_argument("--hash-bits", type=int, help="hashed n-grams in growth runs (--set MODEL.hash_bits=N)")
    parser.add_argument("--set", action="append", default=[], metavar="MODEL.KEY=VALUE",
                        help="a model setting passed to every growth run (repeatable)")
    parser.add_argument("--plot", nargs="+", metavar="JSON", help="only draw the plot from these results files")
    args = parser.parse_args(argv)
    RESULTS.mkdir(exist_ok=True)
    if args.plot or args.grown:
        figure_target(PLOT)  # the committed figure, or a user's file in its place: refused before anything runs
    if args.plot:
        records = [read_results(p) for p in args.plot]
        rows = [{"models_run": record["models"], "hash_bits": record.get("hash_bits") or record.get("settings"), **row}
                for record in records for row in record.get("growth", [])]
        plot(rows, PLOT)
        print(f"Drawn {PLOT}")
        return 0
    target = results_target(RESULTS / (args.name or ("spark_benchmark.json" if not args.skip_parity
                                                     else "spark_growth.json")))
    record: dict = {"machine": f"{os.cpu_count()} CPUs", "models": args.models}
    with tempfile.TemporaryDirectory(prefix="spark-benchmark-") as scratch:
        if not args.skip_parity:
            record["parity"] = parity(args.data, args.models, args.limit_s, Path(scratch),
                                      args.spark_solvers.split(","))
        if args.grown:
            print("\nGrowth:")
            record["growth"] = growth(Path(args.grown), [int(t) for t in args.times.split(",")], args.models,
                                      args.limit_s, Path(scratch), args.engines.split(","),
                                      ["--spark-driver-memory", args.spark_driver_memory],
                                      [f"--set={m}.hash_bits={args.hash_bits}" for m in args.models.split(",")
                                       if args.hash_bits] + [f"--set={item}" for item in args.set])
            record["spark_driver_memory"] = args.spark_driver_memory
            record["hash_bits"] = args.hash_bits
            record["settings"] = args.set
    write_results(target, record)
    print(f"\nWritten {target}")
    if args.grown:
        plot([{**row, "hash_bits": args.hash_bits or args.set} for row in record["growth"]], PLOT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
