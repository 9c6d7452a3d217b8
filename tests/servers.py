"""Real ``imdb-serve`` processes for the tests that talk to the service over HTTP."""

from __future__ import annotations

import contextlib
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


@contextlib.contextmanager
def running_server(path: Path, *options: str) -> Iterator[int]:
    """``imdb-serve PATH OPTIONS`` on a free port, once ``/health`` answers; stopped after the block."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "imdb_baselines.cli.serve", str(path), "--port", str(port),
                                "--quiet", *options], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the server did not start:\n{process.communicate()[0][-3000:]}")
        time.sleep(0.3)
    try:
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)
