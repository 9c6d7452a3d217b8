"""Real server processes (``imdb-serve``, MLflow's) for the tests that talk to them over HTTP, and the browser."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def chromium_path() -> str:
    """Debian's Chromium for the browser tests (skipped where there is none)."""
    path = os.environ.get("IMDB_BASELINES_BROWSER") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.skip("no Chromium on this machine (.ci/run installs Debian's chromium)")
    return path


@contextlib.contextmanager
def running_process(command: list[str], port: int, health: str = "/health", env: dict[str, str] | None = None,
                    timeout_s: float = 120, started: list | None = None) -> Iterator[int]:
    """``command`` listening on ``port``, once ``health`` answers 200; stopped after the block (its process is
    appended to ``started``, where given)."""
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env=env, start_new_session=True)
    if started is not None:
        started.append(process)
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}{health}", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            os.killpg(process.pid, 9) if process.poll() is None else None
            pytest.fail(f"the server did not start:\n{process.communicate()[0][-3000:]}")
        time.sleep(0.3)
    try:
        yield port
    finally:
        os.killpg(process.pid, 15)  # the server and any workers it started
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait(timeout=30)


@contextlib.contextmanager
def running_server(path: Path, *options: str) -> Iterator[int]:
    """``imdb-serve PATH OPTIONS`` on a free port, once ``/health`` answers; stopped after the block."""
    port = free_port()
    with running_process([sys.executable, "-m", "imdb_baselines.cli.serve", str(path), "--port", str(port),
                          "--quiet", *options], port) as port:
        yield port
