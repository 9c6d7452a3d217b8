"""Hashed NBSVM and Naive Bayes against their vocabularies on sentence sets, by cross-validation of the training files.

Usage: python benchmarks/hashed_sentence_sets.py [--shared ../shared/data] [--bits 22] [--folds 5]
       [--models nbsvm,naive_bayes]

For TREC's six coarse classes, SST-5's five and TREC's ABBR against the rest (86 questions against 5,366), each
model with its defaults (NBSVM with ``loss="svm"`` and ``loss="logistic"``, Naive Bayes without and with
``class_weight="balanced"``) is scored by stratified ``--folds``-fold cross-validation (shuffled, seed 0) on the
training file, once with the exact vocabulary and once hashed into 2^``--bits`` columns: accuracy and balanced
accuracy. No test or dev file is read. Copied into a checkout of another version and run there, it scores that
version's models on the same folds. Writes ``benchmarks/results/hashed_sentence_sets.json``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd
from sklearn.model_selection import StratifiedKFold, cross_validate

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from results_file import RESULTS, results_target, write_results  # noqa: E402

from imdb_baselines.catalog import make_model  # noqa: E402
from imdb_baselines.corpus import prepare  # noqa: E402


def _training_files(shared: Path) -> dict[str, pd.DataFrame]:
    trec = pd.read_json(shared / "trec" / "train.jsonl", lines=True)
    sst5 = pd.read_csv(shared / "sst5" / "train.csv")
    trec = trec.rename(columns={"question": "text", "coarse": "label"})
    return {"TREC": trec, "SST-5": sst5.rename(columns={"sentence": "text"}),
            "TREC, ABBR against the rest": trec.assign(label=trec["label"].where(trec["label"] == "ABBR", "rest"))}


VARIANTS = {"nbsvm": [{"loss": "svm"}, {"loss": "logistic"}],
            "naive_bayes": [{"class_weight": None}, {"class_weight": "balanced"}]}


def _describe(setting: dict) -> str:
    return ", ".join(f"{key}={value}" for key, value in setting.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--bits", type=int, default=22)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--models", default="nbsvm,naive_bayes")
    args = parser.parse_args()
    target = results_target(RESULTS / "hashed_sentence_sets.json")
    rows = []
    for name, frame in _training_files(Path(args.shared)).items():
        texts, labels = prepare(frame["text"].tolist()), frame["label"].to_numpy()
        folds = StratifiedKFold(args.folds, shuffle=True, random_state=0)
        for model_name in args.models.split(","):
            for setting in VARIANTS[model_name]:
                for bits in (None, args.bits):
                    started = time.perf_counter()
                    model = make_model(model_name, stopwords="minimal", settings={**setting, "hash_bits": bits})
                    scores = cross_validate(model, texts, labels, cv=folds,
                                            scoring=("accuracy", "balanced_accuracy"))
                    rows.append({"data": name, "model": model_name, "setting": _describe(setting),
                                 "n-grams": f"hashed, {bits} bits" if bits else "vocabulary",
                                 "accuracy": round(float(scores["test_accuracy"].mean()), 4),
                                 "balanced_accuracy": round(float(scores["test_balanced_accuracy"].mean()), 4),
                                 "folds": [round(float(s), 4) for s in scores["test_accuracy"]],
                                 "seconds": round(time.perf_counter() - started, 1)})
                    print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    vocabulary = table[table["n-grams"] == "vocabulary"].set_index(["data", "model", "setting"])["accuracy"]
    table["against the vocabulary, points"] = [
        round(100 * (row.accuracy - vocabulary[(row.data, row.model, row.setting)]), 2) for row in table.itertuples()]
    print(table.drop(columns=["folds"]).to_string(index=False))
    write_results(target, rows)


if __name__ == "__main__":
    main()
