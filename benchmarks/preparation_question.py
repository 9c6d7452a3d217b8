"""A question about the shared text preparation, answered by cross-validation on training data only.

Used by ``punctuation_tokens.py``, ``stopword_lists.py`` and ``sentence_marks.py``. Each baseline keeps its
defaults and is cross-validated under today's preparation and under the proposed one:

- IMDB: 5 folds of the 25,000 training reviews in the archive's order, so that each fold holds whole movies
  (as ``benchmarks/tune_baselines.py --movie-folds``);
- SST-5, TREC and polarity2k: 5 stratified, shuffled folds of their training files.

No test file is read. The rule is the self-tuning's: the change is taken only if its fold-by-fold gain exceeds
the standard error of that gain for NBSVM on IMDB (the question as it was put; a question about one baseline's
setting asks it of that baseline), and no baseline on any data set loses more than its own standard error.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold, cross_val_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from results_file import RESULTS, results_target, write_results  # noqa: E402

from baselines import make_linear_svm, make_naive_bayes, make_nbsvm  # noqa: E402
from imdb_baselines import corpus  # noqa: E402

MODELS = {"nbsvm": make_nbsvm, "linear_svm": make_linear_svm, "naive_bayes": make_naive_bayes}


def arguments(description: str, results_name: str, argv: list[str] | None = None) -> argparse.Namespace:
    """The scripts' options: ``--data`` (IMDB), ``--shared`` (the other sets' folder) and ``--out``, checked."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data", help="aclImdb_v1.tar.gz or aclImdb folder (default: IMDB_DATA)")
    parser.add_argument("--shared", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--out", type=results_target, default=str(RESULTS / results_name))
    return parser.parse_args(argv)


def training_sets(imdb_data: str | None, shared: Path) -> dict[str, tuple[list[str], np.ndarray, StratifiedKFold]]:
    """The four training sets' texts, labels and folds; no test file is read."""
    frames = {
        "imdb": corpus.load_imdb(imdb_data).train,
        "sst5": corpus.load_texts(shared / "sst5" / "train.csv", text_column="sentence").train,
        "trec": corpus.load_texts(shared / "trec" / "train.jsonl", text_column="question",
                                  label_column="coarse").train,
        "polarity2k": corpus.load_texts(shared / "polarity2k").train,
    }
    return {name: (frame["text"].tolist(), frame["label"].to_numpy(),
                   StratifiedKFold(5) if name == "imdb" else StratifiedKFold(5, shuffle=True, random_state=0))
            for name, frame in frames.items()}


def compare(prepared: Mapping[str, Sequence], labels: np.ndarray, folds: StratifiedKFold,
            settings: Mapping[str, dict] | None = None, models: Sequence[str] = tuple(MODELS)) -> dict:
    """Each baseline's fold accuracies under two preparations, and the gain's mean and standard error.

    Parameters
    ----------
    prepared : mapping of two entries
        Today's prepared texts first, then the proposed ones, each keyed by a short name.
    labels : ndarray
        The texts' labels.
    folds : StratifiedKFold
        The same folds for every baseline and preparation.
    settings : mapping of name to dict, optional
        Each preparation's settings of the baselines, where the baselines must be told (``stopwords``: a model
        prepares again texts that were prepared with another list than its own), or the settings asked about.
    models : sequence of str, default: every baseline
        The baselines compared.

    Returns
    -------
    dict
        Per baseline: the fold accuracies under each name, ``cv_<name>`` means, and ``gain`` (proposed minus
        today's) with ``gain_se``.
    """
    (today, today_texts), (proposed, proposed_texts) = prepared.items()
    summary = {}
    for model in models:
        scores = {name: cross_val_score(MODELS[model](**(settings or {}).get(name, {})), texts, labels, cv=folds)
                  for name, texts in ((today, today_texts), (proposed, proposed_texts))}
        gains = scores[proposed] - scores[today]
        row = {name: [round(float(score), 4) for score in fold_scores] for name, fold_scores in scores.items()}
        row.update({f"cv_{name}": round(float(np.mean(fold_scores)), 4) for name, fold_scores in scores.items()})
        row.update(gain=round(float(np.mean(gains)), 4),
                   gain_se=round(float(np.std(gains, ddof=1) / np.sqrt(len(gains))), 4))
        summary[model] = row
        print(f"  {model:12s} {row[f'cv_{today}']:.4f} -> {row[f'cv_{proposed}']:.4f}: gain "
              f"{100 * row['gain']:+.2f} points (standard error {100 * row['gain_se']:.2f})", flush=True)
    return summary


def taken(summary: Mapping[str, Mapping], asked: str = "nbsvm") -> bool:
    """The rule: the asked baseline (NBSVM) on IMDB gains more than its standard error, and no baseline compared
    anywhere loses more than its."""
    question = summary["imdb"][asked]
    return question["gain"] > question["gain_se"] and all(
        row[model]["gain"] >= -row[model]["gain_se"] for row in summary.values() for model in MODELS if model in row)


def texts_with_marks(marks: re.Pattern) -> Callable[[list[str]], dict]:
    """:func:`ask`'s ``described``: the share of a set's texts that hold one of ``marks``."""
    return lambda texts: {"texts_with_marks": round(float(np.mean([bool(marks.search(text)) for text in texts])), 3)}


def ask(args: argparse.Namespace, prepared: Callable[[list[str]], dict[str, Sequence]], decisions: tuple[str, str],
        *, described: Callable[[list[str]], dict] | None = None, settings: Mapping[str, dict] | None = None,
        models: Sequence[str] = tuple(MODELS)) -> dict:
    """Ask a question on the four training sets by :func:`compare`, decide it by :func:`taken`, print and write it.

    Parameters
    ----------
    args : argparse.Namespace
        :func:`arguments`' options.
    prepared : callable
        A set's texts to its two preparations, today's first (:func:`compare`'s ``prepared``).
    decisions : tuple of two str
        What the summary says when the change is taken, and when it is not.
    described : callable, optional
        A set's texts to figures about them, kept beside the set's comparison.
    settings : mapping, optional
        :func:`compare`'s ``settings``.
    models : sequence of str, default: every baseline
        The baselines compared; the first is the one asked about on IMDB (:func:`taken`), NBSVM by default.

    Returns
    -------
    dict
        Each set's figures and comparison, and ``decision``.
    """
    summary = {}
    for name, (texts, labels, folds) in training_sets(args.data, Path(args.shared)).items():
        print(name, flush=True)
        summary[name] = {**(described(texts) if described else {}),
                         **compare(prepared(texts), labels, folds, settings, models)}
    summary["decision"] = decisions[0] if taken(summary, models[0]) else decisions[1]
    print(summary["decision"])
    write_results(args.out, summary)
    return summary
