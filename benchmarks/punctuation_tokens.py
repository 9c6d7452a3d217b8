"""Whether "!" and "?" should be tokens, decided by cross-validation on training data only.

Usage: python benchmarks/punctuation_tokens.py [--data PATH] [--shared ../shared/data] [--out FILE]

Today's token pattern keeps runs of letters and digits and drops punctuation. Mesnil et al.'s NBSVM-trigram
run kept punctuation as tokens. Here every "!" and "?" is turned into a word of its own before the shared text
preparation (one token per mark, as a pattern ``[!?]`` would give), and each baseline with its defaults
is cross-validated with and without them:

- IMDB: 5 folds of the 25,000 training reviews in the archive's order, so that each fold holds whole movies
  (as ``benchmarks/tune_baselines.py --movie-folds``);
- SST-5, TREC and polarity2k: 5 stratified, shuffled folds of their training files.

No test file is read. The rule is the self-tuning's: a change is taken only if its fold-by-fold gain exceeds
the standard error of that gain for NBSVM on IMDB (the question as it was put), and no baseline on any data set
loses more than its own standard error.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold, cross_val_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from results_file import RESULTS, results_target, write_results  # noqa: E402

from baselines import make_linear_svm, make_naive_bayes, make_nbsvm  # noqa: E402
from imdb_baselines import corpus  # noqa: E402

#: Each mark becomes a word of letters only, which the token pattern keeps and no stopword list holds.
MARK_WORDS = {"!": " punctexclamation ", "?": " punctquestion "}
_MARKS = re.compile("[!?]")
MODELS = {"nbsvm": make_nbsvm, "linear_svm": make_linear_svm, "naive_bayes": make_naive_bayes}


def with_marks(texts: list[str]) -> list[str]:
    """The texts with every "!" and "?" written as a word of its own."""
    return [_MARKS.sub(lambda match: MARK_WORDS[match.group()], text) for text in texts]


def compare(texts: list[str], labels: np.ndarray, folds) -> dict:
    """Each baseline's fold accuracies without and with the marks, and the gain's mean and standard error."""
    prepared = {"without": corpus.prepare(texts), "with": corpus.prepare(with_marks(texts))}
    summary = {"texts_with_marks": round(float(np.mean([bool(_MARKS.search(text)) for text in texts])), 3)}
    for model, make in MODELS.items():
        scores = {}
        for variant, variant_texts in prepared.items():
            scores[variant] = cross_val_score(make(), variant_texts, labels, cv=folds)
        gains = scores["with"] - scores["without"]
        summary[model] = {
            "without": [round(float(s), 4) for s in scores["without"]],
            "with": [round(float(s), 4) for s in scores["with"]],
            "cv_without": round(float(np.mean(scores["without"])), 4),
            "cv_with": round(float(np.mean(scores["with"])), 4),
            "gain": round(float(np.mean(gains)), 4),
            "gain_se": round(float(np.std(gains, ddof=1) / np.sqrt(len(gains))), 4),
        }
        row = summary[model]
        print(f"  {model:12s} {row['cv_without']:.4f} -> {row['cv_with']:.4f}: gain {100 * row['gain']:+.2f} points "
              f"(standard error {100 * row['gain_se']:.2f})", flush=True)
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="aclImdb_v1.tar.gz or aclImdb folder (default: IMDB_DATA)")
    parser.add_argument("--shared", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--out", type=results_target, default=str(RESULTS / "punctuation_tokens.json"))
    args = parser.parse_args(argv)
    shared = Path(args.shared)
    imdb = corpus.load_imdb(args.data).train
    data = {
        "imdb": (imdb, StratifiedKFold(5)),
        "sst5": (corpus.load_texts(shared / "sst5" / "train.csv", text_column="sentence").train, None),
        "trec": (corpus.load_texts(shared / "trec" / "train.jsonl", text_column="question",
                                   label_column="coarse").train, None),
        "polarity2k": (corpus.load_texts(shared / "polarity2k").train, None),
    }
    summary = {}
    for name, (frame, folds) in data.items():
        print(name, flush=True)
        folds = folds or StratifiedKFold(5, shuffle=True, random_state=0)
        summary[name] = compare(frame["text"].tolist(), frame["label"].to_numpy(), folds)
        print(f"  {100 * summary[name]['texts_with_marks']:.0f} % of texts hold a mark", flush=True)
    asked = summary["imdb"]["nbsvm"]
    taken = asked["gain"] > asked["gain_se"] and all(
        row[model]["gain"] >= -row[model]["gain_se"] for row in summary.values() for model in MODELS)
    summary["decision"] = "keep the marks as tokens" if taken else "keep today's token pattern"
    print(summary["decision"])
    write_results(args.out, summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
