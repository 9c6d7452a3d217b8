"""What a tenth more training texts is worth to a model, by cross-validation on IMDB's training reviews only.

Usage: python benchmarks/more_training_texts.py [--data PATH] [--models nbsvm,linear_svm] [--epochs N] [--out FILE]

``ValidationStack(refit=True)`` fits its baselines and its ensemble a second time on the training and the
validation texts together, once the stacker has learned its weights: the reference split's validation carve is
a tenth of the 25,000 training reviews. Whether that tenth helps is asked here without the test set: 5 folds of
the training reviews in the archive's order (each fold holds whole movies, as ``tune_baselines.py
--movie-folds``), each model fitted with its defaults on a fold's training part less a seeded tenth of it and on
all of it, and scored on the held-out fold. Prints each model's accuracies, the gain and its standard error.

``--models region_cnn_unlabelled`` asks the same of the stack's CNN (``ValidationStack(refit_neural=True)``), which
early-stops on the validation split: its refit on training and validation trains for the epochs that fit kept, so
here each fit trains for ``--epochs`` (default 4, the epoch the catalogue's CNN keeps on the reference split)
without early stopping. Its region embedding is learned once, from the 50,000 unlabelled reviews alone (cached), so that
no held-out fold's text is read before it is scored and both fits of a fold read the same embedding.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from results_file import RESULTS, results_target, write_results  # noqa: E402

from baselines import make_linear_svm, make_nbsvm  # noqa: E402
from imdb_baselines import corpus  # noqa: E402
from imdb_baselines.catalog import make_model  # noqa: E402
from imdb_baselines.catalog.fitting import fit_model  # noqa: E402

BASELINES = {"nbsvm": make_nbsvm, "linear_svm": make_linear_svm}
CNN = "region_cnn_unlabelled"


def model_maker(name: str, unlabelled: list[str] | None, epochs: int):
    """A function that fits ``name`` with its defaults on ``(X, y)``; the CNN as described above."""
    if name in BASELINES:
        return lambda X, y: BASELINES[name](stopwords="minimal").fit(X, y)
    if name != CNN:
        raise SystemExit(f"--models: {name!r} is not one of {', '.join([*BASELINES, CNN])}")
    from neural.pretraining import unlabelled_region_vectors

    started = time.perf_counter()
    region_file = str(unlabelled_region_vectors(CNN, unlabelled, [], stopwords="minimal", seed=0))
    logging.info("region embedding from the unlabelled reviews alone: %s (%.0f s)", region_file,
                 time.perf_counter() - started)
    settings = {"region_embeddings": region_file, "epochs": epochs, "early_stopping": False}

    def fit(X, y):
        model = make_model(CNN, stopwords="minimal", seed=0, settings=settings, neural_overrides={"verbose": "log"})
        started = time.perf_counter()
        fit_model(model, CNN, X, y, unlabelled=unlabelled)
        logging.info("%s fitted on %d reviews in %.0f s", CNN, len(y), time.perf_counter() - started)
        return model

    return fit


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="aclImdb_v1.tar.gz or aclImdb folder (default: IMDB_DATA)")
    parser.add_argument("--models", default="nbsvm,linear_svm", help="comma-separated: nbsvm, linear_svm, " + CNN)
    parser.add_argument("--epochs", type=int, default=4, help=f"{CNN}'s epochs (default 4)")
    parser.add_argument("--out", type=results_target, default=None,
                        help="default: benchmarks/results/more_training_texts.json, or "
                             "more_training_texts_cnn.json when the CNN is asked")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    names = [name.strip() for name in args.models.split(",") if name.strip()]
    out = args.out or results_target(RESULTS / ("more_training_texts_cnn.json" if CNN in names
                                                else "more_training_texts.json"))
    data = corpus.load_imdb(args.data, include_unsup=CNN in names)
    train = data.train
    unlabelled = data.unsup["text"].tolist() if CNN in names else None
    models = {name: model_maker(name, unlabelled, args.epochs) for name in names}
    X, y = corpus.prepare(train["text"].tolist(), "minimal"), train["label"].to_numpy()
    rng = np.random.default_rng(0)
    scores: dict[str, dict[str, list[float]]] = {model: {"less a tenth": [], "all": []} for model in models}
    for fold, (kept, held) in enumerate(StratifiedKFold(5).split(np.zeros(len(y)), y)):
        fewer = np.sort(rng.choice(kept, size=len(kept) - len(kept) // 10, replace=False))
        for model, fit in models.items():
            for size, rows in (("less a tenth", fewer), ("all", kept)):
                fitted = fit(X.take(rows), y[rows])
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
    if CNN in names:
        summary["settings"] = {"epochs": args.epochs, "region_embedding": "learned from the unlabelled reviews alone"}
    write_results(out, summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
