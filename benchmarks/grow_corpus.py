"""Write larger IMDB-like corpora as Parquet: N times the training reviews, made from sentences of real ones.

Each new review takes the sentence count of a random training review of one class and fills it with
sentences drawn from other training reviews of the same class, so vocabulary, n-gram statistics and the
label signal stay those of IMDB while the corpus grows. Only training reviews are recombined; the official
test set is written unchanged, so every size is evaluated on the same 25,000 reviews.

    .venv/bin/python benchmarks/grow_corpus.py --data ../shared/data/aclImdb_v1.tar.gz --times 1,4,16 --out /tmp/grown

writes ``/tmp/grown/x1/train.parquet``, ``x4/train.parquet``... and ``test.parquet`` beside them, each with
the columns ``text`` and ``label``. Both engines read them: ``compare.py --data DIR/x4/train.parquet --test
DIR/test.parquet``.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from imdb_baselines import corpus  # noqa: E402

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|<br\s*/?>\s*(?:<br\s*/?>\s*)*")


def grown(train: pd.DataFrame, times: int, seed: int) -> pd.DataFrame:
    """``times`` × len(train) reviews: the originals, then recombined ones (same classes, same sentence counts)."""
    rng = np.random.default_rng(seed)
    parts = [train[["text", "label"]]]
    for label, group in train.groupby("label"):
        sentences = [[s for s in _SENTENCE_END.split(text) if s.strip()] or [text] for text in group["text"]]
        pool = np.array([s for review in sentences for s in review], dtype=object)
        counts = np.array([len(review) for review in sentences])
        n_new = (times - 1) * len(group)
        lengths = counts[rng.integers(0, len(counts), n_new)]
        picks = rng.integers(0, len(pool), int(lengths.sum()))
        bounds = np.concatenate([[0], np.cumsum(lengths)])
        texts = [" ".join(pool[picks[bounds[i]:bounds[i + 1]]]) for i in range(n_new)]
        parts.append(pd.DataFrame({"text": texts, "label": label}))
    frame = pd.concat(parts, ignore_index=True)
    return frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="the IMDB archive (default: $IMDB_DATA)")
    parser.add_argument("--times", default="1,4,16", help="comma list of sizes, in multiples of the training set")
    parser.add_argument("--out", required=True, help="a new folder for the corpora")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    out = Path(args.out)
    if out.exists() and any(out.iterdir()):
        parser.error(f"{out} is not empty; give a new folder")
    data = corpus.load_imdb(args.data)
    out.mkdir(parents=True, exist_ok=True)
    data.test[["text", "label"]].to_parquet(out / "test.parquet", index=False)
    for times in (int(t) for t in args.times.split(",")):
        frame = grown(data.train, times, args.seed)
        folder = out / f"x{times}"
        folder.mkdir()
        frame.to_parquet(folder / "train.parquet", index=False, row_group_size=50_000)
        size = (folder / "train.parquet").stat().st_size / 2**20
        print(f"x{times}: {len(frame):,} training reviews, {size:,.0f} MiB -> {folder / 'train.parquet'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
