"""The web service under load: requests per second and latency, on localhost, with real IMDB test reviews.

Usage: python benchmarks/serve_benchmark.py REPORT [--data PATH] [--requests 2000] [--clients 1,4]

Starts ``imdb-serve REPORT`` on a free localhost port (one worker) and, for ``nbsvm`` alone,
``fasttext`` alone and every model at once, sends a fixed number of requests of one review each and of
batches of 64 reviews from 1 and from 4 client threads (``--clients``) with keep-alive connections (one
client: the latency of a request alone; four: throughput when requests queue). For each case: requests
per second, p50 / p99 latency, errors. Then 10,000 single-review requests to every model, with the
server's resident memory sampled every 1,000 requests (flat memory: no leak). Writes JSON under
``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from results_file import RESULTS, results_target, write_results  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _start(report: str, *options: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "imdb_baselines.cli.serve", report, "--port", str(port),
                                "--quiet", *options], cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 900  # a first --keras-runtime onnx start converts the networks
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError("the server did not start")


def _load(url: str, payloads: list[dict], clients: int) -> dict:
    """Send every payload once, spread over ``clients`` threads; latency of each request."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker(share: list[dict]) -> None:
        with httpx.Client(base_url=url, timeout=60) as client:
            for payload in share:
                started = time.perf_counter()
                response = client.post("/predict", json=payload)
                elapsed = time.perf_counter() - started
                ok = response.status_code == 200 and all(a["status"] == 200 for a in response.json()["answers"])
                with lock:
                    latencies.append(elapsed)
                    errors[0] += not ok

    shares = [payloads[i::clients] for i in range(clients)]
    threads = [threading.Thread(target=worker, args=(share,)) for share in shares]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    return {"requests": len(payloads), "errors": errors[0], "requests_per_s": round(len(payloads) / wall, 1),
            "p50_ms": round(1000 * statistics.median(ordered), 2),
            "p99_ms": round(1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", help="a report folder with saved models (nbsvm and fasttext among them)")
    parser.add_argument("--data", default=os.environ.get("IMDB_DATA"), help="aclImdb_v1.tar.gz (default: IMDB_DATA)")
    parser.add_argument("--requests", type=int, default=2000, help="requests per single-review case")
    parser.add_argument("--batch-requests", type=int, default=100, help="requests per batch-of-64 case")
    parser.add_argument("--clients", default="1,4", help="comma list of concurrent client threads (default 1,4)")
    parser.add_argument("--soak", type=int, default=10_000, help="requests of the memory soak")
    parser.add_argument("--out", type=results_target, default=str(RESULTS / "serve_benchmark.json"))
    args = parser.parse_args(argv)
    if not args.data:
        parser.error("give --data or set IMDB_DATA")
    from imdb_baselines import corpus

    reviews = corpus.load_imdb(args.data).test["text"].tolist()
    rng = random.Random(0)
    process, url = _start(args.report)
    try:
        served = [m["name"] for m in httpx.get(f"{url}/models").json()["models"]]
        cases = {"nbsvm": ["nbsvm"], "fasttext": ["fasttext"], f"all ({len(served)} models)": served}
        clients = [int(c) for c in args.clients.split(",")]
        summary: dict = {"report": args.report, "cases": {}}
        for case, models in cases.items():
            single = [{"text": rng.choice(reviews), "models": models} for _ in range(args.requests)]
            batch = [{"texts": rng.sample(reviews, 64), "models": models} for _ in range(args.batch_requests)]
            _load(url, single[:50], 1)  # warm-up
            for n in clients:
                summary["cases"][f"{case}, {n} client{'s' if n > 1 else ''}"] = row = {
                    "single": _load(url, single, n), "batch_of_64": _load(url, batch, n)}
                print(f"{case}, {n} clients:", json.dumps(row), flush=True)
        memory = [round(_rss_mib(process.pid), 1)]
        for _ in range(args.soak // 1000):
            result = _load(url, [{"text": rng.choice(reviews)} for _ in range(1000)], max(clients))
            if result["errors"]:
                raise RuntimeError(f"{result['errors']} errors during the soak")
            memory.append(round(_rss_mib(process.pid), 1))
        summary["soak"] = {"requests": args.soak, "models": served, "rss_mib_every_1000": memory}
        print("soak, resident MiB every 1,000 requests:", memory, flush=True)
    finally:
        process.terminate()
        process.wait(timeout=60)
    write_results(args.out, summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
