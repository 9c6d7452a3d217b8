"""Real runs killed or signalled while the tokenizer's workers exist, and reports aimed at a mount point."""

import csv
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_ROOT

ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENT = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}


@pytest.fixture(scope="module")
def large_table(tmp_path_factory) -> Path:
    """6,000 real reviews (the excerpt's, each numbered), enough for every split to be tokenized by workers."""
    reviews = [(path.read_text(encoding="utf-8"), label) for label in ("pos", "neg")
               for path in sorted((FIXTURE_ROOT / "train" / label).glob("*.txt"))]
    path = tmp_path_factory.mktemp("large") / "reviews.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["text", "label"])
        for i in range(6000):
            text, label = reviews[i % len(reviews)]
            writer.writerow([f"{text} (copy {i})", label])
    return path


def _command(data: Path, out: Path) -> list[str]:
    return [sys.executable, str(ROOT / "compare.py"), "--data", str(data), "--models", "naive_bayes,nbsvm",
            "--validation-size", "0", "--bootstrap", "0", "--quiet", "--out", str(out)]


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if int(fields.get("PPid", "0")) == pid and not fields.get("State", "").startswith("Z"):
            found.append(int(status.parent.name))
    return found


def _forks(pid: int) -> list[int]:
    """The children of ``pid`` that are copies of it (not programs it started, such as ``fc-list`` or ``git``)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
        return [child for child in _children(pid) if Path(f"/proc/{child}/cmdline").read_bytes() == command]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except OSError:
        return False


def _wait_for(predicate, process: subprocess.Popen, what: str, seconds: float = 120):
    deadline = time.monotonic() + seconds
    while not (found := predicate()):
        if process.poll() is not None:
            raise AssertionError(f"the run ended before {what} (status {process.returncode})")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"never saw {what}")
        time.sleep(0.01)
    return found


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc")
def test_a_run_killed_while_its_workers_tokenize_never_blocks_the_next(large_table, tmp_path):
    out = tmp_path / "report"
    for attempt in range(3):
        run = subprocess.Popen(_command(large_table, out), env=ENVIRONMENT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # no pipe: a worker left alive would hold it open
        workers = _wait_for(lambda pid=run.pid: _children(pid), run, "a tokenizer worker")
        run.kill()
        run.wait()
        deadline = time.monotonic() + 10
        while any(map(_alive, workers)) and time.monotonic() < deadline:
            time.sleep(0.05)
        survivors = [pid for pid in workers if _alive(pid)]
        for pid in survivors:
            os.kill(pid, signal.SIGKILL)
        assert not survivors, f"attempt {attempt}: workers {survivors} outlived their killed parent"
    again = subprocess.run(_command(large_table, out), env=ENVIRONMENT, capture_output=True, text=True, timeout=300,
                           stdin=subprocess.DEVNULL)
    assert again.returncode == 0, again.stderr
    assert (out / "report.md").is_file()
    assert not list(tmp_path.glob(".report.lock")), "the lock file stays after the run"


@pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace to widen the fork window")
def test_a_sigterm_that_lands_while_the_tokenizer_forks_stops_the_run(large_table, tmp_path):
    out = tmp_path / "report"
    # Each fork returns 1.5 s late, so the signal lands inside it (threads use clone3 and are not delayed).
    traced = subprocess.Popen(["strace", "-f", "-o", "/dev/null", "-e", "trace=clone", "-e",
                               "inject=clone:delay_exit=1500000", *_command(large_table, out)],
                              env=ENVIRONMENT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    run = _wait_for(lambda: _children(traced.pid), traced, "the comparison under strace")[0]
    _wait_for(lambda: _forks(run), traced, "the tokenizer's first fork", seconds=240)
    os.kill(run, signal.SIGTERM)
    try:
        _, stderr = traced.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        traced.kill()
        raise AssertionError("the run hung after a SIGTERM during a fork") from None
    assert traced.returncode == 128 + signal.SIGTERM, stderr
    assert "Stopped by SIGTERM before any model finished; no report was written." in stderr
    assert "Exception ignored" not in stderr
    assert not out.exists() and not list(tmp_path.glob(".report.*"))


def _mount_namespace_works() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "--mount", "--map-root-user", "true"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not _mount_namespace_works(), reason="needs unshare to make a mount point of its own")
def test_out_on_a_mount_point_is_refused_before_loading(tmp_path):
    mount = tmp_path / "out"
    mount.mkdir()
    command = [sys.executable, str(ROOT / "compare.py"), "--data", str(FIXTURE_ROOT), "--excerpt", "--models",
               "naive_bayes", "--bootstrap", "0", "--quiet", "--out", str(mount)]
    script = 'mount -t tmpfs tmpfs "$1" && shift && exec "$@"'
    done = subprocess.run(["unshare", "--mount", "--map-root-user", "sh", "-c", script, "sh", str(mount), *command],
                          capture_output=True, text=True, env=ENVIRONMENT, timeout=300)
    assert done.returncode == 2, done.stderr
    assert "is a mount point" in done.stderr and f"{mount / 'report'}" in done.stderr
    assert "Traceback" not in done.stderr and "Loading" not in done.stderr


@pytest.mark.skipif(not _mount_namespace_works(), reason="needs unshare to make a small file system of its own")
def test_a_full_disk_is_one_line_and_the_old_report_stays(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    out = disk / "report"
    command = [sys.executable, str(ROOT / "compare.py"), "--data", str(FIXTURE_ROOT), "--excerpt", "--models",
               "naive_bayes", "--bootstrap", "0", "--quiet", "--out", str(out)]
    # A 64 KiB file system holding a small old report: the new one does not fit.
    marker = '{"package": "imdb-baselines", "kind": "report", "contents": ["report.md"]}'
    script = ('mount -t tmpfs -o size=64k tmpfs "$1" && mkdir "$2" && printf %s "$3" > "$2/.imdb-baselines" && '
              'echo old > "$2/report.md" && shift 3 && "$@"; status=$?; cat "$OUT/report.md"; exit $status')
    done = subprocess.run(["unshare", "--mount", "--map-root-user", "sh", "-c", script, "sh", str(disk), str(out),
                           marker, *command], capture_output=True, text=True, timeout=300,
                          env={**ENVIRONMENT, "OUT": str(out)})
    assert done.returncode == 1, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: the run could not write") and "No space left on device" in last
    assert "an earlier report in that folder is unchanged" in last and "Traceback" not in done.stderr
    assert done.stdout.strip().splitlines()[-1] == "old"


@pytest.mark.skipif(not _mount_namespace_works(), reason="needs unshare to make a small file system of its own")
def test_an_export_onto_a_full_disk_is_one_line(kept_report, tmp_path):
    pytest.importorskip("onnxruntime")
    disk = tmp_path / "disk"
    disk.mkdir()
    command = [sys.executable, "-m", "imdb_baselines.cli.export", "--model", str(kept_report / "models" / "nbsvm"),
               "--format", "onnx", "--out", str(disk / "export")]
    script = 'mount -t tmpfs -o size=16k tmpfs "$1" && shift && exec "$@"'
    done = subprocess.run(["unshare", "--mount", "--map-root-user", "sh", "-c", script, "sh", str(disk), *command],
                          capture_output=True, text=True, timeout=300, env=ENVIRONMENT)
    assert done.returncode == 1, done.stderr
    assert "No space left on device" in done.stderr and "Traceback" not in done.stderr
