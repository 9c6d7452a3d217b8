"""Whether the default stopword list should filter anything, decided by cross-validation on training data only.

Usage: python benchmarks/stopword_lists.py [--data PATH] [--shared ../shared/data] [--out FILE]

The default list, ``minimal``, drops fifteen function words (articles, "and", "or" and the commonest
prepositions) before the n-grams are formed. Wang & Manning and Mesnil et al. dropped nothing. Each baseline
with its defaults is cross-validated with ``minimal`` and with ``none`` on the training data of IMDB, SST-5,
TREC and polarity2k, with the folds and the rule of ``preparation_question.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from preparation_question import arguments, ask  # noqa: E402

from imdb_baselines import corpus  # noqa: E402

TODAY, PROPOSED = "minimal", "none"


def main(argv: list[str] | None = None) -> int:
    args = arguments(__doc__.splitlines()[0], "stopword_lists.json", argv)
    ask(args, lambda texts: {stopwords: corpus.prepare(texts, stopwords) for stopwords in (TODAY, PROPOSED)},
        (f"filter {PROPOSED!r}", f"keep {TODAY!r}"),
        settings={listed: {"stopwords": listed} for listed in (TODAY, PROPOSED)})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
