"""Whether "!" and "?" should be tokens, decided by cross-validation on training data only.

Usage: python benchmarks/punctuation_tokens.py [--data PATH] [--shared ../shared/data] [--out FILE]

Tokenizer version 1 kept runs of letters and digits and dropped punctuation; Mesnil et al.'s NBSVM-trigram run
kept punctuation as tokens. Version 2, the one this question chose, also makes each "!" and "?" a token. The
question is asked again under version 2 by removing the marks from the texts for the first column (which gives
version 1's tokens) and keeping them for the second; each baseline with its defaults is cross-validated both
ways on the training data of IMDB, SST-5, TREC and polarity2k, with the folds and the rule of
``preparation_question.py``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from preparation_question import arguments, ask, texts_with_marks  # noqa: E402

from imdb_baselines import corpus  # noqa: E402

_MARKS = re.compile("[!?]")


def without_marks(texts: list[str]) -> list[str]:
    """The texts with every "!" and "?" replaced by a space, as tokenizer version 1 read them."""
    return [_MARKS.sub(" ", text) for text in texts]


def main(argv: list[str] | None = None) -> int:
    args = arguments(__doc__.splitlines()[0], "punctuation_tokens.json", argv)
    ask(args, lambda texts: {"without": corpus.prepare(without_marks(texts)), "with": corpus.prepare(texts)},
        ("keep the marks as tokens", "keep today's token pattern"),
        described=texts_with_marks(_MARKS))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
