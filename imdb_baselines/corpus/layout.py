"""The aclImdb layout: which files are reviews, and whether a copy is complete."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from imdb_baselines.corpus.errors import ImdbDataError

__all__ = ["SPLITS", "ReviewFile", "attach_movies", "check_layout", "parse_member", "parse_urls_member"]

SPLITS = ("train", "test")
# Exactly aclImdb/<split>/<pos|neg|unsup>/<name> (a leading "./" allowed); anything else in those folders is
# extra. No other top folder, and no "." or ".." segment, can reach a review folder.
_REVIEW_DIR = re.compile(r"^(?:\./)?aclImdb/(train|test)/(pos|neg|unsup)/([^/]+)$")
_REVIEW_NAME = re.compile(r"^(\d+)_(\d+)\.txt$")
# aclImdb/<split>/urls_<kind>.txt: line i is the IMDb page of the movie that review ID i is about.
_URLS = re.compile(r"^(?:\./)?aclImdb/(train|test)/urls_(pos|neg|unsup)\.txt$")
_MOVIE = re.compile(r"/title/(tt\d+)")
_RATINGS = {"pos": range(7, 11), "neg": range(1, 5), "unsup": range(0, 1)}
_SHOWN = 5


@dataclass(slots=True)
class ReviewFile:
    """One review file of the archive."""

    split: str  # "train", "test" or "unsup"
    kind: str  # "pos", "neg" or "unsup": the folder it lies in
    id: int  # the ID of ID_RATING.txt
    rating: int  # the RATING of ID_RATING.txt (0 for unlabelled reviews)
    name: str  # the member name, for error messages
    text: str = ""  # the review, decoded from UTF-8
    movie: str = ""  # the IMDb title the review is about (tt...), from urls_<kind>.txt; "" where unknown

    @property
    def label(self) -> int:
        """1 for positive, 0 for negative, -1 for unlabelled."""
        return {"pos": 1, "neg": 0}.get(self.kind, -1)


def parse_member(name: str) -> ReviewFile | None:
    """Return the review a member name stands for, or None if it is not in a review folder.

    A file in a review folder whose name is not ``ID_RATING.txt`` comes back
    with ``id = -1`` so that :func:`check_layout` can name it as extra.
    """
    match = _REVIEW_DIR.match(name)
    if match is None or (match[1] == "test" and match[2] == "unsup") or match[3] in (".", ".."):
        return None
    split, kind, base = match[1], match[2], match[3]
    split = "unsup" if kind == "unsup" else split
    parts = _REVIEW_NAME.match(base)
    if parts is None:
        return ReviewFile(split, kind, -1, -1, name)
    return ReviewFile(split, kind, int(parts[1]), int(parts[2]), name)


def parse_urls_member(name: str) -> tuple[str, str] | None:
    """The (split, kind) whose movie list a member name is (``aclImdb/train/urls_pos.txt``), or None.

    Examples
    --------
    >>> parse_urls_member("aclImdb/train/urls_unsup.txt"), parse_urls_member("aclImdb/README")
    (('unsup', 'unsup'), None)
    """
    match = _URLS.match(name)
    if match is None or (match[1] == "test" and match[2] == "unsup"):
        return None
    return ("unsup" if match[2] == "unsup" else match[1]), match[2]


def attach_movies(files: list[ReviewFile], urls: dict[tuple[str, str], str]) -> None:
    """Give each review its movie: line ``id`` of its split and kind's ``urls_*.txt`` text (``urls``), reduced
    to the IMDb title id (``tt0064354``) where the line holds one."""
    lines = {key: text.splitlines() for key, text in urls.items()}
    for review in files:
        listed = lines.get((review.split, review.kind), [])
        if 0 <= review.id < len(listed):
            line = listed[review.id].strip()
            found = _MOVIE.search(line)
            review.movie = found[1] if found else line


def check_layout(files: list[ReviewFile], source: Path, reviews_per_class: int | None) -> None:
    """Raise :class:`ImdbDataError` naming everything missing or extra in ``files``.

    Parameters
    ----------
    files : list of ReviewFile
        What was read from the archive or folder.
    source : Path
        Where it was read from, for the message.
    reviews_per_class : int or None
        The required count per class per split; None only requires balance.
    """
    problems = []
    extra = [f.name for f in files if f.id < 0]
    if extra:
        problems.append(_listed("files not named ID_RATING.txt", extra))
    wrong = [f.name for f in files if f.id >= 0 and f.rating not in _RATINGS[f.kind]]
    if wrong:
        problems.append(_listed("ratings outside 7-10 (pos) or 1-4 (neg)", wrong))
    seen = Counter((f.split, f.kind, f.id) for f in files if f.id >= 0)
    dups = [f"{s}/{k}/{i}" for (s, k, i), n in sorted(seen.items()) if n > 1]
    if dups:
        problems.append(_listed("duplicate review ids", dups))
    counts = Counter((f.split, f.kind) for f in files if f.id >= 0)
    for split in SPLITS:
        found = {kind: counts.get((split, kind), 0) for kind in ("pos", "neg")}
        for kind, n in found.items():
            if n == 0:
                problems.append(f"missing folder or no reviews: aclImdb/{split}/{kind}/")
            elif reviews_per_class is not None and n != reviews_per_class:
                word = "missing" if n < reviews_per_class else "extra"
                problems.append(
                    f"{abs(reviews_per_class - n):,} {word} reviews in aclImdb/{split}/{kind}/ "
                    f"({n:,} found, {reviews_per_class:,} expected)"
                )
        if reviews_per_class is None and found["pos"] and found["pos"] != found["neg"]:
            problems.append(
                f"unbalanced aclImdb/{split}/: {found['pos']:,} pos and {found['neg']:,} neg"
            )
    if problems:
        raise ImdbDataError(
            f"{source} does not have the aclImdb layout of the IMDB dataset v1.0:\n  - "
            + "\n  - ".join(problems)
            + "\nUse the official aclImdb_v1.tar.gz (or its extracted aclImdb folder)."
        )


def _listed(what: str, names: list[str]) -> str:
    shown = ", ".join(names[:_SHOWN])
    more = f" and {len(names) - _SHOWN:,} more" if len(names) > _SHOWN else ""
    return f"{len(names):,} {what}: {shown}{more}"
