"""Download a file with a pinned sha256: temporary file, bounded retries, atomic rename."""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from tqdm.auto import tqdm

from imdb_baselines.corpus.errors import ImdbDataError
from imdb_baselines.storage import file_lock, remove_stale_parts

__all__ = ["ImdbDataError", "fetch", "sha256_of"]

logger = logging.getLogger(__name__)

_CHUNK = 1 << 20


def sha256_of(path: str | os.PathLike) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch(
    url: str,
    dest: str | os.PathLike,
    *,
    sha256: str,
    retries: int = 3,
    delay: float = 1.0,
    timeout: float = 60.0,
) -> Path:
    """Download ``url`` to ``dest`` and verify its sha256.

    The bytes go to a temporary file beside ``dest``, which is renamed onto
    ``dest`` only once the checksum matches, so an interrupted or corrupt
    download never leaves a partial file at ``dest``. Downloads of one file
    take turns (a lock file beside it); each removes the temporary files a
    killed download left.

    Parameters
    ----------
    url : str
        Where to download from (``https://`` or ``file://``).
    dest : path
        The final file.
    sha256 : str
        The expected hex sha256 of the file.
    retries : int, default=3
        How many more attempts after a network failure.
    delay : float, default=1.0
        Seconds to wait before the first retry; doubled after each.
    timeout : float, default=60.0
        Socket timeout in seconds.

    Returns
    -------
    Path
        ``dest``.

    Raises
    ------
    ImdbDataError
        If the network cannot be reached after all retries, or the checksum
        of the downloaded bytes differs from ``sha256``.
    """
    dest = Path(dest)
    with file_lock(dest.with_name(f".{dest.name}.lock")):  # one download of a file at a time
        for stale in remove_stale_parts(dest):
            logger.warning("Removed %s, left by a download that was killed", stale)
        if dest.is_file() and sha256_of(dest) == sha256:  # another process finished it while we waited
            return dest
        return _fetch_with_retries(url, dest, sha256=sha256, retries=retries, delay=delay, timeout=timeout)


def _fetch_with_retries(url: str, dest: Path, *, sha256: str, retries: int, delay: float, timeout: float) -> Path:
    for attempt in range(retries + 1):
        try:
            return _fetch_once(url, dest, sha256=sha256, timeout=timeout)
        except (urllib.error.URLError, OSError) as error:
            unresolved = isinstance(getattr(error, "reason", error), socket.gaierror)
            if attempt == retries or unresolved:  # a name that does not resolve will not resolve in a second
                tried = "the host name does not resolve" if unresolved else f"after {attempt + 1} attempts"
                raise ImdbDataError(
                    f"Could not download {url}: {tried} ({error}). If this machine has no network, use a "
                    "local copy of aclImdb_v1.tar.gz (or its extracted aclImdb folder): on the command line "
                    "--data PATH (make compare ARGS=\"--data PATH\"), in Python load_imdb(path=...), or set "
                    "the IMDB_DATA environment variable."
                ) from error
            wait = delay * 2**attempt
            logger.warning("Download of %s failed (%s); retrying in %.1f s", url, error, wait)
            time.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


def _fetch_once(url: str, dest: Path, *, sha256: str, timeout: float) -> Path:
    logger.info("Downloading %s to %s", url, dest)
    handle, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            total = response.headers.get("Content-Length")
            with tqdm(
                total=int(total) if total else None,
                unit="B",
                unit_scale=True,
                desc=dest.name,
                disable=None,
            ) as bar:
                for chunk in iter(lambda: response.read(_CHUNK), b""):
                    out.write(chunk)
                    digest.update(chunk)
                    bar.update(len(chunk))
        if digest.hexdigest() != sha256:
            raise ImdbDataError(
                f"The file downloaded from {url} has sha256 {digest.hexdigest()}, "
                f"expected {sha256}. It was deleted; the download may have been "
                "corrupted or the file changed upstream. Try again, or pass a "
                "verified local copy with load_imdb(path=...)."
            )
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest
