"""Saved models before and after compact saving: size, load time, test predictions and serving memory.

Usage: python benchmarks/saved_sizes.py [REPORT] [--data PATH] [--out FOLDER] [--serving-only]

Loads every model of REPORT's ``models/`` (default: ``reports/reference``, written by an earlier version
of the writer), answers IMDB's 25,000 test reviews with it, writes it again with today's writer into
``--out`` (default ``benchmarks/results/compact_models``), loads that copy and answers again. Per model: saved
MiB, load seconds, test predictions that changed and the accuracy of each. Then ``imdb-serve`` is started on
each folder in turn, every model answers 1,000 test reviews, and the server's resident memory is read; once more on
the compact copy with ``--keras-runtime onnx`` (with ``--serving-only``, only the three services, on the
folders as they are). Writes ``benchmarks/results/saved_sizes.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from results_file import RESULTS, results_target, write_results  # noqa: E402
from serve_benchmark import _rss_mib, _start  # noqa: E402

from imdb_baselines import corpus  # noqa: E402
from imdb_baselines.modelfiles import load_model, read_manifest, save_model  # noqa: E402
from imdb_baselines.storage import write_folder  # noqa: E402

_SERVED = 1_000  # test reviews each service answers before its memory is read
_KEPT = ("dataset", "data_sha256", "split_fingerprint", "text_preparation", "test_metrics", "command")


def _mib(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def _answers(folder: Path, texts: list[str]) -> tuple[np.ndarray, float]:
    start = time.perf_counter()
    model = load_model(folder)
    seconds = time.perf_counter() - start
    return np.asarray(model.predict(texts)), seconds


def _serving_mib(report: Path, names: list[str], texts: list[str], *options: str) -> dict[str, float]:
    """The service's resident MiB once every model has answered ``texts`` (batches of 100): in all, and the
    parts that are its own (anonymous) and mapped from files (libraries, weights mapped from their files)."""
    process, url = _start(str(report), *options)
    try:
        for start in range(0, len(texts), 100):
            httpx.post(f"{url}/predict", json={"texts": texts[start:start + 100], "models": names},
                       timeout=300).raise_for_status()
        status = dict(line.split(":", 1) for line in Path(f"/proc/{process.pid}/status").read_text().splitlines())
        return {"resident": round(_rss_mib(process.pid), 1),
                **{key: round(int(status[key].split()[0]) / 1024, 1) for key in ("RssAnon", "RssFile")}}
    finally:
        process.terminate()
        process.wait(30)


def _serving(report: Path, out: Path, names: list[str], texts: list[str]) -> dict[str, dict[str, float]]:
    """Resident MiB of a service of every model once each has answered ``texts``: the earlier files, the compact
    ones, and the compact ones with the Keras models in onnxruntime (no TensorFlow in the service)."""
    return {"before": _serving_mib(report, names, texts), "after": _serving_mib(out, names, texts),
            "after, --keras-runtime onnx": _serving_mib(out, names, texts, "--keras-runtime", "onnx")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", nargs="?", default=str(ROOT / "reports" / "reference"))
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "aclImdb_v1.tar.gz"))
    parser.add_argument("--out", default=str(RESULTS / "compact_models"))
    parser.add_argument("--serving-only", action="store_true", help="only the servers' memory, on the folders as "
                        "they are")
    args = parser.parse_args(argv)
    target = results_target(RESULTS / ("serving_memory.json" if args.serving_only else "saved_sizes.json"))
    report, out = Path(args.report), Path(args.out)
    test = corpus.load_imdb(args.data).test
    texts, labels = test["text"].tolist(), test["label"].to_numpy()
    folders = sorted(p for p in (report / "models").iterdir() if (p / "manifest.json").is_file())
    names = [folder.name for folder in folders]
    if args.serving_only:
        serving = _serving(report, out, names, texts[:_SERVED])
        print("serving resident MiB:", serving)
        write_results(target, serving)
        return 0

    def copy_all(target: Path) -> None:
        (target / "models").mkdir()
        for folder in folders:
            model = load_model(folder)
            manifest = read_manifest(folder)
            save_model(model, target / "models" / folder.name, name=folder.name,
                       details={k: manifest[k] for k in _KEPT if k in manifest})
        for name in ("results.json", "predictions.csv"):  # what the service describes its models with
            if (report / name).is_file():
                shutil.copyfile(report / name, target / name)

    write_folder(out, "report", copy_all)
    rows = []
    for folder in folders:
        before, load_before = _answers(folder, texts)
        after, load_after = _answers(out / "models" / folder.name, texts)
        row = {"model": folder.name, "mib_before": round(_mib(folder), 1), "mib_after": round(_mib(out / "models" /
               folder.name), 1), "load_s_before": round(load_before, 2), "load_s_after": round(load_after, 2),
               "changed": int(np.sum(before != after)), "accuracy_before": float(np.mean(before == labels)),
               "accuracy_after": float(np.mean(after == labels))}
        rows.append(row)
        print(json.dumps(row), flush=True)
    serving = _serving(report, out, names, texts[:_SERVED])
    total = {"mib_before": round(sum(r["mib_before"] for r in rows), 1),
             "mib_after": round(sum(r["mib_after"] for r in rows), 1)}
    print("total MiB:", total, "serving resident MiB:", serving, flush=True)
    write_results(target, {"models": rows, "total": total, "serving_rss_mib": serving})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
