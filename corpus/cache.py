"""A fast parsed copy of an archive, keyed by its sha256 (no pickle, atomic writes)."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import numpy as np

from corpus.layout import ReviewFile

__all__ = ["read_cached", "write_cached"]

logger = logging.getLogger(__name__)

_FORMAT = 1  # bump when the stored arrays change
_PARTS = {"labelled": ("train", "test"), "unsup": ("unsup",)}
_KINDS = ("neg", "pos", "unsup")


def _cache_file(cache_dir: Path, digest: str, part: str) -> Path:
    return cache_dir / "parsed" / f"{digest[:32]}-{part}-v{_FORMAT}.npz"


def read_cached(cache_dir: Path, digest: str, include_unsup: bool) -> list[ReviewFile] | None:
    """Return the reviews stored for ``digest``, or None if any needed part is missing."""
    parts = ["labelled", "unsup"] if include_unsup else ["labelled"]
    files: list[ReviewFile] = []
    for part in parts:
        path = _cache_file(cache_dir, digest, part)
        if not path.is_file():
            return None
        try:
            files.extend(_read_part(path))
        except (OSError, ValueError, KeyError) as error:
            logger.warning("Ignoring unreadable cache file %s (%s); re-parsing", path, error)
            return None
    logger.info("Read parsed reviews from cache %s", cache_dir / "parsed")
    return files


def write_cached(cache_dir: Path, digest: str, files: list[ReviewFile]) -> None:
    """Store ``files`` for ``digest``; a failure to write only logs a warning."""
    for part, splits in _PARTS.items():
        rows = [f for f in files if f.split in splits]
        if rows:
            try:
                _write_part(_cache_file(cache_dir, digest, part), rows)
            except OSError as error:
                logger.warning("Could not write the parsed-review cache (%s)", error)


def _write_part(path: Path, rows: list[ReviewFile]) -> None:
    encoded = [f.text.encode("utf-8") for f in rows]
    offsets = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    arrays = {
        "split": np.array([f.split for f in rows]),
        "kind": np.array([_KINDS.index(f.kind) for f in rows], dtype=np.int8),
        "id": np.array([f.id for f in rows], dtype=np.int64),
        "rating": np.array([f.rating for f in rows], dtype=np.int8),
        "name": np.array([f.name for f in rows]),
        "offsets": offsets,
        "blob": np.frombuffer(b"".join(encoded), dtype=np.uint8),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            np.savez(out, **arrays)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _read_part(path: Path) -> list[ReviewFile]:
    with np.load(path, allow_pickle=False) as data:
        blob = data["blob"].tobytes()
        offsets = data["offsets"].tolist()
        splits, kinds = data["split"].tolist(), data["kind"].tolist()
        ids, ratings, names = data["id"].tolist(), data["rating"].tolist(), data["name"].tolist()
    return [
        ReviewFile(
            splits[i],
            _KINDS[kinds[i]],
            ids[i],
            ratings[i],
            names[i],
            blob[offsets[i] : offsets[i + 1]].decode("utf-8"),
        )
        for i in range(len(ids))
    ]
