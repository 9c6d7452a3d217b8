"""Folders the package writes: claimed only when absent, empty or its own; locked; replaced atomically.

Every writer of a folder (a report, a saved model, an export) goes through
:class:`OwnedFolder`:

1. :meth:`~OwnedFolder.claim` refuses a target that is neither absent, nor
   an empty folder, nor marked as this package's own (a ``.imdb-baselines``
   file inside it, holding nothing it did not write), takes an exclusive
   lock on ``.NAME.lock`` beside it, and recovers what a killed writer of
   the same target left behind;
2. :meth:`~OwnedFolder.stage` makes a hidden staging folder beside it;
3. :meth:`~OwnedFolder.commit` swaps the staging folder into place in one
   atomic step (``renameat2(RENAME_EXCHANGE)`` where the system has it),
   so that at every instant the target holds the complete old or the
   complete new content.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from imdb_baselines.storage import locks
from imdb_baselines.storage.hooks import pause_point
from imdb_baselines.storage.markers import is_ours, read_marker, write_marker, written_contents
from imdb_baselines.storage.swap import exchange

__all__ = ["OwnedFolder", "TargetError", "write_folder"]

logger = logging.getLogger(__name__)

_SHOWN = 5  # foreign files named in a refusal


class TargetError(ValueError):
    """A folder the package will not write: not its own, locked by another run, or unwritable."""


class OwnedFolder:
    """A folder this package writes as a whole and replaces atomically.

    Parameters
    ----------
    path : path
        The target folder.
    kind : str
        What it holds (``"report"``, ``"model"``, ...); a folder marked as
        another kind is refused too.

    Examples
    --------
    >>> import tempfile
    >>> target = OwnedFolder(Path(tempfile.mkdtemp()) / "report", "report")
    >>> with target.claimed():
    ...     staging = target.stage()
    ...     _ = (staging / "report.md").write_text("# Report")
    ...     _ = target.commit(staging)
    >>> sorted(p.name for p in target.path.iterdir())
    ['.imdb-baselines', 'report.md']
    """

    def __init__(self, path: str | os.PathLike, kind: str) -> None:
        self.path = Path(path).expanduser().absolute()
        self.kind = kind
        self._lock: int | None = None

    def __repr__(self) -> str:
        return f"OwnedFolder({str(self.path)!r}, {self.kind!r})"

    # -- ownership -----------------------------------------------------------------------------------

    def check(self, protect: Iterable[str | os.PathLike] = ()) -> None:
        """Raise :class:`TargetError` unless the target may be written.

        Parameters
        ----------
        protect : iterable of path
            Paths (such as the data being read) that the target must neither
            be nor contain.
        """
        path = self.path
        resolved = path.resolve()
        for item in protect:
            kept = Path(item).expanduser().resolve()
            if resolved == kept or resolved in kept.parents:
                what = "is" if resolved == kept else "holds"
                raise TargetError(f"{path} {what} {kept}, which this run reads; nothing was changed. "
                                  "Choose another folder.")
            if kept in resolved.parents and kept.is_dir():
                raise TargetError(f"{path} is inside {kept}, which this run reads (a later run would read it as "
                                  "data); nothing was changed. Choose a folder outside it.")
        if path.is_symlink():
            raise TargetError(f"{path} is a symbolic link, not a folder imdb-baselines wrote. Choose another path.")
        longest = _name_max(path.parent) - len(self._sibling(f"partial-{_PID_DIGITS * '9'}-{8 * 'f'}").name) + len(
            path.name)  # the staging folder beside it has the longest name
        if len(os.fsencode(path.name)) > longest:
            raise TargetError(f"The name {path.name[:40]}... is {len(os.fsencode(path.name))} bytes long; a "
                              f"{self.kind} folder's name may have at most {longest}, leaving room for the staging "
                              "folder beside it. Choose a shorter name.")
        if not path.exists():
            return
        if not path.is_dir():
            raise TargetError(
                f"{path} is a file, not a folder imdb-baselines wrote; it was left untouched. "
                "Choose another path, or move the file away yourself."
            )
        if os.path.ismount(path):
            raise TargetError(
                f"{path} is a mount point: {_a(self.kind)} folder is replaced as a whole, and a mount point cannot "
                f"be; nothing was changed. Give a folder inside it, for example {path / self.kind}."
            )
        entries = sorted(os.listdir(path))
        if not entries:
            return
        marker = read_marker(path)
        if marker is None:
            raise TargetError(
                f"{path} already holds files that imdb-baselines did not write ({_listed(entries)}); nothing was "
                "changed. Choose a new or empty folder."
            )
        if marker.get("kind") != self.kind:
            raise TargetError(
                f"{path} holds {_a(marker.get('kind'))} written by imdb-baselines, not {_a(self.kind)}; "
                "nothing was changed. Choose another folder."
            )
        written = marker.get("contents")
        if isinstance(written, list):
            foreign = sorted(set(written_contents(path)) - set(written))
            if foreign:
                raise TargetError(
                    f"{path} holds files that imdb-baselines did not write ({_listed(foreign)}), which replacing "
                    f"the {self.kind} would delete; nothing was changed. Move them out of the folder, or choose "
                    "another one."
                )

    def claim(self, *, wait: bool = False, protect: Iterable[str | os.PathLike] = ()) -> OwnedFolder:
        """Check the target, lock it against other writers and recover a killed writer's leftovers.

        Parameters
        ----------
        wait : bool, default=False
            Wait for another run holding the lock instead of failing at once.
        protect : iterable of path
            See :meth:`check`.

        Raises
        ------
        TargetError
            If the target is not the package's own, cannot be written, or is
            locked by another run (and ``wait`` is false).
        """
        protect = list(protect)
        self.check(protect)
        lock = self._sibling("lock")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = locks.acquire(lock, wait=wait)
        except locks.LockTakenError:
            raise TargetError(
                f"Another imdb-baselines run is writing {self.path} (it holds {lock}). "
                "Wait for it to finish, choose another folder, or ask to wait (--wait)."
            ) from None
        except OSError as error:
            raise TargetError(f"Cannot write {self.path}: {error.strerror or error}. Choose a writable folder.") \
                from error
        self._lock = handle
        try:
            self.check(protect)  # it may have changed while we waited
            self._recover()
        except BaseException:
            self.release()
            raise
        return self

    def release(self) -> None:
        """Release the lock taken by :meth:`claim` and remove its lock file."""
        if self._lock is not None:
            locks.release(self._sibling("lock"), self._lock)
            self._lock = None

    @contextlib.contextmanager
    def claimed(self, **options) -> Iterator[OwnedFolder]:
        """:meth:`claim` for the duration of a ``with`` block."""
        self.claim(**options)
        try:
            yield self
        finally:
            self.release()

    # -- writing -------------------------------------------------------------------------------------

    def stage(self) -> Path:
        """A new, marked staging folder beside the target (created with the user's umask)."""
        self._require_lock()
        staging = self._sibling(f"partial-{os.getpid()}-{secrets.token_hex(4)}")
        os.mkdir(staging)
        write_marker(staging, self.kind)
        return staging

    def commit(self, staging: Path) -> Path:
        """Put ``staging`` in place of the target; the old content goes only once the new is in place.

        Where the system can exchange two paths atomically, the target
        never stops holding a complete folder. Elsewhere the old folder is
        renamed aside first; if the second rename fails it is put back, and
        if the process dies in between, the next :meth:`claim` restores it.
        """
        self._require_lock()
        write_marker(staging, self.kind, contents=written_contents(staging))
        pause_point("before-replace")
        if not self.path.exists() or (self.path.is_dir() and not os.listdir(self.path)):
            os.replace(staging, self.path)  # onto nothing, or onto an empty folder
            return self.path
        if exchange(staging, self.path):
            pause_point("mid-replace")
            shutil.rmtree(staging)  # now the old content
            return self.path
        old = self._sibling(f"old-{os.getpid()}-{secrets.token_hex(4)}")
        os.rename(self.path, old)
        pause_point("mid-replace")
        try:
            os.rename(staging, self.path)
        except BaseException:
            os.rename(old, self.path)
            raise
        shutil.rmtree(old)
        return self.path

    def discard(self, staging: Path) -> None:
        """Remove a staging folder that will not be committed."""
        shutil.rmtree(staging, ignore_errors=True)

    # -- internals -----------------------------------------------------------------------------------

    def _sibling(self, suffix: str) -> Path:
        return self.path.with_name(f".{self.path.name}.{suffix}")

    def _require_lock(self) -> None:
        if self._lock is None:
            raise RuntimeError(f"{self!r} must be claimed before it is written.")

    def _leftovers(self, word: str) -> list[Path]:
        prefix = f".{self.path.name}.{word}-"
        found = [self.path.parent / name for name in os.listdir(self.path.parent) if name.startswith(prefix)]
        return sorted((p for p in found if p.is_dir() and not p.is_symlink()), key=lambda p: p.stat().st_mtime)

    def _recover(self) -> None:
        """Undo what a killed writer left: restore a moved-aside old folder, remove staging folders."""
        for staging in self._leftovers("partial"):
            if is_ours(staging):
                shutil.rmtree(staging)
                logger.warning("Removed %s, left by a run that was killed while writing %s", staging.name,
                               self.path)
        olds = [p for p in self._leftovers("old") if is_ours(p)]
        if olds and not self.path.exists():
            previous = olds.pop()
            os.rename(previous, self.path)
            logger.warning("Restored the previous %s at %s (a run was killed while replacing it)", self.kind,
                           self.path)
        for old in olds:
            shutil.rmtree(old)
            logger.warning("Removed %s, the replaced copy of %s left by a killed run", old.name, self.path)


_PID_DIGITS = 7  # Linux's largest process id, 4194304, has seven digits


def _name_max(folder: Path) -> int:
    """The longest file name, in bytes, the file system of ``folder`` (or its nearest existing parent) takes."""
    for candidate in (folder, *folder.parents):
        if candidate.is_dir():
            try:
                return os.pathconf(candidate, "PC_NAME_MAX")
            except (AttributeError, OSError, ValueError):
                break
    return 255


def _a(noun: object) -> str:
    return f"{'an' if str(noun)[:1] in 'aeiou' else 'a'} {noun}"


def write_folder(path: str | os.PathLike, kind: str, fill: Callable[[Path], None], *, wait: bool = False) -> Path:
    """Write a whole folder through ``fill(staging)`` and swap it into place.

    Parameters
    ----------
    path : path
        The target: absent, empty, or a folder this package wrote as ``kind``.
    kind : str
        What the folder holds.
    fill : callable
        Writes the folder's content into the staging folder it is given.
    wait : bool, default=False
        Wait for another writer of ``path`` instead of failing.

    Returns
    -------
    Path
        The absolute target path.
    """
    target = OwnedFolder(path, kind)
    with target.claimed(wait=wait):
        staging = target.stage()
        try:
            fill(staging)
            target.commit(staging)
        finally:
            target.discard(staging)
    return target.path


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:_SHOWN])
    return shown + (f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else "")
