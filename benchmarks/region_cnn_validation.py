"""One setting of ``region_cnn_unlabelled`` scored on IMDB's validation split; the test reviews are never read.

Usage: python benchmarks/region_cnn_validation.py [--data PATH] [--set region_cnn_unlabelled.KEY=VALUE ...]
[--region KEY=VALUE ...] [--out FILE]

The reference split (seed 0, a validation carve of whole movies): the CNN is fitted on the training split and
early-stops on the validation split, with the catalogue's settings changed by ``--set`` (``--set`` as
``compare.py`` takes it) and its region embedding learned with :data:`neural.region_pretraining.REGION_SETTINGS`
changed by ``--region`` (``learning_rate``, ``epochs``, ``dimensions``...: each change is its own cache entry,
learned once). Prints every epoch's validation loss and accuracy, the kept epoch's validation accuracy and the
fit's seconds, and writes them as JSON under ``benchmarks/results/``. The catalogue's choices for this model
were made with this script (``benchmarks/README.md``).
"""

from __future__ import annotations

import argparse
import ast
import json
import logging
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from results_file import RESULTS, results_target, write_results  # noqa: E402

from imdb_baselines import corpus  # noqa: E402
from imdb_baselines.catalog import make_model, parse_settings  # noqa: E402

MODEL = "region_cnn_unlabelled"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("IMDB_DATA", str(ROOT.parent / "shared" / "data"
                                                                           / "aclImdb_v1.tar.gz")))
    parser.add_argument("--set", dest="assignments", action="append", default=[], metavar=f"{MODEL}.KEY=VALUE")
    parser.add_argument("--region", action="append", default=[], metavar="KEY=VALUE",
                        help="a setting of the region embedding's learning (REGION_SETTINGS)")
    parser.add_argument("--out", type=results_target, default=str(RESULTS / "region_cnn_validation.json"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    settings = parse_settings(args.assignments, [MODEL]).get(MODEL, {})
    region = region_settings(args.region)
    data = corpus.load_imdb(args.data, include_unsup=True)
    splits = corpus.make_splits(data, validation_size=0.1, seed=0, stopwords="minimal", group_column="movie")
    model = make_model(MODEL, stopwords="minimal", seed=0, neural_overrides={"verbose": "log"}, settings=settings)
    started = time.perf_counter()
    model.fit(list(splits.X_train), splits.y_train, validation_data=(list(splits.X_val), splits.y_val),
              unlabelled=data.unsup["text"].tolist())
    seconds = time.perf_counter() - started
    history = model.history_
    kept = float(np.mean(model.predict(list(splits.X_val)) == splits.y_val))
    summary = {"settings": settings, "region": region, "fit_s": round(seconds, 1),
               "val_loss": [round(float(v), 4) for v in history["val_loss"]],
               "val_accuracy": [round(float(v), 4) for v in history["val_accuracy"]], "kept_val_accuracy": kept}
    print(json.dumps(summary))
    write_results(args.out, summary)


def region_settings(assignments: list[str]) -> dict:
    """``KEY=VALUE`` changes applied to the region embedding's settings for this run (unknown keys refused)."""
    from neural.region_pretraining import REGION_SETTINGS

    changes = {}
    for assignment in assignments:
        key, sep, text = assignment.partition("=")
        if not sep or key not in REGION_SETTINGS:
            raise SystemExit(f"--region {assignment!r}: expected KEY=VALUE with KEY one of {sorted(REGION_SETTINGS)}")
        changes[key] = type(REGION_SETTINGS[key])(ast.literal_eval(text))
    REGION_SETTINGS.update(changes)
    return dict(REGION_SETTINGS)


if __name__ == "__main__":
    main()
