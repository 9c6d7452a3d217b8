"""A fast parsed copy of an archive, keyed by its sha256 (no pickle, atomic writes, verified on load).

Each cache file stores the sha256 of the archive it was parsed from and a
sha256 of its own arrays. A file that cannot be read, does not match its
checksum, or belongs to another archive is discarded with one warning and
the archive is parsed again; nothing in the cache is ever trusted blindly.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import numpy as np

from imdb_baselines.corpus.layout import ReviewFile
from imdb_baselines.storage import atomic_file, file_lock, remove_stale_parts

__all__ = ["read_cached", "write_cached"]

logger = logging.getLogger(__name__)

_FORMAT = 3  # bump when the stored arrays change (3: each review's movie)
_PARTS = {"labelled": ("train", "test"), "unsup": ("unsup",)}
_KINDS = ("neg", "pos", "unsup")
_ARRAYS = ("split", "kind", "id", "rating", "name", "movie", "offsets", "blob")


def _cache_file(cache_dir: Path, digest: str, part: str, version: int = _FORMAT) -> Path:
    return cache_dir / "parsed" / f"{digest[:32]}-{part}-v{version}.npz"


def read_cached(cache_dir: Path, digest: str, include_unsup: bool) -> list[ReviewFile] | None:
    """Return the reviews stored for ``digest``, or None if any needed part is missing or unusable."""
    parts = ["labelled", "unsup"] if include_unsup else ["labelled"]
    files: list[ReviewFile] = []
    for part in parts:
        path = _cache_file(cache_dir, digest, part)
        if not path.is_file():
            return None
        try:
            files.extend(_read_part(path, digest))
        except Exception as error:  # any damage at all: the archive is the truth, parse it again
            logger.warning("Discarding the unusable cache file %s (%s: %s); parsing the archive again",
                           path, type(error).__name__, error)
            path.unlink(missing_ok=True)
            return None
    logger.info("Read parsed reviews from cache %s", cache_dir / "parsed")
    return files


def write_cached(cache_dir: Path, digest: str, files: list[ReviewFile]) -> None:
    """Store ``files`` for ``digest``; a failure to write only logs a warning.

    Writers of one cache folder take turns (a lock file), and each removes
    the temporary files that a writer killed mid-write left behind.
    """
    try:
        with file_lock(cache_dir / "parsed" / ".lock"):
            for part, splits in _PARTS.items():
                rows = [f for f in files if f.split in splits]
                if rows:
                    path = _cache_file(cache_dir, digest, part)
                    for stale in remove_stale_parts(path):
                        logger.warning("Removed %s, left by a load that was killed while caching", stale)
                    _write_part(path, rows, digest)
                    for version in range(1, _FORMAT):
                        _cache_file(cache_dir, digest, part, version).unlink(missing_ok=True)
    except OSError as error:
        logger.warning("Could not write the parsed-review cache (%s)", error)


def _checksum(arrays: dict[str, np.ndarray]) -> str:
    digest = hashlib.sha256()
    for key in _ARRAYS:
        array = np.ascontiguousarray(arrays[key])
        digest.update(f"{key}:{array.dtype.str}:{array.shape}\n".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def _write_part(path: Path, rows: list[ReviewFile], digest: str) -> None:
    encoded = [f.text.encode("utf-8") for f in rows]
    offsets = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    arrays = {
        "split": np.array([f.split for f in rows]),
        "kind": np.array([_KINDS.index(f.kind) for f in rows], dtype=np.int8),
        "id": np.array([f.id for f in rows], dtype=np.int64),
        "rating": np.array([f.rating for f in rows], dtype=np.int8),
        "name": np.array([f.name for f in rows]),
        "movie": np.array([f.movie for f in rows]),
        "offsets": offsets,
        "blob": np.frombuffer(b"".join(encoded), dtype=np.uint8),
    }
    with atomic_file(path, "wb") as out:
        np.savez(out, source_sha256=np.array(digest), content_sha256=np.array(_checksum(arrays)), **arrays)


def _read_part(path: Path, digest: str) -> list[ReviewFile]:
    with np.load(path, allow_pickle=False) as data:
        arrays = {key: data[key] for key in _ARRAYS}
        source, content = str(data["source_sha256"]), str(data["content_sha256"])
    if source != digest:
        raise ValueError(f"it was parsed from another archive (sha256 {source[:16]}…)")
    if _checksum(arrays) != content:
        raise ValueError("its content does not match its checksum")
    blob = arrays["blob"].tobytes()
    offsets = arrays["offsets"].tolist()
    splits, kinds = arrays["split"].tolist(), arrays["kind"].tolist()
    ids, ratings, names = arrays["id"].tolist(), arrays["rating"].tolist(), arrays["name"].tolist()
    movies = arrays["movie"].tolist()
    return [
        ReviewFile(splits[i], _KINDS[kinds[i]], ids[i], ratings[i], names[i],
                   blob[offsets[i]: offsets[i + 1]].decode("utf-8"), movies[i])
        for i in range(len(ids))
    ]
