"""The punctuation marks a tokenizer version keeps as tokens, spelled as the exports must find them.

The Python preparation reads HTML entities with ``html.unescape`` before it tokenizes, so ``&#33;``, ``&#x021;``
and ``&excl;`` are each a "!" there. The ONNX graph looks lowercased tokens up in a table, and the SavedModel
rewrites raw text with RE2 patterns; both take the spellings from here, derived from each mark's code point and
HTML5's names for it.
"""

from __future__ import annotations

import html.entities

from imdb_baselines.corpus.text import KEPT_MARKS

__all__ = ["KEPT_MARKS", "entity_pattern", "entity_spellings"]


def entity_spellings(mark: str) -> tuple[str, ...]:
    """The mark's entities as a lowercased token: decimal, hexadecimal and each HTML5 name.

    Examples
    --------
    >>> entity_spellings("!")
    ('&#33;', '&#x21;', '&excl;')
    """
    point = ord(mark)
    return (f"&#{point};", f"&#x{point:x};", *(f"&{name}" for name in _names(mark)))


def entity_pattern(mark: str) -> str:
    """An RE2 pattern of every entity ``html.unescape`` reads as the mark: leading zeros, ``x`` or ``X``, and hex
    digits in either case.

    Examples
    --------
    >>> entity_pattern("?")
    '&#0*63;|&#[xX]0*3[fF];|&quest;'
    """
    point = ord(mark)
    digits = "".join(f"[{c}{c.upper()}]" if c.isalpha() else c for c in f"{point:x}")
    return "|".join((f"&#0*{point};", f"&#[xX]0*{digits};", *(f"&{name}" for name in _names(mark))))


def _names(mark: str) -> list[str]:
    return sorted(name for name, value in html.entities.html5.items() if value == mark and name.endswith(";"))
