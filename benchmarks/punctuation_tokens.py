"""Whether "!" and "?" should be tokens, decided by cross-validation on training data only.

Usage: python benchmarks/punctuation_tokens.py [--data PATH] [--shared ../shared/data] [--out FILE]

Today's token pattern keeps runs of letters and digits and drops punctuation. Mesnil et al.'s NBSVM-trigram
run kept punctuation as tokens. Here every "!" and "?" is turned into a word of its own before the shared text
preparation (one token per mark, as a pattern ``[!?]`` would give), and each baseline with its defaults
is cross-validated with and without them on the training data of IMDB, SST-5, TREC and polarity2k, with the
folds and the rule of ``preparation_question.py``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from preparation_question import arguments, compare, taken, training_sets  # noqa: E402
from results_file import write_results  # noqa: E402

from imdb_baselines import corpus  # noqa: E402

#: Each mark becomes a word of letters only, which the token pattern keeps and no stopword list holds.
MARK_WORDS = {"!": " punctexclamation ", "?": " punctquestion "}
_MARKS = re.compile("[!?]")


def with_marks(texts: list[str]) -> list[str]:
    """The texts with every "!" and "?" written as a word of its own."""
    return [_MARKS.sub(lambda match: MARK_WORDS[match.group()], text) for text in texts]


def main(argv: list[str] | None = None) -> int:
    args = arguments(__doc__.splitlines()[0], "punctuation_tokens.json", argv)
    summary = {}
    for name, (texts, labels, folds) in training_sets(args.data, Path(args.shared)).items():
        print(name, flush=True)
        prepared = {"without": corpus.prepare(texts), "with": corpus.prepare(with_marks(texts))}
        summary[name] = {"texts_with_marks": round(float(np.mean([bool(_MARKS.search(text)) for text in texts])), 3),
                         **compare(prepared, labels, folds)}
        print(f"  {100 * summary[name]['texts_with_marks']:.0f} % of texts hold a mark", flush=True)
    summary["decision"] = "keep the marks as tokens" if taken(summary) else "keep today's token pattern"
    print(summary["decision"])
    write_results(args.out, summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
