"""Whether the other marks Mesnil et al. kept as tokens should be tokens too, by cross-validation on training data.

Usage: python benchmarks/sentence_marks.py [--data PATH] [--shared ../shared/data] [--out FILE]

Tokenizer version 2 keeps "!" and "?" as tokens (``punctuation_tokens.py``) and drops every other mark. Mesnil et
al.'s NBSVM-trigram run split off ". , \\" ( ) ; :" as well, so that n-grams stop at a sentence's or a clause's
edge instead of joining its last word to the next one's first. The question is asked without changing the token
pattern: for the second column each of those marks is written as a word of its own (``markperiod``...), which
the pattern keeps as a token. Each baseline with its defaults is cross-validated both ways on the training data of
IMDB, SST-5, TREC and polarity2k, with the folds and the rule of ``preparation_question.py``.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from preparation_question import arguments, ask, texts_with_marks  # noqa: E402

from imdb_baselines import corpus  # noqa: E402

MARK_WORDS = {".": "markperiod", ",": "markcomma", '"': "markquote", "(": "markopen", ")": "markclose",
              ";": "marksemicolon", ":": "markcolon"}
_MARKS = re.compile("[" + re.escape("".join(MARK_WORDS)) + "]")


def with_mark_words(texts: list[str]) -> list[str]:
    """The texts with each of Mesnil et al.'s further marks written as a word the token pattern keeps.

    Tags are removed and entities unescaped first, as the shared normaliser does, so that ``<br />`` gives no
    mark and ``&quot;`` gives a quote rather than a semicolon.
    """
    return [_MARKS.sub(lambda mark: f" {MARK_WORDS[mark.group()]} ", html.unescape(re.sub(r"<[^>]+>", " ", text)))
            for text in texts]


def main(argv: list[str] | None = None) -> int:
    args = arguments(__doc__.splitlines()[0], "sentence_marks.json", argv)
    ask(args, lambda texts: {"without": corpus.prepare(texts), "with": corpus.prepare(with_mark_words(texts))},
        ("write the marks as tokens", "keep today's token pattern"),
        described=texts_with_marks(_MARKS))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
