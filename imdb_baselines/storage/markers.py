"""The marker that says a folder is this package's own, and what the package wrote into it.

A folder the package writes holds a ``.imdb-baselines`` file: the package's name, what the folder holds
(``kind``) and, once it is complete, every path the package wrote inside it. A writer replaces a folder only if
its marker is valid and the folder holds nothing else (:class:`imdb_baselines.storage.OwnedFolder`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

__all__ = ["MARKER", "is_ours", "read_marker", "write_marker", "written_contents"]

#: The file that marks a folder as written by this package.
MARKER = ".imdb-baselines"
_PACKAGE = "imdb-baselines"


def write_marker(folder: Path, kind: str, *, contents: list[str] | None = None) -> None:
    """Mark ``folder`` as written by this package, holding a ``kind``.

    ``contents`` lists every path inside it (relative, ``/``-separated) that the package wrote; a later
    writer refuses to replace the folder while it holds anything else.
    """
    marker = {"package": _PACKAGE, "kind": kind, **({"contents": contents} if contents is not None else {})}
    (folder / MARKER).write_text(json.dumps(marker) + "\n", encoding="utf-8")


def written_contents(folder: Path) -> list[str]:
    """Every file and folder below ``folder`` but its marker, as sorted relative ``/``-separated paths."""
    found = []
    for root, dirs, files in os.walk(folder):
        relative = Path(root).relative_to(folder)
        found += [(relative / name).as_posix() for name in dirs + files]
    return sorted(set(found) - {MARKER})


def read_marker(folder: Path) -> dict | None:
    """The marker of ``folder``, or None if it has no valid one."""
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) and marker.get("package") == _PACKAGE else None


def is_ours(folder: Path) -> bool:
    """A leftover beside a target may go if it is marked, or empty (killed before its marker was written)."""
    return read_marker(folder) is not None or not os.listdir(folder)
