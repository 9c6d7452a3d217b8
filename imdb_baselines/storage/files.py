"""Single files written atomically: a temporary file beside the target, then one rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from imdb_baselines.storage import locks

__all__ = ["atomic_file", "current_umask", "file_lock", "remove_stale_parts"]


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike, mode: str = "wb", **open_args) -> Iterator[IO]:
    """Open a temporary file beside ``path``; rename it onto ``path`` when the block succeeds.

    The temporary file is named ``.NAME.*.part`` and removed if the block
    fails, so ``path`` holds either its old content or the complete new one.
    The new file gets the permissions the user's umask gives any new file.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "notes.txt"
    >>> with atomic_file(target, "w", encoding="utf-8") as out:
    ...     _ = out.write("done")
    >>> target.read_text()
    'done'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.chmod(handle, 0o666 & ~current_umask())
    try:
        with os.fdopen(handle, mode, **open_args) as out:
            yield out
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


@contextlib.contextmanager
def file_lock(path: str | os.PathLike) -> Iterator[None]:
    """Hold an exclusive lock on the file ``path`` (created if missing) for the block; wait for it if taken.

    The lock goes with the process, even one killed with SIGKILL, is never
    held by a forked child, and its file is removed when it is released
    (see :mod:`imdb_baselines.storage.locks`).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = locks.acquire(path)
    try:
        yield
    finally:
        locks.release(path, handle)


def remove_stale_parts(path: str | os.PathLike) -> list[Path]:
    """Remove ``.NAME.*.part`` files that an :func:`atomic_file` killed mid-write left beside ``path``.

    Call it only while no other process can be writing ``path`` (under a lock).
    """
    path = Path(path)
    if not path.parent.is_dir():
        return []
    prefix, removed = f".{path.name}.", []
    for name in os.listdir(path.parent):
        if name.startswith(prefix) and name.endswith(".part"):
            (path.parent / name).unlink(missing_ok=True)
            removed.append(path.parent / name)
    return removed


def current_umask() -> int:
    """The process's umask, read without changing it where Linux shows it."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    umask = os.umask(0o022)  # elsewhere: read by setting, and put back at once
    os.umask(umask)
    return umask
