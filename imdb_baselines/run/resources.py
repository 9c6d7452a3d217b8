"""Peak memory of a block of work, and the size of a saved model."""

from __future__ import annotations

import os
import pickle
import resource
import tempfile
import threading
from pathlib import Path

__all__ = ["PeakMemory", "saved_size_bytes", "tree_pss_bytes", "tree_rss_bytes"]

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _rss_bytes(pid: int | str = "self") -> int:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * _PAGE
    except OSError:  # not Linux: the process's lifetime peak is the best available
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 if pid == "self" else 0


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                found += [int(child) for child in handle.read().split()]
    except OSError:  # gone meanwhile, or not Linux
        pass
    return found


def tree_rss_bytes(pid: int | None = None) -> int:
    """Resident memory of a process (default: this one) and all its descendants (a Spark driver's JVM and workers)."""
    total, pending = 0, [pid or os.getpid()]
    while pending:
        pid = pending.pop()
        total += _rss_bytes(pid)
        pending += _children(pid)
    return total


def tree_pss_bytes(pid: int | None = None) -> int:
    """Proportional memory of a process and its descendants: each page shared by n of them counts 1/n.

    A worker forked to tokenize shares its parent's pages until either writes them; the sum of resident
    memory counts those pages once per process, the proportional sum once. Linux only (0 elsewhere).
    """
    total, pending = 0, [pid or os.getpid()]
    while pending:
        pid = pending.pop()
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
                total += next(int(line.split()[1]) * 1024 for line in handle if line.startswith("Pss:"))
        except (OSError, StopIteration):  # gone meanwhile, or not Linux
            pass
        pending += _children(pid)
    return total


class PeakMemory:
    """Sample the process's resident memory while a block runs (``children=True``: with its descendants').

    Examples
    --------
    >>> with PeakMemory() as memory:
    ...     block = bytearray(50 * 2**20)
    >>> memory.peak_bytes >= memory.start_bytes
    True
    """

    def __init__(self, interval: float = 0.02, *, children: bool = False) -> None:
        self.interval = interval
        self.start_bytes = self.peak_bytes = 0
        self._measure = tree_rss_bytes if children else _rss_bytes

    def __enter__(self) -> PeakMemory:
        self.start_bytes = self.peak_bytes = self._measure()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak_bytes = max(self.peak_bytes, self._measure())

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_bytes = max(self.peak_bytes, self._measure())

    @property
    def added_bytes(self) -> int:
        """Peak resident memory above what the process held at the start."""
        return max(self.peak_bytes - self.start_bytes, 0)


def saved_size_bytes(model) -> int:
    """Bytes on disk of a fitted model: its own ``save`` folder if it has one, else its pickle."""
    if hasattr(model, "save") and hasattr(model, "model_"):
        with tempfile.TemporaryDirectory() as folder:
            path = model.save(Path(folder) / "model")
            return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    counter = _ByteCounter()
    pickle.dump(model, counter, protocol=pickle.HIGHEST_PROTOCOL)  # counted as written, never held in memory
    return counter.size


class _ByteCounter:
    """A write-only file that keeps only the number of bytes written to it."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, data) -> int:
        size = memoryview(data).nbytes  # bytes, or the PickleBuffer of a large array
        self.size += size
        return size
