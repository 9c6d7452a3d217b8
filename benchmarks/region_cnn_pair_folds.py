"""Does a second region CNN with its own region embedding earn a column of its own in ``ensemble_region_cnn``?

Usage: python benchmarks/region_cnn_pair_folds.py [--data PATH] [--folds 5] [--validation-only] [--out FILE]

``region_cnn_bag.py --own-embedding`` found, on 10 folds of the validation split, that the ensemble stacked with
two CNNs (seeds 0 and 1, each with its own region embedding) gained 0.0020 (standard error 0.0009) over the
catalogue's two members. That was not the candidate fixed before that run, and those folds are the ones it was
seen on; this script asks it on texts no choice has seen: out-of-fold decision values on the training split.

On the package's reference split (seed 0, a validation carve of whole movies), the training split is cut into
``--folds`` folds that keep each movie's reviews together (:func:`imdb_baselines.run.folds.fold_indices` with
the movies as groups). For each fold, the ensemble, the seed-0 CNN and the seed-1 CNN are fitted on the other folds
(the CNNs early-stopping on the validation split, each reading the region embedding its seed learns from the
unlabelled reviews and the whole training split, as a comparison learns it: the held-out fold's words, never its
labels, are among those texts, alike for both CNNs) and score the held-out fold. The rule, fixed before the
run as the stack's other candidates were: a logistic regression over the out-of-fold decision values,
cross-validated by 10 stratified folds, stacks the ensemble with the seed-0 CNN and with both CNNs; the second CNN
is taken if the mean gain in accuracy exceeds the standard error of the fold-by-fold difference.

Only then (and without ``--validation-only``) is the test set read, once: the catalogue's stack is fitted without
its refits (its stacker over the members' validation scores), the seed-1 CNN beside it, a stacker over the three
members' validation scores, and the ensemble refitted on training and validation for both stacks, as
``region_cnn_bag.py`` scores them; with 95 % bootstrap intervals and exact McNemar tests. Writes JSON under
``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from region_cnn import stacker_folds  # noqa: E402
from region_cnn_bag import baseline_test_scores, print_rule, report_test, timed  # noqa: E402
from results_file import RESULTS, results_target, write_results  # noqa: E402

from imdb_baselines import corpus  # noqa: E402
from imdb_baselines.catalog import make_model  # noqa: E402
from imdb_baselines.catalog.fitting import fit_model  # noqa: E402
from imdb_baselines.run.folds import fold_indices  # noqa: E402

CNN = "region_cnn_unlabelled"
OVERRIDES = {"verbose": "log"}


def region_file(seed: int, unlabelled: list[str], train: list[str]) -> str:
    """The region embedding ``region_cnn_unlabelled`` with ``seed`` learns from ``unlabelled`` and ``train``: the
    cached file, or learned and cached as a comparison learns it."""
    from neural.pretraining import unlabelled_region_vectors

    model = make_model(CNN, stopwords="minimal", seed=seed)
    return str(unlabelled_region_vectors(CNN, unlabelled, train, stopwords=model.stopwords, seed=seed))


def cnn(seed: int, regions: str, X, y, validation):
    """``region_cnn_unlabelled`` with ``seed``, reading the region embedding ``regions``, fitted."""
    model = make_model(CNN, stopwords="minimal", seed=seed, neural_overrides=OVERRIDES,
                       settings={"region_embeddings": regions})
    fit_model(model, CNN, X, y, validation, None)
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("IMDB_DATA", str(ROOT.parent / "shared" / "data"
                                                                           / "aclImdb_v1.tar.gz")))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--validation-only", action="store_true", help="choose on training data; never read test")
    parser.add_argument("--out", type=results_target, default=results_target(RESULTS / "region_cnn_pair_folds.json"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    data = corpus.load_imdb(args.data, include_unsup=True)
    splits = corpus.make_splits(data, validation_size=0.1, seed=0, stopwords="minimal", group_column="movie")
    X_train, X_val = list(splits.X_train), list(splits.X_val)
    y_train, y_val = np.asarray(splits.y_train), np.asarray(splits.y_val)
    unlabelled = data.unsup["text"].tolist()
    seconds: dict = {}
    # each CNN reads the embedding its seed learns from the unlabelled reviews and the whole training split, as
    # the catalogue's does: the held-out fold's words (never its labels) are among those texts for both CNNs alike
    regions = {seed: timed(f"region embedding, seed {seed}", seconds, lambda seed=seed: region_file(
        seed, unlabelled, X_train)) for seed in (0, 1)}
    out_of_fold = np.zeros((len(y_train), 3))
    for k, (kept, held) in enumerate(fold_indices(y_train, args.folds, groups=splits.groups["train"])):
        X_kept, y_kept = [X_train[i] for i in kept], y_train[kept]
        X_held = [X_train[i] for i in held]
        started = time.perf_counter()
        ensemble = make_model("ensemble", stopwords="minimal", seed=0).fit(X_kept, y_kept)
        out_of_fold[held, 0] = ensemble.decision_function(X_held)
        for column, seed in ((1, 0), (2, 1)):
            model = cnn(seed, regions[seed], X_kept, y_kept, (X_val, y_val))
            out_of_fold[held, column] = model.decision_function(X_held)
        seconds[f"fold {k + 1}"] = round(time.perf_counter() - started, 1)
        logging.info("fold %d of %d: %.0f s; held-out accuracy ensemble %.4f, CNN seeds 0 and 1 %.4f %.4f", k + 1,
                     args.folds, seconds[f"fold {k + 1}"],
                     *(np.mean((out_of_fold[held, c] > 0) == y_train[held]) for c in range(3)))
    folds = stacker_folds(out_of_fold, y_train, 1.0)
    taken = bool(folds["gain"] > folds["standard_error"])
    summary: dict = {"folds": args.folds, "fit_s": seconds, "out_of_fold_accuracy": {
        name: float(np.mean((out_of_fold[:, c] > 0) == y_train))
        for c, name in enumerate(("ensemble", "CNN seed 0", "CNN seed 1"))},
        "cross_validated": {"ensemble + CNN seed 0": folds["prefixes"][2],
                            "ensemble + CNN seeds 0 and 1": folds["prefixes"][3]},
        "gain": folds["gain"], "standard_error": folds["standard_error"], "second_cnn_taken": taken}
    print_rule("members", f"10 folds of {len(y_train):,} out-of-fold values", summary["cross_validated"],
               f"out-of-fold accuracy: {summary['out_of_fold_accuracy']}", "the second CNN's", folds["gain"],
               folds["standard_error"])
    if args.validation_only or not taken:
        write_results(args.out, summary)
        return
    from sklearn.linear_model import LogisticRegression

    stack = timed("stack of ensemble and CNN seed 0", seconds, lambda: make_model(
        "ensemble_region_cnn", stopwords="minimal", seed=0, neural_overrides=OVERRIDES,
        settings={"refit": False, "refit_neural": False}).fit(X_train, y_train, validation_data=(X_val, y_val),
                                                              unlabelled=unlabelled))
    members = dict(stack.members_)
    second = timed("CNN seed 1", seconds, lambda: cnn(1, regions[1], X_train, y_train, (X_val, y_val)))
    val = np.column_stack([members["ensemble"].decision_function(X_val), members[CNN].decision_function(X_val),
                           second.decision_function(X_val)])
    three = LogisticRegression(C=stack.final_C, max_iter=1000).fit(val, y_val)
    X_test, y_test = list(splits.X_test), np.asarray(splits.y_test)
    test = {**baseline_test_scores(X_train, y_train, X_val, y_val, X_test, seconds),
            "CNN seed 0": members[CNN].decision_function(X_test), "CNN seed 1": second.decision_function(X_test)}
    test["the catalogue's stack (no refit of the CNN)"] = stack.final_estimator_.decision_function(
        np.column_stack([test["ensemble (refitted)"], test["CNN seed 0"]]))
    test["ensemble + CNN seeds 0 and 1"] = three.decision_function(
        np.column_stack([test["ensemble (refitted)"], test["CNN seed 0"], test["CNN seed 1"]]))
    report_test(args.out, summary, y_test, test, seconds,
                {"catalogue": stack.final_estimator_.coef_, "three": three.coef_},
                "the catalogue's stack (no refit of the CNN)")


if __name__ == "__main__":
    main()
