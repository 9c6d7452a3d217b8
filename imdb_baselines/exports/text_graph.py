"""The shared text preparation as ONNX operators: raw text in, word ids out.

The Python preparation (:mod:`imdb_baselines.corpus.text`) removes HTML tags, unescapes
entities, makes typographic apostrophes plain, lowercases, keeps runs of
letters and digits with inner apostrophes (and, from tokenizer version 2, each
"!" and "?"), and drops stopwords. In the graph:

1. ``StringNormalizer`` lowercases (locale ``C.UTF-8``);
2. onnxruntime's ``Tokenizer`` finds, left to right, a tag (``<...>``), an
   entity (``&#n;``, ``&#xh;``, or ``&name;`` for a name ``html.unescape``
   knows) or a word ``[\\pL\\pN]+`` with inner
   apostrophes, where an apostrophe may be written ``'``, ``’``, ``‘``, a
   backquote, ``&#39;``, ``&#x27;`` or ``&apos;``; from version 2 also a "!" or "?";
3. ``LabelEncoder`` maps each word to its id, every spelling of its
   apostrophe to the same id, and a mark's entities (``&#33;``, ``&excl;``, ...)
   to the mark's id; stopwords, other tags and entities are removed, so
   n-grams form across them as in Python;
4. the remaining ids are moved to the front of each row (a stable sort).

Where the two differ (all rare in reviews): an entity that stands for a letter
or digit (``caf&eacute;`` is ``café`` in Python, ``caf`` here: entities are
separators in the graph), an entity without its closing ``;``, a word with two
different apostrophe spellings, and a few
letters whose lowercase form differs between Python and the C library
(``İ``). ``benchmarks/export_benchmark.py`` counts them on the IMDB test set.
"""

from __future__ import annotations

import html.entities
from collections.abc import Iterable, Mapping

from onnx import TensorProto

from imdb_baselines.exports.graph import GraphBuilder
from imdb_baselines.exports.marks import KEPT_MARKS, entity_spellings

__all__ = ["APOSTROPHES", "PAD", "REMOVED", "TOKEN_PATTERNS", "compact", "window_keys", "word_ids"]

#: Spellings of the apostrophe inside a word that the Python preparation makes plain.
APOSTROPHES = ("\u2019", "\u2018", "`", "&#39;", "&#x27;", "&apos;")
#: HTML entities that ``html.unescape`` knows (with their ``;``), as the graph sees them: lowercased.
ENTITY_NAMES = sorted({name[:-1].lower() for name in html.entities.html5 if name.endswith(";")})
#: The graph's token pattern by tokenizer version (:data:`imdb_baselines.corpus.text.TOKEN_PATTERNS`).
_WORDS = (r"<[^>]*>|&(?:#[0-9]+|#x[0-9a-f]+|" + "|".join(ENTITY_NAMES) + r");|[\pL\pN]+(?:(?:'|"
          + "|".join(APOSTROPHES) + r")[\pL\pN]+)*")
TOKEN_PATTERNS = {version: _WORDS + (f"|[{marks}]" if marks else "") for version, marks in KEPT_MARKS.items()}
#: Spellings of the marks that a version keeps as tokens, as entities the graph sees lowercased.
MARK_SPELLINGS = {mark: entity_spellings(mark) for mark in sorted(set("".join(KEPT_MARKS.values())))}
REMOVED, PAD = -2, -3  # ids of dropped tokens (stopwords, tags, entities) and of padding
_PAD_TOKEN = "#"  # never a token: '#' is neither a letter nor a digit


def _spellings(word: str) -> Iterable[str]:
    yield word
    yield from MARK_SPELLINGS.get(word, ())
    if "'" in word:
        for apostrophe in APOSTROPHES:
            yield word.replace("'", apostrophe)


