"""The one text preparation every model uses: normalise, tokenize, filter stopwords.

Both the bag-of-words vectorizers in :mod:`baselines` and the integer sequence
encoder in :mod:`imdb_baselines.corpus.sequences` call :class:`TextPreprocessor`, so "shared
stopword filtering" holds by construction: the same normaliser, the same token
pattern and the same :class:`Stopwords` object, selected by name.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

__all__ = [
    "DEFAULT_STOPWORDS",
    "MINIMAL_STOPWORDS",
    "SENTIMENT_KEEP_WORDS",
    "STOPWORD_LISTS",
    "Stopwords",
    "TOKENIZER_VERSION",
    "KEPT_MARKS",
    "TOKEN_PATTERNS",
    "TextPreprocessor",
    "get_stopwords",
    "normalize",
]

#: Words of scikit-learn's English list that carry polarity, negation, contrast
#: or intensity in reviews ("not good", "but", "very", "too long", "worst ever").
#: The ``sentiment`` list is the English list without exactly these 44 words.
SENTIMENT_KEEP_WORDS: frozenset[str] = frozenset(
    """
    against although but cannot cant couldnt cry empty enough even ever except
    few full hasnt however least less more most much neither never nevertheless
    no nobody none noone nor not nothing nowhere only otherwise rather serious
    sincere still though too very well without yet
    """.split()
)

#: The most frequent function words that carry no polarity: articles,
#: conjunctions "and" / "or" and the commonest prepositions.
MINIMAL_STOPWORDS: frozenset[str] = frozenset("a an the and or of to in on at for with by from as".split())

#: Named stopword lists. ``none`` filters nothing (for ablations only).
STOPWORD_LISTS: dict[str, frozenset[str]] = {
    "minimal": MINIMAL_STOPWORDS,
    "english": frozenset(ENGLISH_STOP_WORDS),
    "sentiment": frozenset(ENGLISH_STOP_WORDS) - SENTIMENT_KEEP_WORDS,
    "none": frozenset(),
}

#: The list every model uses unless told otherwise. ``sentiment`` and ``english``
#: drop the function words inside the bigrams and trigrams the n-gram models read
#: ("one of the worst"; ``benchmarks/baselines_benchmark.py``). Against filtering nothing,
#: 5-fold cross-validation on the training data of IMDB, SST-5, TREC and
#: polarity2k (``benchmarks/stopword_lists.py``) keeps ``minimal``: ``none`` gains
#: NBSVM 0.09 points on IMDB (standard error 0.06) but loses it 0.81 on
#: polarity2k (0.38) and the linear SVM 0.37 on SST-5 (0.24).
DEFAULT_STOPWORDS = "minimal"

_TAG = re.compile(r"<[^>]*>")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
#: Token patterns by tokenizer version. A word is a run of letters or digits, with inner apostrophes kept
#: ("don't"). Version 2 also makes each "!" and "?" a token of its own: 5-fold cross-validation on the
#: training data of IMDB, SST-5, TREC and polarity2k (``benchmarks/punctuation_tokens.py``) found NBSVM
#: 0.08 points better on IMDB (standard error 0.07), the linear SVM better on all four and Naive Bayes
#: within its standard error on each. Version 1 stays for models saved before.
#: The punctuation marks each tokenizer version keeps as tokens of their own (any other mark separates words);
#: the exports read them from here. Each is literal inside a character class.
KEPT_MARKS: dict[str, str] = {"1": "", "2": "!?"}
TOKEN_PATTERNS: dict[str, str] = {version: r"[^\W_]+(?:'[^\W_]+)*" + (f"|[{marks}]" if marks else "")
                                  for version, marks in KEPT_MARKS.items()}
_TOKENS = {version: re.compile(pattern) for version, pattern in TOKEN_PATTERNS.items()}
# Bump when the normaliser or token pattern changes, with a new entry above: it enters split fingerprints.
TOKENIZER_VERSION = "2"


def normalize(text: str) -> str:
    """Normalise one review: HTML tags out, entities unescaped, lowercased.

    Parameters
    ----------
    text : str
        A raw review, as read from the IMDB archive.

    Returns
    -------
    str
        The review with ``<br />`` and other tags replaced by spaces, HTML
        entities unescaped, typographic apostrophes made plain, and lowercased.

    Examples
    --------
    >>> normalize("Great<br /><br />It&#39;s FUN")
    "great  it's fun"
    """
    text = _TAG.sub(" ", text)
    text = html.unescape(text)
    return text.translate(_APOSTROPHES).lower()


@dataclass(frozen=True)
class Stopwords:
    """A named stopword list.

    Attributes
    ----------
    name : str
        ``english``, ``sentiment``, ``none``, or the path of a word-list file.
    words : frozenset of str
        The lowercased words to drop.
    """

    name: str  # list name, or the path it was read from
    words: frozenset[str]  # lowercased words that are filtered out

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self.words

    @property
    def digest(self) -> str:
        """Short sha256 of the sorted words, so two lists can be told apart."""
        joined = "\n".join(sorted(self.words)).encode("utf-8")
        return hashlib.sha256(joined).hexdigest()[:12]

    def describe(self) -> str:
        """One line for reports: name, size and digest."""
        return f"{self.name} ({len(self)} words, sha256 {self.digest})"


def get_stopwords(stopwords: str | Path | Stopwords | None = None) -> Stopwords:
    """Return a stopword list by name or from a file.

    Parameters
    ----------
    stopwords : str, path, Stopwords or None
        ``"minimal"`` (:data:`MINIMAL_STOPWORDS`, the default), ``"english"``
        (scikit-learn's list), ``"sentiment"`` (the English list without the
        words in :data:`SENTIMENT_KEEP_WORDS`), ``"none"``, or the
        path of a UTF-8 file with one word per line (``#`` starts a comment).
        ``None`` selects :data:`DEFAULT_STOPWORDS`.

    Returns
    -------
    Stopwords

    Raises
    ------
    ValueError
        If the name is neither a known list nor an existing file, or the
        file is not UTF-8 text.

    Examples
    --------
    >>> [len(get_stopwords(name)) for name in ("minimal", "english", "sentiment", "none")]
    [15, 318, 274, 0]
    """
    if isinstance(stopwords, Stopwords):
        return stopwords
    if stopwords is None:
        stopwords = DEFAULT_STOPWORDS
    key = str(stopwords)
    if key in STOPWORD_LISTS:
        return Stopwords(key, STOPWORD_LISTS[key])
    path = Path(key).expanduser()
    if not path.is_file():
        raise ValueError(
            f"The 'stopwords' parameter must be one of {sorted(STOPWORD_LISTS)} or "
            f"the path of a one-word-per-line file. Got {key!r} instead."
        )
    try:
        content = path.read_text(encoding="utf-8-sig")  # a byte-order mark is not part of the first word
    except UnicodeDecodeError as error:
        raise ValueError(
            f"The stopword file {path} is not UTF-8 text (byte {error.object[error.start]:#04x} at position "
            f"{error.start}). Save it as UTF-8 with one word per line."
        ) from None
    words = set()
    for line in content.splitlines():
        word = line.split("#", 1)[0].strip().lower()
        if word:
            words.add(word)
    return Stopwords(str(path), frozenset(words))


class TextPreprocessor:
    """Normalise, tokenize and stopword-filter reviews; the shared analyzer.

    Parameters
    ----------
    stopwords : str, path, Stopwords or None, default=None
        The stopword list (see :func:`get_stopwords`); ``None`` is the default
        list, :data:`DEFAULT_STOPWORDS`.
    tokenizer_version : str, default=TOKENIZER_VERSION
        The token pattern (a key of :data:`TOKEN_PATTERNS`). Only a model saved
        with an earlier version needs another; loading restores it.

    Examples
    --------
    >>> prep = TextPreprocessor("sentiment")
    >>> prep("This movie is <b>NOT</b> good, and I don't care!")
    ['movie', 'not', 'good', "don't", 'care', '!']
    """

    def __init__(self, stopwords: str | Path | Stopwords | None = None, *,
                 tokenizer_version: str = TOKENIZER_VERSION) -> None:
        if tokenizer_version not in TOKEN_PATTERNS:
            raise ValueError(f"The 'tokenizer_version' parameter must be one of {sorted(TOKEN_PATTERNS)}. "
                             f"Got {tokenizer_version!r} instead.")
        self.stopwords = get_stopwords(stopwords)
        self.tokenizer_version = tokenizer_version

    def __setstate__(self, state: dict) -> None:
        # A preprocessor pickled before tokenizer versions were recorded tokenized with version 1.
        self.__dict__.update({"tokenizer_version": "1", **state})

    def __call__(self, text: str) -> list[str]:
        """Tokens of one review, stopwords removed."""
        drop = self.stopwords.words
        return [tok for tok in _TOKENS[self.tokenizer_version].findall(normalize(text)) if tok not in drop]

    def tokenize_many(self, texts: Iterable[str]) -> list[list[str]]:
        """Tokens of every review in ``texts``."""
        return [self(text) for text in texts]

    @property
    def settings(self) -> str:
        """The text-preparation settings as one line (enters split fingerprints)."""
        return f"tokenizer=v{self.tokenizer_version};stopwords={self.stopwords.describe()}"

    def __repr__(self) -> str:
        older = "" if self.tokenizer_version == TOKENIZER_VERSION else f", tokenizer_version={self.tokenizer_version!r}"
        return f"TextPreprocessor(stopwords={self.stopwords.name!r}{older})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, TextPreprocessor) and other.stopwords == self.stopwords
                and other.tokenizer_version == self.tokenizer_version)

    def __hash__(self) -> int:
        return hash((self.stopwords, self.tokenizer_version))
