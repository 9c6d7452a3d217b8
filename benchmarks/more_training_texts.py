"""What a tenth more training texts is worth to the bag-of-n-grams models, by cross-validation on IMDB's training
reviews only.

Usage: python benchmarks/more_training_texts.py [--data PATH] [--out FILE]

``ValidationStack(refit=True)`` fits its baselines and its ensemble a second time on the training and the
validation texts together, once the stacker has learned its weights: the reference split's validation carve is
a tenth of the 25,000 training reviews. Whether that tenth helps is asked here without the test set: 5 folds of
the training reviews in the archive's order (each fold holds whole movies, as ``tune_baselines.py
--movie-folds``), each model fitted with its defaults on a fold's training part less a seeded tenth of it and on
all of it, and scored on the held-out fold. Prints each model's accuracies, the gain and its standard error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from results_file import RESULTS, results_target, write_results  # noqa: E402

from baselines import make_linear_svm, make_nbsvm  # noqa: E402
from imdb_baselines import corpus  # noqa: E402

MODELS = {"nbsvm": make_nbsvm, "linear_svm": make_linear_svm}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="aclImdb_v1.tar.gz or aclImdb folder (default: IMDB_DATA)")
    parser.add_argument("--out", type=results_target, default=str(RESULTS / "more_training_texts.json"))
    args = parser.parse_args(argv)
    train = corpus.load_imdb(args.data).train
    X, y = corpus.prepare(train["text"].tolist(), "minimal"), train["label"].to_numpy()
    rng = np.random.default_rng(0)
    scores: dict[str, dict[str, list[float]]] = {model: {"less a tenth": [], "all": []} for model in MODELS}
    for fold, (kept, held) in enumerate(StratifiedKFold(5).split(np.zeros(len(y)), y)):
        fewer = np.sort(rng.choice(kept, size=len(kept) - len(kept) // 10, replace=False))
        for model, make in MODELS.items():
            for size, rows in (("less a tenth", fewer), ("all", kept)):
                fitted = make(stopwords="minimal").fit(X.take(rows), y[rows])
                scores[model][size].append(float(np.mean(fitted.predict(X.take(held)) == y[held])))
            print(f"fold {fold}: {model} {scores[model]['less a tenth'][-1]:.4f} -> {scores[model]['all'][-1]:.4f}",
                  flush=True)
    summary = {}
    for model, sizes in scores.items():
        gains = np.subtract(sizes["all"], sizes["less a tenth"])
        summary[model] = {**sizes, "gain": round(float(gains.mean()), 4),
                          "gain_se": round(float(gains.std(ddof=1) / np.sqrt(len(gains))), 4)}
        print(f"{model:12s} {np.mean(sizes['less a tenth']):.4f} -> {np.mean(sizes['all']):.4f}: gain "
              f"{100 * gains.mean():+.2f} points (standard error {100 * summary[model]['gain_se']:.2f})", flush=True)
    write_results(args.out, summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