def word_ids(g: GraphBuilder, text: str, lookup: Mapping[str, int], stopwords: Iterable[str], unknown: int,
             min_width: int = 1, *, tokenizer_version: str) -> tuple[str, str]:
    """Add the text preparation to ``g``: strings ``text`` of shape (N,) to word ids of shape (N, W).

    Parameters
    ----------
    g : GraphBuilder
    text : str
        Name of the (N,) string tensor.
    lookup : mapping of str to int
        Word to id; words outside it get ``unknown``.
    stopwords : iterable of str
        Words removed before ids are given (n-grams form across them).
    unknown : int
        Id of a word outside ``lookup``.
    min_width : int, default=1
        The rows are at least this wide (padding included), so windows of this many ids always exist.
    tokenizer_version : str
        The model's :attr:`~imdb_baselines.corpus.TextPreprocessor.tokenizer_version`, which picks the pattern.

    Returns
    -------
    ids : str
        Name of the (N, W) int64 tensor: each text's ids first, then :data:`PAD`.
    lengths : str
        Name of the (N, 1) int64 tensor of each text's number of ids.
    """
    keys, values = [], []
    for word, index in lookup.items():
        for spelling in _spellings(word):
            keys.append(spelling)
            values.append(int(index))
    for word in stopwords:
        for spelling in _spellings(word):
            keys.append(spelling)
            values.append(REMOVED)
    keys.append(_PAD_TOKEN)
    values.append(PAD)
    lowered = g.op("StringNormalizer", text, case_change_action="LOWER", locale="C.UTF-8")
    tokens = g.op("Tokenizer", lowered, domain="com.microsoft", mark=0, mincharnum=1, pad_value=_PAD_TOKEN,
                  tokenexp=TOKEN_PATTERNS[tokenizer_version])
    ids = g.op("LabelEncoder", tokens, domain="ai.onnx.ml", keys_strings=keys, values_int64s=values,
               default_int64=int(unknown))
    # Tags and entities are separators, except an entity of a mark that the lookup holds.
    markup = g.op("And", g.op("RegexFullMatch", tokens, pattern="[<&].*"),
                  g.op("Equal", ids, g.const([int(unknown)], "int64")))
    ids = g.op("Where", markup, g.const([REMOVED], "int64"), ids)
    return compact(g, ids, min_width)


def compact(g: GraphBuilder, ids: str, min_width: int = 1) -> tuple[str, str]:
    """Move each row's ids that are neither :data:`REMOVED` nor :data:`PAD` to its front, in order.

    Returns the (N, W) ids, at least ``min_width`` wide, :data:`PAD` after each row's own, and the (N, 1)
    number of each row's ids.
    """
    rows = g.op("Slice", g.op("Shape", ids), g.const([0], "int64"), g.const([1], "int64"))
    padding = g.op("ConstantOfShape", g.op("Concat", rows, g.const([min_width], "int64"), axis=0),
                   value=_int64_tensor(PAD))
    ids = g.op("Concat", ids, padding, axis=1)  # no row narrower than min_width (a text may have no token)
    width = g.op("Slice", g.op("Shape", ids), g.const([1], "int64"), g.const([2], "int64"))
    keep = g.op("And", g.op("Not", g.op("Equal", ids, g.const(REMOVED, "int64"))),
                g.op("Not", g.op("Equal", ids, g.const(PAD, "int64"))))
    keep = g.op("Cast", keep, to=TensorProto.INT64)
    positions = g.op("Range", g.const(0, "int64"), g.op("Squeeze", width), g.const(1, "int64"))
    # Kept ids first, in their order; then the rest: a stable order by (dropped, position).
    order_key = g.op("Add", positions, g.op("Mul", g.op("Sub", g.const(1, "int64"), keep), width))
    _, order = g.op("TopK", order_key, width, axis=1, largest=0, sorted=1, outputs=2)
    kept = g.op("GatherElements", ids, order, axis=1)
    lengths = g.op("ReduceSum", keep, g.const([1], "int64"), keepdims=1)
    return g.op("Where", g.op("Less", positions, lengths), kept, g.const(PAD, "int64")), lengths


def window_keys(g: GraphBuilder, ids: str, n: int, base: int) -> tuple[str, str]:
    """The int64 key ``w1·base^(n-1) + ... + wn`` of every window of ``n`` ids in each row of ``ids`` (N, W),
    and whether all its ids are valid (in ``[0, base)``: a larger id is in no n-gram, and its key would be another
    n-gram's); shape (N, W - n + 1)."""
    key = valid = None
    for k in range(n):
        end = k - (n - 1) if k < n - 1 else 2**62
        window = g.op("Slice", ids, g.const([k], "int64"), g.const([end], "int64"), g.const([1], "int64"))
        ok = g.op("And", g.op("GreaterOrEqual", window, g.const(0, "int64")),
                  g.op("Less", window, g.const(base, "int64")))
        valid = ok if valid is None else g.op("And", valid, ok)
        key = window if key is None else g.op("Add", g.op("Mul", key, g.const(base, "int64")), window)
    return key, valid


def _int64_tensor(value: int):
    from onnx import helper

    return helper.make_tensor("value", TensorProto.INT64, [1], [value])
