"""Should ``ensemble_region_cnn``'s stacker weigh its members by the review's length?

Usage: python benchmarks/region_cnn_length.py [--data PATH] [--validation-only] [--movie-folds] [--out FILE]

The region CNN reads at most a review's last 400 words and the ensemble's bags of n-grams read all of it, so
each member may be the better judge at a different length. On the package's reference split (seed 0, a
validation carve of whole movies) the catalogue's stack is fitted as :mod:`region_cnn_bag` fits it, without
either refit (a member refitted on the validation split would score it in-sample). The candidate stacker is a
logistic regression over the members' validation log-odds, the review's standardised log length ``z`` (its
whitespace-separated words; mean and spread from the training split) and each member's log-odds times
``z``: five columns against the catalogue's two.

The rule, fixed before the run and the one the stack's other candidates met: both stackers are cross-validated
by the same 10 stratified folds of the validation split, and the candidate is taken if its mean gain in accuracy
exceeds the standard error of the fold-by-fold difference. Only then (and without ``--validation-only``) is the
test set read, once: both stackers, fitted on all of the validation split, over the ensemble refitted on
training and validation (as the catalogue's stack refits it) and the CNN, with their 95 % bootstrap intervals
and exact McNemar tests against each other and against NBSVM. Writes JSON under ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from region_cnn import stacker_scores  # noqa: E402
from region_cnn_bag import CNN, baseline_test_scores, print_rule, report_test, timed  # noqa: E402
from results_file import RESULTS, results_target, write_results  # noqa: E402

from imdb_baselines import corpus  # noqa: E402
from imdb_baselines.catalog import make_model  # noqa: E402


def log_lengths(texts: list[str]) -> np.ndarray:
    """Each text's log number of words (at least one)."""
    return np.log(np.maximum([len(text.split()) for text in texts], 1))


def length_columns(ensemble: np.ndarray, cnn: np.ndarray, z: np.ndarray) -> np.ndarray:
    """The candidate stacker's five columns: both members' log-odds, ``z``, and each log-odds times ``z``."""
    return np.column_stack([ensemble, cnn, z, ensemble * z, cnn * z])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("IMDB_DATA", str(ROOT.parent / "shared" / "data"
                                                                           / "aclImdb_v1.tar.gz")))
    parser.add_argument("--validation-only", action="store_true", help="choose on validation; never read the test set")
    parser.add_argument("--movie-folds", action="store_true",
                        help="the stacker's 10 folds of the validation split keep each movie's reviews together")
    parser.add_argument("--out", type=results_target)
    args = parser.parse_args()
    args.out = args.out or results_target(RESULTS / f"region_cnn_length{'_movies' if args.movie_folds else ''}.json")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    data = corpus.load_imdb(args.data, include_unsup=True)
    splits = corpus.make_splits(data, validation_size=0.1, seed=0, stopwords="minimal", group_column="movie")
    X_train, X_val = list(splits.X_train), list(splits.X_val)
    y_train, y_val = splits.y_train, np.asarray(splits.y_val)
    train_lengths = log_lengths(X_train)
    centre, spread = float(train_lengths.mean()), float(train_lengths.std())
    z_val = (log_lengths(X_val) - centre) / spread
    seconds: dict = {}
    stack = timed("stack of ensemble and CNN seed 0", seconds, lambda: make_model(
        "ensemble_region_cnn", stopwords="minimal", seed=0, neural_overrides={"verbose": "log"},
        settings={"refit": False, "refit_neural": False}).fit(X_train, y_train, validation_data=(X_val, y_val),
                                                              unlabelled=data.unsup["text"].tolist()))
    members = dict(stack.members_)
    ensemble_val = members["ensemble"].decision_function(X_val)
    cnn_val = members[CNN].decision_function(X_val)
    groups = np.asarray(splits.groups["validation"]) if args.movie_folds else None
    catalogue = stacker_scores(np.column_stack([ensemble_val, cnn_val]), y_val, stack.final_C, groups=groups)
    candidate = stacker_scores(length_columns(ensemble_val, cnn_val, z_val), y_val, stack.final_C, groups=groups)
    gain = np.subtract(candidate["accuracy"], catalogue["accuracy"])
    standard_error = float(gain.std(ddof=1) / np.sqrt(len(gain)))
    taken = bool(gain.mean() > standard_error)
    summary: dict = {"length_centre": centre, "length_spread": spread, "fit_s": seconds,
                     "validation_accuracy": {"ensemble": float(np.mean((ensemble_val > 0) == y_val)),
                                             "CNN": float(np.mean((cnn_val > 0) == y_val))},
                     "cross_validated": {"ensemble + CNN (the catalogue's)": catalogue,
                                         "ensemble + CNN, weighed by length": candidate},
                     "gain": float(gain.mean()), "standard_error": standard_error, "length_taken": taken,
                     "movie_folds": args.movie_folds,
                     "validation_values": {"ensemble": ensemble_val.tolist(), "CNN": cnn_val.tolist(),
                                           "z": z_val.tolist(), "label": y_val.tolist(),
                                           "movie": np.asarray(splits.groups["validation"]).tolist()}}
    print_rule("stacker", "10 folds of validation", summary["cross_validated"],
               f"validation accuracy: {summary['validation_accuracy']}", "the length's", gain.mean(), standard_error)
    if args.validation_only or not taken:
        write_results(args.out, summary)
        return
    from sklearn.linear_model import LogisticRegression

    length_stacker = LogisticRegression(C=stack.final_C, max_iter=1000).fit(
        length_columns(ensemble_val, cnn_val, z_val), y_val)
    X_test, y_test = list(splits.X_test), splits.y_test
    z_test = (log_lengths(X_test) - centre) / spread
    test = {**baseline_test_scores(X_train, y_train, X_val, y_val, X_test, seconds),
            "CNN seed 0": members[CNN].decision_function(X_test)}
    test["ensemble_region_cnn (the catalogue's)"] = stack.final_estimator_.decision_function(
        np.column_stack([test["ensemble (refitted)"], test["CNN seed 0"]]))
    test["weighed by length"] = length_stacker.decision_function(
        length_columns(test["ensemble (refitted)"], test["CNN seed 0"], z_test))
    report_test(args.out, summary, y_test, test, seconds,
                {"catalogue": stack.final_estimator_.coef_, "length": length_stacker.coef_},
                "ensemble_region_cnn (the catalogue's)")


if __name__ == "__main__":
    main()
