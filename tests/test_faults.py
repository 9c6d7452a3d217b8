"""Real comparison processes killed at chosen moments: the report folder is always whole, old or new."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import FIXTURE_ROOT

ROOT = Path(__file__).resolve().parent.parent
MODELS = "naive_bayes,nbsvm"


def _command(out: Path, models: str = MODELS) -> list[str]:
    return [sys.executable, str(ROOT / "compare.py"), "--data", str(FIXTURE_ROOT), "--excerpt", "--models", models,
            "--bootstrap", "0", "--out", str(out)]


def _start(out: Path, pause_at: str, flag: Path, models: str = MODELS) -> subprocess.Popen:
    env = {**os.environ, "IMDB_BASELINES_PAUSE_AT": f"{pause_at}:{flag}", "TF_CPP_MIN_LOG_LEVEL": "3"}
    process = subprocess.Popen(_command(out, models), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, cwd=ROOT)
    deadline = time.monotonic() + 180
    while not flag.exists():
        if process.poll() is not None:
            raise AssertionError(f"the run ended before {pause_at}: {process.communicate()}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"the run never reached {pause_at}")
        time.sleep(0.05)
    return process


def _stop(process: subprocess.Popen, signum: int) -> tuple[int, str]:
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=120)
    return process.returncode, stderr


def _run(out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([*_command(out), *extra], capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})


def _report(out: Path) -> tuple[list[str], str]:
    """The models in a report folder, checking that every file of a whole report is there and agrees."""
    names = sorted(p.name for p in out.iterdir())
    assert {".imdb-baselines", "report.md", "results.json", "results.csv", "predictions.csv"} <= set(names), names
    models = pd.read_csv(out / "results.csv")["model"].tolist()
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert sorted(r["model"] for r in data["results"]) == sorted(models)
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "\n## Provenance\n" in markdown and "\nReproduce: `" in markdown  # written to its last section
    assert markdown.rstrip().splitlines()[-1].startswith("Files: `results.json`")  # its very last line
    return sorted(models), markdown


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if ".partial-" in p.name or ".old-" in p.name)


@pytest.fixture(scope="module")
def first_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("faults") / "report"
    done = _run(out, "--quiet")
    assert done.returncode == 0, done.stderr
    assert _report(out)[0] == ["naive_bayes", "nbsvm"]
    return out


@pytest.mark.parametrize("moment", ["fit-nbsvm", "before-replace", "mid-replace"])
def test_sigkill_leaves_the_old_or_the_new_report_whole_and_the_next_run_cleans_up(first_report, moment):
    parent = first_report.parent
    old_folder = first_report.stat().st_ino  # the old report's folder, wherever it is renamed to
    process = _start(first_report, moment, parent / f"{moment}.flag")
    status, _ = _stop(process, signal.SIGKILL)
    assert status == -signal.SIGKILL
    models, _ = _report(first_report)  # whole, at once, with no repair
    assert models == ["naive_bayes", "nbsvm"]
    leftovers = _leftovers(parent)
    if moment == "mid-replace":  # the new report is in place; the old one waits beside it
        assert first_report.stat().st_ino != old_folder
        assert len(leftovers) == 1 and (parent / leftovers[0]).stat().st_ino == old_folder
    elif moment == "before-replace":  # the old report is in place; the finished new one waits beside it
        assert first_report.stat().st_ino == old_folder and len(leftovers) == 1
        assert _report(parent / leftovers[0])[0] == ["naive_bayes", "nbsvm"]
    else:  # killed during a fit: the old report is in place; the staging folder beside it is unfinished
        assert first_report.stat().st_ino == old_folder and len(leftovers) == 1
    done = _run(first_report)
    assert done.returncode == 0, done.stderr
    assert _leftovers(parent) == []
    assert "left by a run that was killed while writing" in done.stderr
    assert _report(first_report)[0] == ["naive_bayes", "nbsvm"]


def test_sigterm_writes_the_finished_models_and_exits_non_zero(first_report):
    parent = first_report.parent
    process = _start(first_report, "fit-nbsvm", parent / "term.flag")
    status, stderr = _stop(process, signal.SIGTERM)
    assert status == 128 + signal.SIGTERM, stderr
    models, markdown = _report(first_report)
    assert models == ["naive_bayes"]
    assert "**This run was stopped early** (stopped by SIGTERM)" in markdown
    assert "- `nbsvm` (minimal): interrupted: stopped by SIGTERM" in markdown
    assert _leftovers(parent) == []


def test_sigterm_before_any_model_writes_nothing(tmp_path):
    out = tmp_path / "never"
    process = _start(out, "fit-naive_bayes", tmp_path / "flag")
    status, stderr = _stop(process, signal.SIGTERM)
    assert status == 128 + signal.SIGTERM
    assert "Stopped by SIGTERM before any model finished; no report was written." in stderr
    assert not out.exists() and _leftovers(tmp_path) == []


def test_a_second_run_on_the_same_folder_fails_at_once(tmp_path):
    out = tmp_path / "report"
    first = _start(out, "fit-nbsvm", tmp_path / "flag")
    try:
        second = _run(out)
        assert second.returncode == 2
        assert "Another imdb-baselines run is writing" in second.stderr and "--wait" in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        first.kill()
        first.communicate()
