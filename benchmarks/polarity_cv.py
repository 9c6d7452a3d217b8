"""Polarity v2.0 (RT-2k) by the published protocol: 10-fold cross-validation of all 2,000 reviews.

Usage: python benchmarks/polarity_cv.py [--data DIR] [--folds 10]

Runs ``imdb_baselines.compare`` on the review folders (``../shared/data/polarity2k``: ``pos/`` and ``neg/``,
1,000 each) with ``cv=10`` and no test set, so every review is scored out of fold, twice: with the package's
fixed default settings (``tune=False``: no automatic search, which ``self_tuning.py`` measures), and with uni-
and bigrams (the ``-bi`` rows of Wang & Manning, 2012). ``validation_size=0``
fits each fold's model on the fold's whole training part, as the published runs did (the margin-only models
then have no probabilities). Prints a markdown table beside the published figures and writes JSON under
``benchmarks/results/``.

The published runs used the data set's own ten folds (the ``cvN`` file-name prefixes); these folds are
stratified and shuffled with seed 0, so the figures compare as estimates of the same quantity, not fold for
fold.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from results_file import RESULTS, results_target, write_results  # noqa: E402

import imdb_baselines  # noqa: E402

MODELS = ["naive_bayes", "linear_svm", "nbsvm"]
#: Wang & Manning (2012), table 2, RT-2k (10-fold cross-validation); MNB and SVM with bigrams, and NBSVM-bi.
PUBLISHED = {"naive_bayes": ("MNB-bi", 85.85), "linear_svm": ("SVM-bi", 87.40), "nbsvm": ("NBSVM-bi", 89.45)}
BIGRAMS = {name: {"ngram_range": (1, 2)} for name in MODELS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "polarity2k"))
    parser.add_argument("--folds", type=int, default=10)
    args = parser.parse_args()
    target = results_target(RESULTS / "polarity_cv.json")
    runs = {}
    with tempfile.TemporaryDirectory() as scratch:
        for label, settings in (("defaults", {}), ("uni- and bigrams", BIGRAMS)):
            started = time.perf_counter()
            out = Path(scratch) / label.replace(" ", "-")
            imdb_baselines.compare(args.data, models=MODELS, settings=settings, cv=args.folds, validation_size=0.0,
                                   tune=False, bootstrap=0, quiet=True, out=out)
            results = json.loads((out / "results.json").read_text(encoding="utf-8"))
            runs[label] = {"seconds": round(time.perf_counter() - started, 1),
                           "settings": results["provenance"]["model_settings"],
                           "summary": {m: entry["summary"] for m, entry in
                                       results["cross_validation"]["models"].items()},
                           "p_values": results["cross_validation"]["p_values"]}
    print(f"| Model | Published (10-fold) | Defaults, {args.folds}-fold | Uni- and bigrams, {args.folds}-fold |")
    print("| :--- | ---: | ---: | ---: |")
    for model in MODELS:
        name, figure = PUBLISHED[model]
        cells = []
        for label in ("defaults", "uni- and bigrams"):
            accuracy = runs[label]["summary"][model]["accuracy"]
            cells.append(f"{100 * accuracy['mean']:.2f} ± {100 * accuracy['std']:.2f} "
                         f"[{100 * accuracy['ci_low']:.2f}, {100 * accuracy['ci_high']:.2f}]")
        print(f"| `{model}` | {name} {figure:.2f} | {' | '.join(cells)} |")
    for label, run in runs.items():
        print(f"{label}: {run['seconds']} s; corrected resampled t-test p-values {run['p_values']}")
    path = write_results(target, {"folds": args.folds, "published": PUBLISHED, "runs": runs})
    print(f"Written to {path}")


if __name__ == "__main__":
    main()
