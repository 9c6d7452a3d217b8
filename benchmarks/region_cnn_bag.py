"""Does a second region CNN, the same network from another seed, earn its place in ``ensemble_region_cnn``?

Usage: python benchmarks/region_cnn_bag.py [--data PATH] [--own-embedding] [--validation-only] [--out FILE]

On the package's reference split (seed 0, a validation carve of whole movies) the catalogue's stack is fitted as
:mod:`region_cnn` fits it, without either refit (``refit``, ``refit_neural``: a member refitted on the validation
split would score it in-sample): the ensemble on the training split, ``region_cnn_unlabelled`` (seed 0)
early-stopping on the validation split. A second ``region_cnn_unlabelled`` is then fitted with seed 1 on the
same region embedding (the file the first learned, so the bag costs one more CNN and no more learning from the
unlabelled reviews); with ``--own-embedding`` it learns its own from the same texts with seed 1, as a comparison's
second seed does, so that the two CNNs differ in their input too. The candidate member is the bag: the mean of the
two CNNs' log-odds.

The choice is made on the validation split alone, by the rule the stack's other candidates met
(``region_cnn.py --validation-only``), fixed before the run: a logistic regression over the members' validation
log-odds, cross-validated by 10 stratified folds, stacks the ensemble with the bag and with the first CNN; the bag
is taken if its mean gain in accuracy exceeds the standard error of the fold-by-fold difference. Only then (and
without ``--validation-only``) is the test set read, once: the ensemble refitted on training and validation (as
the catalogue's stack refits it), stacked with the first CNN (the catalogue's stack) and with the bag, with their
95 % bootstrap intervals and exact McNemar tests against each other and against NBSVM fitted on the training
split. Writes JSON under ``benchmarks/results/``.
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
from results_file import RESULTS, results_target, write_results  # noqa: E402

from imdb_baselines import corpus  # noqa: E402
from imdb_baselines.catalog import make_model  # noqa: E402
from imdb_baselines.catalog.fitting import fit_model  # noqa: E402
from imdb_baselines.evaluation.metrics import bootstrap_intervals  # noqa: E402
from imdb_baselines.evaluation.significance import mcnemar  # noqa: E402

CNN = "region_cnn_unlabelled"


def timed(label: str, seconds: dict, fit) -> object:
    """``fit()``'s result, its seconds kept under ``label``."""
    started = time.perf_counter()
    fitted = fit()
    seconds[label] = round(time.perf_counter() - started, 1)
    logging.info("%s fitted in %.0f s", label, seconds[label])
    return fitted


def test_rows(y_test, scores: dict[str, np.ndarray], seconds: dict) -> dict:
    """Each model's test accuracy, interval, fit seconds and McNemar p against every other model."""
    predictions = {name: (score > 0).astype(int) for name, score in scores.items()}
    rows = {}
    for name, predicted in predictions.items():
        intervals = bootstrap_intervals(y_test, predicted, scores[name], n_resamples=1000, seed=0)
        rows[name] = {"accuracy": float(np.mean(predicted == y_test)), "interval": list(intervals["accuracy"]),
                      "fit_s": seconds.get(name),
                      "mcnemar_p": {other: mcnemar(y_test, predicted, predictions[other])["p_value"]
                                    for other in predictions if other != name}}
    return rows


def baseline_test_scores(X_train, y_train, X_val, y_val, X_test, seconds: dict) -> dict[str, np.ndarray]:
    """The test decision values of the stacks' two reference points: the ensemble refitted on training and
    validation (as the catalogue's stack refits it) and NBSVM fitted on the training split; fit seconds kept."""
    ensemble_all = timed("ensemble refitted on training and validation", seconds, lambda: make_model(
        "ensemble", stopwords="minimal", seed=0).fit(X_train + X_val, np.concatenate([y_train, y_val])))
    nbsvm = timed("nbsvm", seconds, lambda: make_model("nbsvm", stopwords="minimal", seed=0).fit(X_train, y_train))
    return {"ensemble (refitted)": ensemble_all.decision_function(X_test), "nbsvm": nbsvm.decision_function(X_test)}


def print_test_table(rows: dict, stack: str) -> None:
    """:func:`test_rows`' rows as a markdown table, with McNemar p against NBSVM and against the model ``stack``."""
    print("| model | test accuracy [95% CI] | McNemar p vs nbsvm | vs the catalogue's stack |")
    print("| :--- | ---: | ---: | ---: |")
    for name, row in rows.items():
        low, high = row["interval"]
        print(f"| {name} | {row['accuracy']:.4f} [{low:.4f}, {high:.4f}] | "
              f"{row['mcnemar_p'].get('nbsvm', float('nan')):.2g} | "
              f"{row['mcnemar_p'].get(stack, float('nan')):.2g} |")


def print_rule(column: str, folds: str, cross_validated: dict[str, dict], line: str, candidate: str, gain: float,
               standard_error: float) -> None:
    """Print a rule's table (each row's mean accuracy and log-loss over ``folds``), ``line``, and whether the
    ``candidate``'s gain exceeds its standard error."""
    print(f"| {column} | cross-validated accuracy ({folds}) | log-loss |")
    print("| :--- | ---: | ---: |")
    for label, row in cross_validated.items():
        print(f"| {label} | {np.mean(row['accuracy']):.4f} | {np.mean(row['log_loss']):.4f} |")
    print(line)
    print(f"{candidate} gain: {gain:+.4f} (standard error {standard_error:.4f}): "
          f"{'taken' if gain > standard_error else 'not taken'}")


