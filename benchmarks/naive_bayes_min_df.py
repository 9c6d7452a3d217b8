"""Whether Naive Bayes should drop the n-grams seen in one training text, by cross-validation on training data only.

Usage: python benchmarks/naive_bayes_min_df.py [--data PATH] [--shared ../shared/data] [--out FILE]

Naive Bayes weighs an n-gram seen in one training text of one class by about log 2 against the other classes,
as much as a mildly sentimental word, and most uni- to trigrams are seen once. With ``min_df`` = 2 a text's
n-grams seen in a single training text add nothing. Naive Bayes with its other defaults is cross-validated with
``min_df`` 1 (today's) and 2 on the training data of IMDB, SST-5, TREC and polarity2k, with the folds and the
rule of ``preparation_question.py`` asked of Naive Bayes: the default becomes 2 only if Naive Bayes on IMDB gains
more than the gain's standard error and loses no more than its own on any set. NBSVM's and the linear SVM's
``min_df`` were asked by ``tune_baselines.py --min-df 1,2`` and are in their self-tuning grids.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from preparation_question import arguments, ask  # noqa: E402

from imdb_baselines import corpus  # noqa: E402

TODAY, PROPOSED = "min_df=1", "min_df=2"


def main(argv: list[str] | None = None) -> int:
    args = arguments(__doc__.splitlines()[0], "naive_bayes_min_df.json", argv)

    def prepared(texts: list[str]) -> dict[str, list[str]]:
        once = corpus.prepare(texts)
        return {TODAY: once, PROPOSED: once}

    ask(args, prepared, ("Naive Bayes drops n-grams seen in one training text", "keep min_df = 1"),
        settings={TODAY: {"min_df": 1}, PROPOSED: {"min_df": 2}}, models=("naive_bayes",))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
