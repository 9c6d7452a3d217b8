"""Reading one text file of a dataset safely: inside the dataset, not too large, UTF-8."""

from __future__ import annotations

from pathlib import Path

from imdb_baselines.corpus.errors import DataError

__all__ = ["check_size", "decode", "is_inside"]


def is_inside(path: Path, root: Path) -> bool:
    """Whether ``path``, links resolved, lies inside ``root``."""
    return Path(path).resolve().is_relative_to(Path(root).resolve())


def check_size(name: str, size: int, source: Path, max_bytes: int, error: type[DataError] = DataError) -> None:
    """Raise ``error`` (a :class:`DataError`) if one text file is larger than ``max_bytes``."""
    if size > max_bytes:
        raise error(
            f"{name} in {source} has {size:,} bytes, more than the {max_bytes:,} one text may have. "
            "Check the data, or raise the limit (max_text_bytes / max_review_bytes)."
        )


def decode(data: bytes, name: str, source: Path, encoding: str = "utf-8",
           error: type[DataError] = DataError) -> str:
    """``data`` as text, or ``error`` (a :class:`DataError`) naming the file and the first bad byte."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as bad:
        raise error(
            f"{name} in {source} is not {encoding.upper()} text (byte {data[bad.start]:#04x} at position "
            f"{bad.start}). Save it as UTF-8, or name its encoding."
        ) from None
