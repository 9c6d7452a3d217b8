"""Find, download, verify, cache and read the IMDB Large Movie Review Dataset v1.0.

Maas et al. (2011), "Learning Word Vectors for Sentiment Analysis": 25,000
training and 25,000 test reviews, 12,500 positive (rating 7-10, label 1) and
12,500 negative (rating 1-4, label 0) in each, plus 50,000 unlabelled ones.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import tarfile
import time
import zlib
from pathlib import Path

import pandas as pd

from imdb_baselines.corpus.cache import read_cached, write_cached
from imdb_baselines.corpus.dataset import TextCorpus
from imdb_baselines.corpus.download import fetch, sha256_of
from imdb_baselines.corpus.errors import ImdbDataError
from imdb_baselines.corpus.layout import (
    SPLITS,
    ReviewFile,
    attach_movies,
    check_layout,
    parse_member,
    parse_urls_member,
)
from imdb_baselines.corpus.progress import progress_bar
from imdb_baselines.corpus.reading import check_size, decode, is_inside

__all__ = ["ARCHIVE_SHA256", "ARCHIVE_URL", "MAX_REVIEW_BYTES", "default_cache_dir", "load_imdb"]

logger = logging.getLogger(__name__)

ARCHIVE_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
ARCHIVE_SHA256 = "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"
ARCHIVE_SIZE = 84_125_825
ARCHIVE_NAME = "aclImdb_v1.tar.gz"
#: Reviews per class per split in the official dataset.
REVIEWS_PER_CLASS = 12_500
#: Largest review file read by default (the longest IMDB review has under 14 kB).
MAX_REVIEW_BYTES = 1_000_000


def default_cache_dir() -> Path:
    """``$IMDB_BASELINES_HOME``, else ``$XDG_CACHE_HOME/imdb-baselines`` or ``~/.cache/imdb-baselines``."""
    home = os.environ.get("IMDB_BASELINES_HOME")
    if home:
        return Path(home).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "imdb-baselines"


def load_imdb(
    path: str | os.PathLike | None = None,
    *,
    cache_dir: str | os.PathLike | None = None,
    download: bool = True,
    include_unsup: bool = False,
    reviews_per_class: int | None = REVIEWS_PER_CLASS,
    max_review_bytes: int = MAX_REVIEW_BYTES,
    url: str = ARCHIVE_URL,
    sha256: str = ARCHIVE_SHA256,
) -> TextCorpus:
    """Load the IMDB Large Movie Review Dataset.

    The data is looked for, in this order: ``path``; the ``IMDB_DATA``
    environment variable; ``aclImdb_v1.tar.gz`` in the cache folder; and
    finally a download of the official archive, verified against its sha256.
    The first read of an archive stores a parsed copy in the cache folder,
    keyed by the archive's sha256, so later loads take about a second.

    Parameters
    ----------
    path : path, optional
        A ``.tar.gz`` archive in the official layout, or an extracted
        ``aclImdb`` folder (or the folder that holds it).
    cache_dir : path, optional
        Where downloads and parsed copies are kept. Defaults to
        :func:`default_cache_dir`.
    download : bool, default=True
        Whether to download the official archive when no copy is found.
    include_unsup : bool, default=False
        Also load the 50,000 unlabelled training reviews (``imdb_baselines.corpus.unsup``).
    reviews_per_class : int or None, default=12500
        How many reviews each class of each split must have. ``None`` accepts
        any count as long as both classes of a split have the same (useful for
        small excerpts in the same layout).
    max_review_bytes : int, default=1000000
        Refuse a review file larger than this, so that a malformed copy
        cannot exhaust memory; raise it for unusually long texts.
    url, sha256 : str
        The download address and its expected checksum (the official ones).

    Returns
    -------
    TextCorpus
        ``train`` and ``test`` with columns ``id``, ``rating``, ``label``
        (1 = positive, 0 = negative), ``text`` and ``movie`` (the IMDb title
        each review is about, from ``urls_*.txt``; ``--group-column movie``
        keeps each movie's reviews on one side of a split), sorted by label then id
        (so the order does not depend on how the archive was packed);
        ``unsup`` with label -1 if asked for.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist, or no copy is found and ``download=False``.
    ImdbDataError
        If the source is not a regular file or a folder, is not a readable
        archive, is truncated or corrupt, has the wrong layout, holds a review
        that is not UTF-8 or is larger than ``max_review_bytes``, links out
        of the dataset folder, or cannot be downloaded.

    Examples
    --------
    >>> corpus = load_imdb("aclImdb_v1.tar.gz")  # doctest: +SKIP
    >>> len(corpus.train), len(corpus.test)  # doctest: +SKIP
    (25000, 25000)
    """
    if reviews_per_class is not None and (
        not isinstance(reviews_per_class, int) or reviews_per_class < 1
    ):
        raise ValueError(
            "The 'reviews_per_class' parameter of load_imdb must be an int >= 1 or "
            f"None. Got {reviews_per_class!r} instead."
        )
    if isinstance(max_review_bytes, bool) or not isinstance(max_review_bytes, int) or max_review_bytes < 1:
        raise ValueError(
            "The 'max_review_bytes' parameter of load_imdb must be an int >= 1. "
            f"Got {max_review_bytes!r} instead."
        )
    cache = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
    source = _locate(path, cache, download=download, url=url, sha256=sha256)
    started = time.perf_counter()
    if source.is_dir():
        digest, files = _read_folder(source, include_unsup, max_review_bytes)
        check_layout(files, source, reviews_per_class)
    else:
        digest = sha256_of(source)
        files = read_cached(cache, digest, include_unsup)
        if files is None:
            files = _read_archive(source, max_review_bytes)
            check_layout(files, source, reviews_per_class)
            write_cached(cache, digest, files)  # only a copy that passed the layout check is cached
            if not include_unsup:
                files = [f for f in files if f.split != "unsup"]
        else:
            check_layout(files, source, reviews_per_class)
    frames = {split: _frame(files, split) for split in SPLITS}
    logger.info("Loaded IMDB from %s in %.2f s", source, time.perf_counter() - started)
    return TextCorpus(
        train=frames["train"],
        test=frames["test"],
        unsup=_frame(files, "unsup") if include_unsup else None,
        sha256=digest,
        source=str(source),
    )


def _locate(
    path: str | os.PathLike | None, cache: Path, *, download: bool, url: str, sha256: str
) -> Path:
    """Resolve where the reviews come from (argument, IMDB_DATA, cache, download)."""
    for origin, value in (("path", path), ("IMDB_DATA", os.environ.get("IMDB_DATA"))):
        if value is None or str(value) == "":
            continue
        candidate = Path(value).expanduser()
        if not candidate.exists():
            raise FileNotFoundError(
                f"The IMDB data given by {origin} does not exist: {candidate}. Pass the "
                "path of aclImdb_v1.tar.gz or of its extracted aclImdb folder."
            )
        if candidate.is_dir() and (candidate / "aclImdb").is_dir():
            candidate = candidate / "aclImdb"
        if not (candidate.is_file() or candidate.is_dir()):
            raise ImdbDataError(
                f"The IMDB data given by {origin} is neither a regular file nor a folder: {candidate}. Pass "
                "the path of aclImdb_v1.tar.gz or of its extracted aclImdb folder."
            )
        return candidate
    cached = cache / ARCHIVE_NAME
    if cached.is_file():
        return cached
    if not download:
        raise FileNotFoundError(
            f"No IMDB data found: no path given, IMDB_DATA is not set and {cached} "
            "does not exist. Pass load_imdb(path=...), set IMDB_DATA, or allow "
            "download=True."
        )
    return fetch(url, cached, sha256=sha256)


def _read_archive(source: Path, max_review_bytes: int) -> list[ReviewFile]:
    """Parse every review in a ``.tar.gz`` archive in one streaming pass."""
    logger.info("Parsing %s (first load of this archive; it is cached afterwards)", source)
    files, unsafe, urls = [], [], {}
    try:
        with tarfile.open(source, mode="r:gz") as archive, progress_bar(desc="Parsing the archive",
                                                                           unit=" files") as bar:
            for member in archive:
                bar.update()
                if member.name.startswith("/") or ".." in member.name.split("/"):
                    unsafe.append(member.name)
                    continue
                movies = parse_urls_member(member.name) if member.isfile() else None
                if movies is not None:
                    urls[movies] = archive.extractfile(member).read().decode("utf-8", errors="replace")
                    continue
                review = parse_member(member.name) if member.isfile() else None
                if review is None:
                    continue
                check_size(review.name, member.size, source, max_review_bytes, ImdbDataError)
                review.text = decode(archive.extractfile(member).read(), review.name, source, error=ImdbDataError)
                files.append(review)
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise ImdbDataError(
            f"{source} is not a readable .tar.gz archive of the IMDB dataset ({error}). "
            "It may be truncated or corrupt: download aclImdb_v1.tar.gz again, or pass "
            "the extracted aclImdb folder."
        ) from error
    if unsafe:
        raise ImdbDataError(
            f"{source} has {len(unsafe)} member(s) with an absolute path or a '..' segment, which no copy of "
            f"the IMDB dataset has: {', '.join(unsafe[:5])}. Use the official aclImdb_v1.tar.gz."
        )
    attach_movies(files, urls)
    return files


def _read_folder(root: Path, include_unsup: bool, max_review_bytes: int) -> tuple[str, list[ReviewFile]]:
    """Read an extracted ``aclImdb`` folder; its digest covers names and bytes."""
    digest = hashlib.sha256()
    files, outside = [], []
    splits = ["train", "test"] + (["unsup"] if include_unsup else [])
    for split in splits:
        kinds = ["unsup"] if split == "unsup" else ["neg", "pos"]
        for kind in kinds:
            folder = root / ("train" if split == "unsup" else split) / kind
            if not folder.is_dir():
                continue  # check_layout names what is missing
            if not is_inside(folder, root):
                outside.append(str(folder))
                continue
            for entry in sorted(os.scandir(folder), key=lambda e: e.name):
                name = f"aclImdb/{folder.relative_to(root).as_posix()}/{entry.name}"
                review = parse_member(name) if entry.is_file() else None
                if review is None:
                    continue
                path = Path(entry.path)
                if entry.is_symlink() and not is_inside(path, root):
                    outside.append(str(path))
                    continue
                check_size(name, entry.stat().st_size, root, max_review_bytes, ImdbDataError)
                data = path.read_bytes()
                digest.update(name.encode() + b"\0" + data + b"\0")
                review.text = decode(data, name, root, error=ImdbDataError)
                files.append(review)
    if outside:
        raise ImdbDataError(
            f"{root} has {len(outside)} link(s) that lead out of the dataset folder: {', '.join(outside[:5])}. "
            "Copy the files in, or point --data at the folder they come from."
        )
    urls = {}
    for split in splits:
        for kind in (["unsup"] if split == "unsup" else ["neg", "pos"]):
            path = root / ("train" if split == "unsup" else split) / f"urls_{kind}.txt"
            if path.is_file() and is_inside(path, root):
                urls[(split, kind)] = path.read_text(encoding="utf-8", errors="replace")
    attach_movies(files, urls)  # the movie lists are not part of the digest: they change no text or label
    return digest.hexdigest(), files


def _frame(files: list[ReviewFile], split: str) -> pd.DataFrame:
    rows = [f for f in files if f.split == split]
    frame = pd.DataFrame(
        {
            "id": pd.array([f.id for f in rows], dtype="int64"),
            "rating": pd.array([f.rating for f in rows], dtype="int64"),
            "label": pd.array([f.label for f in rows], dtype="int64"),
            "text": pd.Series([f.text for f in rows], dtype=object),
            "movie": pd.Series([f.movie for f in rows], dtype=object),
        }
    )
    return frame.sort_values(["label", "id"], kind="stable").reset_index(drop=True)
