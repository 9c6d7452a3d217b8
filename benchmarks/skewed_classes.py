"""Skewed classes: what ``--class-weight balanced`` changes on TREC, whose classes run from 86 to 1,250 questions.

Usage: python benchmarks/skewed_classes.py [--trec DIR] [--models naive_bayes,linear_svm,nbsvm,ensemble]
       [--engine local|chunked|spark]

Two cuts of TREC's coarse classes (``train.jsonl`` and ``test.jsonl`` of ``../shared/data/trec``): the six
classes as they are (ABBR 86 training questions, ENTY 1,250), and two classes, ABBR against the rest (1 to
62). Each is compared twice on the same split, without and with ``--class-weight balanced``, with the fixed
default settings (``tune=False``, so that the weighting alone differs). For every model:
accuracy, balanced accuracy, macro F1, average precision, and the recall of ABBR, the rarest class. Writes
JSON under ``benchmarks/results/``. ``--engine chunked`` fits the three baselines from chunks of hashed n-grams
instead (``skewed_classes_chunked.json``), and ``--engine spark`` on Spark in local mode with the Newton solver
(``skewed_classes_spark.json``), each with the local engine's twins run beside it (hashed alike for the chunked
engine): how often the two engines' weighted predictions agree.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from results_file import RESULTS, results_target, write_results  # noqa: E402

import imdb_baselines  # noqa: E402
from imdb_baselines.run.chunked.engine import HASH_BITS  # noqa: E402


def _cuts(trec: Path) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    train, test = (pd.read_json(trec / f"{part}.jsonl", lines=True).rename(columns={"question": "text",
                                                                                    "coarse": "label"})
                   for part in ("train", "test"))

    def against_rest(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(label=frame["label"].where(frame["label"] == "ABBR", "rest"))

    return {"six classes": (train, test), "ABBR against the rest": (against_rest(train), against_rest(test))}


def _written(frame: pd.DataFrame, path: Path) -> str:
    frame.to_json(path, orient="records", lines=True)
    return str(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trec", default=str(ROOT.parent / "shared" / "data" / "trec"))
    parser.add_argument("--models", default=None, help="default: the three baselines and, locally, the ensemble")
    parser.add_argument("--engine", choices=("local", "chunked", "spark"), default="local")
    args = parser.parse_args()
    chunked = args.engine != "local"  # an engine that reads tables in chunks or in Spark, beside the local one
    target = results_target(RESULTS / (f"skewed_classes_{args.engine}.json" if chunked else "skewed_classes.json"))
    models = (args.models or ("naive_bayes,linear_svm,nbsvm" if chunked else "naive_bayes,linear_svm,nbsvm,ensemble")
              ).split(",")
    hashed = {model: {"hash_bits": bits} for model, bits in HASH_BITS.items() if model in models}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for cut, (train, test) in _cuts(Path(args.trec)).items():
            counts = train["label"].value_counts()
            print(f"{cut}: training classes {counts.to_dict()}", flush=True)
            for weight in (None, "balanced"):
                out = Path(tmp) / f"{cut}-{weight}".replace(" ", "_")
                options = dict(models=models, class_weight=weight, bootstrap=0, tune=False, quiet=True,
                               positive_label="ABBR" if len(counts) == 2 else None)
                if chunked:
                    options.update(engine=args.engine, save_models=False,
                                   **({"settings": hashed} if args.engine == "chunked" else {}))
                data = (train, test)
                if chunked:  # these engines read tables from files
                    data = tuple(_written(frame, Path(tmp) / f"{cut}-{part}.jsonl".replace(" ", "_"))
                                 for frame, part in ((train, "train"), (test, "test")))
                board = imdb_baselines.compare(*data, out=out, **options)
                predictions = pd.read_csv(out / "predictions.csv")
                if chunked:  # the local engine's twins, on the same split and with the same settings and weights
                    imdb_baselines.compare(*data, out=out / "local", **{**options, "engine": "local"})
                    local = pd.read_csv(out / "local" / "predictions.csv")
                for model in models:
                    abbr = predictions["label"] == "ABBR"
                    agreement = {"agrees_with_local": round(float((predictions[f"{model}_prediction"]
                                                                   == local[f"{model}_prediction"]).mean()), 4)
                                 } if chunked else {}
                    rows.append({"cut": cut, "class_weight": weight or "none", "model": model, **agreement,
                                 "accuracy": board.loc[model, "accuracy"],
                                 "balanced_accuracy": board.loc[model, "balanced_accuracy"],
                                 "macro_f1": board.loc[model, "macro_f1"],
                                 "average_precision": board.loc[model, "average_precision"],
                                 "abbr_recall": round(float((predictions.loc[abbr, f"{model}_prediction"]
                                                             == "ABBR").mean()), 4)})
    table = pd.DataFrame(rows)
    print(table.to_string(index=False))
    write_results(target, rows)


if __name__ == "__main__":
    main()
