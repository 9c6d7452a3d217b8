"""What ``--track`` costs: the full-data classical comparison with and without MLflow tracking, and one serve
round trip of a logged model.

Usage: python benchmarks/tracking_overhead.py [--data PATH] [--rounds 2] [--models A,B,...]

Runs ``imdb-compare`` on IMDB's full data (the shared archive via ``--data`` or ``$IMDB_DATA``) as a
subprocess, alternating plain and ``--track`` runs ``--rounds`` times each (so a slow spell on a shared
machine hits both), into a temporary folder; the tracked runs log to the default SQLite store beside
their reports. Reports each run's wall time, the median of each kind and their ratio. Then starts
``mlflow models serve`` for the last tracked run's NBSVM and times a POST of two raw reviews (after one
warm-up request). Writes JSON under ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from results_file import RESULTS, results_target, write_results

ROOT = Path(__file__).resolve().parents[1]
REVIEWS = ["A moving, beautifully acted film. The story stayed with me for days and I loved every minute.",
           "Dull, predictable and far too long. I wanted my two hours back."]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _compare(out: Path, models: str, data: str | None, track: bool) -> float:
    command = [sys.executable, str(ROOT / "compare.py"), "--models", models, "--out", str(out), "--quiet"]
    command += ["--data", data] if data else []
    command += ["--track"] if track else []
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    return time.perf_counter() - started


def _serve_round_trip(store: Path) -> dict[str, float]:
    from mlflow import MlflowClient

    client = MlflowClient(f"sqlite:///{store}")
    experiment = client.get_experiment_by_name("imdb")
    run = client.search_runs([experiment.experiment_id], "attributes.run_name = 'nbsvm'",
                             order_by=["attributes.start_time DESC"], max_results=1)[0]
    port = _free_port()
    env = {**os.environ, "MLFLOW_TRACKING_URI": f"sqlite:///{store}",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "mlflow", "models", "serve", "-m",
                                f"runs:/{run.info.run_id}/nbsvm", "--env-manager", "local", "--host", "127.0.0.1",
                                "--port", str(port)], env=env, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        while True:
            try:
                if httpx.get(f"{url}/ping", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
            if process.poll() is not None:
                raise RuntimeError("mlflow models serve ended before it answered")
        ready_s = time.perf_counter() - started
        body = {"dataframe_split": {"columns": ["text"], "data": [[r] for r in REVIEWS]}}
        httpx.post(f"{url}/invocations", json=body, timeout=120).raise_for_status()  # the first request loads
        times = []
        for _ in range(20):
            started = time.perf_counter()
            answer = httpx.post(f"{url}/invocations", json=body, timeout=120)
            times.append(time.perf_counter() - started)
            answer.raise_for_status()
        return {"ready_s": round(ready_s, 2), "round_trip_ms_median": round(1000 * statistics.median(times), 1),
                "predictions": answer.json()["predictions"]}
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("IMDB_DATA"))
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--models", default="naive_bayes,linear_svm,nbsvm,ensemble")
    args = parser.parse_args()
    target = results_target(RESULTS / "tracking_overhead.json")
    walls: dict[str, list[float]] = {"plain": [], "tracked": []}
    with tempfile.TemporaryDirectory() as tmp:
        reports = Path(tmp) / "reports"
        for round_ in range(args.rounds):
            for kind in ("plain", "tracked"):
                seconds = _compare(reports / f"{kind}{round_}", args.models, args.data, kind == "tracked")
                walls[kind].append(round(seconds, 1))
                print(f"{kind} run {round_ + 1}: {seconds:.1f} s", flush=True)
        serve = _serve_round_trip(reports / "mlflow.db")
    plain, tracked = statistics.median(walls["plain"]), statistics.median(walls["tracked"])
    result = {"models": args.models, "wall_s": walls, "median_plain_s": plain, "median_tracked_s": tracked,
              "overhead": round(tracked / plain - 1, 4), "serve": serve}
    print(json.dumps(result, indent=2))
    RESULTS.mkdir(parents=True, exist_ok=True)
    write_results(target, result)


if __name__ == "__main__":
    main()
