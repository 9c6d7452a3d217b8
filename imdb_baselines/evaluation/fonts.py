"""Class names the figures can draw: fonts found for scripts the default font lacks, code points where none is.

Matplotlib draws text in one font family, DejaVu Sans by default, which has no Chinese, Japanese or Thai
letters: a class named 好 would be an empty box, and two such classes could not be told apart. Installed fonts
that have the letters join the family list (Matplotlib takes each glyph from the first font that has it); a
letter no installed font has is written as its code point (U+597D).
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Iterator, Sequence

import matplotlib
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

__all__ = ["drawable_labels"]

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def drawable_labels(labels: Sequence[str]) -> Iterator[list[str]]:
    """Within the context, figures draw ``labels`` (yielded as they will be drawn) with fonts that have them.

    Parameters
    ----------
    labels : sequence of str
        Class names (or any labels) to be drawn.

    Yields
    ------
    list of str
        The labels, with each character that no installed font has written as its code point.

    Examples
    --------
    >>> with drawable_labels(["negative", "positive"]) as shown:
    ...     shown
    ['negative', 'positive']
    """
    default = _covered(font_manager.findfont(font_manager.FontProperties()))
    missing = sorted({c for label in labels for c in label if ord(c) not in default and not c.isspace()})
    found = {c: _family_with(c) for c in missing}
    families = list(dict.fromkeys(family for family in found.values() if family is not None))
    unknown = {c for c, family in found.items() if family is None}
    if unknown:
        logger.warning("No installed font draws %s; the figures write %s as code points. A font with these "
                       "letters (for Chinese or Japanese, Noto Sans CJK) draws them.", "".join(sorted(unknown)),
                       "them" if len(unknown) > 1 else "it")
    shown = ["".join(f"U+{ord(c):04X}" if c in unknown else c for c in label) for label in labels]
    if not families:
        yield shown
        return
    with matplotlib.rc_context({"font.family": [*matplotlib.rcParams["font.family"], *families]}):
        yield shown


@functools.cache
def _covered(path: str) -> frozenset[int]:
    """The code points the font file at ``path`` has glyphs for."""
    try:
        return frozenset(FT2Font(path).get_charmap())
    except (OSError, RuntimeError):  # a font file FreeType cannot read
        return frozenset()


@functools.cache
def _family_with(character: str) -> str | None:
    """The family name of an installed font that has ``character``, registered with Matplotlib, or None."""
    known = {entry.fname for entry in font_manager.fontManager.ttflist}
    for path in sorted(known) + sorted(set(font_manager.findSystemFonts()) - known):  # fonts installed since
        if ord(character) in _covered(path):
            family = font_manager.FontProperties(fname=path).get_name()
            if family.startswith("Last Resort"):  # Matplotlib's own: one box per Unicode block, not the letter
                continue
            if path not in known:
                font_manager.fontManager.addfont(path)
            return family
    return None
