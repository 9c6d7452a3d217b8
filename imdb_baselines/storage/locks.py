"""Exclusive locks on files beside what is written, which never outlive the process that holds them.

A lock is the kernel's ``flock`` on a small lock file (``msvcrt.locking`` on
Windows, where ``fcntl`` does not exist). Three rules keep a lock from ever
blocking a later run:

- it goes with its process: the kernel drops it when the process dies,
  SIGKILL included;
- a child made by ``fork`` (the tokenizer's workers) closes the lock files
  it inherited at once, so a child that outlives its parent holds nothing;
- the lock file is removed by the holder on release (only while empty, as
  the package leaves it: a file of that name with content is not its own),
  and a taker checks after locking that the file it holds is still the one
  at the path (else another holder removed it meanwhile, and it tries again).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["LockTakenError", "acquire", "release"]

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None
    import msvcrt

_held: set[int] = set()  # descriptors of the locks this process holds


class LockTakenError(OSError):
    """The lock is held by another process (and the caller did not ask to wait)."""


def _forget_inherited_locks() -> None:
    """In a forked child: close the parent's lock descriptors, so that the child never holds its locks."""
    for handle in list(_held):
        try:
            os.close(handle)
        except OSError:
            pass
    _held.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_inherited_locks)


def _lock(handle: int, wait: bool) -> None:
    if fcntl is not None:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise LockTakenError("the lock is held by another process") from None
        return
    while True:  # pragma: no cover - Windows only
        try:
            msvcrt.locking(handle, msvcrt.LK_NBLCK, 1)
            return
        except OSError:
            if not wait:
                raise LockTakenError("the lock is held by another process") from None
            import time

            time.sleep(0.2)


def acquire(path: str | os.PathLike, *, wait: bool = True) -> int:
    """Take the exclusive lock of the file ``path`` (created if missing); return its descriptor.

    Parameters
    ----------
    path : path
        The lock file.
    wait : bool, default=True
        Wait while another process holds it; else raise :class:`LockTakenError` at once.

    Raises
    ------
    LockTakenError
        If ``wait`` is false and another process holds the lock.
    OSError
        If the lock file cannot be created.
    """
    path = Path(path)
    while True:
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            _lock(handle, wait)
            held, there = os.fstat(handle), os.stat(path)
        except FileNotFoundError:  # removed by its holder between our open and lock: take the new one
            os.close(handle)
            continue
        except BaseException:
            os.close(handle)
            raise
        if (held.st_dev, held.st_ino) == (there.st_dev, there.st_ino):
            _held.add(handle)
            return handle
        os.close(handle)  # we locked a file its holder had removed; lock the one at the path now


def release(path: str | os.PathLike, handle: int) -> None:
    """Remove the lock file ``path`` and release the lock ``handle`` that :func:`acquire` returned."""
    try:
        there = os.stat(path)
        held = os.fstat(handle)
        if (held.st_dev, held.st_ino) == (there.st_dev, there.st_ino) and held.st_size == 0:
            os.unlink(path)  # an empty lock file; a file of that name with content is someone else's: kept
    except OSError:
        pass
    _held.discard(handle)
    os.close(handle)
