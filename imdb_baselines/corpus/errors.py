"""The errors the corpus layer raises about data (as opposed to programming errors)."""

from __future__ import annotations

__all__ = ["DataError", "ImdbDataError"]


class DataError(ValueError):
    """The data cannot be used as asked: unreadable, wrongly laid out, or too small for the split."""


class ImdbDataError(DataError):
    """The IMDB data could not be found, downloaded, verified or read."""