def report_test(out: Path, summary: dict, y_test, test: dict[str, np.ndarray], seconds: dict,
                stackers: dict[str, np.ndarray], stack: str) -> None:
    """Add the stackers' weights and the test rows of ``test``'s decision values to ``summary``, print them as
    :func:`print_test_table` does (McNemar p against the model ``stack``), and write ``summary`` to ``out``."""
    summary["stacker"] = {name: np.ravel(coef).tolist() for name, coef in stackers.items()}
    summary["test"] = test_rows(y_test, test, seconds)
    print_test_table(summary["test"], stack)
    print("stackers:", summary["stacker"])
    write_results(out, summary)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("IMDB_DATA", str(ROOT.parent / "shared" / "data"
                                                                           / "aclImdb_v1.tar.gz")))
    parser.add_argument("--own-embedding", action="store_true",
                        help="the second CNN learns its own region embedding (seed 1) instead of reading the first's")
    parser.add_argument("--validation-only", action="store_true", help="choose on validation; never read the test set")
    parser.add_argument("--out", type=results_target)
    args = parser.parse_args()
    args.out = args.out or results_target(RESULTS / f"region_cnn_bag{'_own' if args.own_embedding else ''}.json")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    data = corpus.load_imdb(args.data, include_unsup=True)
    splits = corpus.make_splits(data, validation_size=0.1, seed=0, stopwords="minimal", group_column="movie")
    X_train, X_val = list(splits.X_train), list(splits.X_val)
    y_train, y_val = splits.y_train, splits.y_val
    unlabelled = data.unsup["text"].tolist()
    seconds: dict = {}
    overrides = {"verbose": "log"}
    stack = timed("stack of ensemble and CNN seed 0", seconds, lambda: make_model(
        "ensemble_region_cnn", stopwords="minimal", seed=0, neural_overrides=overrides,
        settings={"refit": False, "refit_neural": False}).fit(X_train, y_train, validation_data=(X_val, y_val),
                                                              unlabelled=unlabelled))
    seconds.update({f"{name} (in the stack)": round(s, 1) for name, s in stack.member_seconds_.items()})
    members = dict(stack.members_)
    region_file = members[CNN].region_vectors_[0]

    def second_cnn():
        model = make_model(CNN, stopwords="minimal", seed=1, neural_overrides=overrides,
                           settings=None if args.own_embedding else {"region_embeddings": region_file})
        fit_model(model, CNN, X_train, y_train, (X_val, y_val), unlabelled)
        return model

    cnn1 = timed("CNN seed 1", seconds, second_cnn)
    val = {"ensemble": members["ensemble"].decision_function(X_val),
           "CNN seed 0": members[CNN].decision_function(X_val), "CNN seed 1": cnn1.decision_function(X_val)}
    val["bag"] = (val["CNN seed 0"] + val["CNN seed 1"]) / 2
    folds = stacker_folds(np.column_stack([val["ensemble"], val["CNN seed 0"], val["bag"]]), np.asarray(y_val),
                          stack.final_C)
    # stacker_folds compares the first two columns with all three; the rule compares ensemble + bag with
    # ensemble + CNN seed 0, so score the bag's pair on the same folds
    pair = stacker_folds(np.column_stack([val["ensemble"], val["bag"]]), np.asarray(y_val), stack.final_C)
    gain = np.subtract(pair["prefixes"][2]["accuracy"], folds["prefixes"][2]["accuracy"])
    standard_error = float(gain.std(ddof=1) / np.sqrt(len(gain)))
    taken = bool(gain.mean() > standard_error)
    summary: dict = {"region_file": str(region_file), "own_embedding": args.own_embedding,
                     "second_region_file": str(cnn1.region_vectors_[0]), "fit_s": seconds,
                     "validation_accuracy": {k: float(np.mean((v > 0).astype(int) == y_val)) for k, v in val.items()},
                     "cross_validated": {"ensemble + CNN seed 0": folds["prefixes"][2],
                                         "ensemble + bag": pair["prefixes"][2],
                                         "ensemble + CNN seed 0 + bag": folds["prefixes"][3]},
                     "gain": float(gain.mean()), "standard_error": standard_error, "bag_taken": taken}
    print_rule("members", "10 folds of validation", summary["cross_validated"],
               f"validation accuracy: {summary['validation_accuracy']}", "the bag's", gain.mean(), standard_error)
    if args.validation_only or not taken:
        write_results(args.out, summary)
        return
    from sklearn.linear_model import LogisticRegression

    bag_stacker = LogisticRegression(C=stack.final_C).fit(np.column_stack([val["ensemble"], val["bag"]]), y_val)
    X_test, y_test = list(splits.X_test), splits.y_test
    test = {**baseline_test_scores(X_train, y_train, X_val, y_val, X_test, seconds),
            "CNN seed 0": members[CNN].decision_function(X_test), "CNN seed 1": cnn1.decision_function(X_test)}
    test["bag"] = (test["CNN seed 0"] + test["CNN seed 1"]) / 2
    test["ensemble_region_cnn (the catalogue's)"] = stack.final_estimator_.decision_function(
        np.column_stack([test["ensemble (refitted)"], test["CNN seed 0"]]))
    test["ensemble + bag"] = bag_stacker.decision_function(np.column_stack([test["ensemble (refitted)"],
                                                                            test["bag"]]))
    report_test(args.out, summary, y_test, test, seconds,
                {"catalogue": stack.final_estimator_.coef_, "bag": bag_stacker.coef_},
                "ensemble_region_cnn (the catalogue's)")


if __name__ == "__main__":
    main()
