"""The catalogue's ``ensemble_region_cnn`` on IMDB's reference split: its members alone and stacked.

Usage: python benchmarks/region_cnn.py [--data PATH] [--members ensemble,region_cnn_unlabelled] [--epochs N]
[--neural KEY=VALUE ...] [--region KEY=VALUE ...] [--[no-]refit] [--validation-only] [--out FILE]

The package's reference split (seed 0, a validation carve of whole movies, ``--group-column movie``): NBSVM is
fitted on the training split, and so is the stack (:class:`imdb_baselines.catalog.stacking.ValidationStack`):
each member on the training split (the region CNN early-stopping on the validation split; the unlabelled
variant learning its region embedding from the 50,000 unlabelled reviews plus the training split, cached), then
a logistic regression on the members' log-odds over the validation split (the CNN is too slow to fit five times
for out-of-fold values; it chose its epoch on the same split, which flatters it a little there). Every choice is
made on training or validation texts; the test set is scored once per model: accuracy with its 95 % bootstrap
interval, exact McNemar against NBSVM and against the first member, and each model's fit time. ``--neural``
changes a setting of every Keras member (``filters=1000``), ``--region`` the region embedding's settings as
``region_cnn_validation.py`` takes it. With ``--validation-only`` the test set is not read: the stacker is
cross-validated (10 stratified folds) on the validation split's decision values, over the first two members
and over each longer prefix of ``--members``, to choose whether a further member earns its place. Otherwise
the stack's members that do not read the validation split are fitted again on the training and validation
splits once the stacker is fitted, as the catalogue's stack does (``ValidationStack(refit=True)``;
``--no-refit`` keeps their first fit); a refitted first member, or NBSVM refitted as a member, is then also
fitted alone on the training split, the model McNemar compares against. The Keras members are refitted too, for
the epochs they kept (``ValidationStack(refit_neural=True)``, the catalogue's; ``--no-refit-neural`` keeps their
first fit): each is then first fitted here, early-stopping on the validation split as the stack fits it, and
handed to the stack, which takes it as its member (as a comparison hands it its own fits), so that the stack
without the Keras refit, its stacker over the first fits, is scored beside it. Writes JSON under
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

from region_cnn_validation import region_settings  # noqa: E402
from results_file import RESULTS, results_target, write_results  # noqa: E402

from imdb_baselines import corpus  # noqa: E402
from imdb_baselines.catalog import make_model, parse_settings, resolved_settings, spec  # noqa: E402
from imdb_baselines.catalog.fitting import fit_model  # noqa: E402
from imdb_baselines.evaluation.metrics import bootstrap_intervals  # noqa: E402
from imdb_baselines.evaluation.significance import mcnemar  # noqa: E402


def neural_settings(assignments: list[str], members: tuple[str, ...]) -> dict:
    """``KEY=VALUE`` settings of every Keras member, checked against each such member's settings (as ``--set``
    checks them) before anything is loaded."""
    try:
        keras_members = [name for name in members if spec(name).is_neural]
        checked = [parse_settings([f"{name}.{item}" for item in assignments], [name]) for name in keras_members]
    except ValueError as error:
        raise SystemExit(f"--neural: {error}") from None
    if assignments and not keras_members:
        raise SystemExit(f"--neural: none of the members {', '.join(members)} is a Keras model")
    return next((values.get(name, {}) for name, values in zip(keras_members, checked)), {})


def stacker_scores(columns: np.ndarray, y: np.ndarray, final_C: float, folds: int = 10,
                   groups: np.ndarray | None = None) -> dict:
    """Accuracy and log-loss per fold of a logistic regression over ``columns``, by ``folds`` stratified shuffled
    folds (seed 0); with ``groups``, each group's texts in one fold."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    splitter = (StratifiedKFold(folds, shuffle=True, random_state=0) if groups is None
                else StratifiedGroupKFold(folds, shuffle=True, random_state=0))
    accuracy, loss = [], []
    for kept, held in splitter.split(columns, y, groups):
        stacker = LogisticRegression(C=final_C, max_iter=1000).fit(columns[kept], y[kept])
        accuracy.append(float(np.mean(stacker.predict(columns[held]) == y[held])))
        loss.append(float(log_loss(y[held], stacker.predict_proba(columns[held])[:, 1], labels=[0, 1])))
    return {"accuracy": accuracy, "log_loss": loss}


def stacker_folds(scores: np.ndarray, y: np.ndarray, final_C: float, folds: int = 10) -> dict:
    """Each prefix of the members (two or more columns of ``scores``) stacked and scored by :func:`stacker_scores`
    on validation decision values, and the gain of the last prefix over the first two members with its standard
    error."""
    rows = {k: stacker_scores(scores[:, :k], y, final_C, folds) for k in range(2, scores.shape[1] + 1)}
    gain = np.subtract(rows[scores.shape[1]]["accuracy"], rows[2]["accuracy"])
    return {"prefixes": rows, "gain": float(gain.mean()), "standard_error": float(gain.std(ddof=1) / np.sqrt(folds))}


def choose_on_validation(stack, members: tuple[str, ...], scores: np.ndarray, y_val, summary: dict, out) -> None:
    """Print and write :func:`stacker_folds` for the fitted ``stack`` over its members' validation decision
    values ``scores`` (one column each); the test set is not read."""
    folds = stacker_folds(scores, np.asarray(y_val), stack.final_C)
    summary["stacker_folds"] = folds
    print("| members | cross-validated accuracy (10 folds of validation) | log-loss |")
    print("| :--- | ---: | ---: |")
    for k, row in folds["prefixes"].items():
        print(f"| {' + '.join(members[:k])} | {np.mean(row['accuracy']):.4f} | {np.mean(row['log_loss']):.4f} |")
    print(f"gain of all {len(members)} over the first two: {folds['gain']:+.4f} (standard error "
          f"{folds['standard_error']:.4f}); the stacker's weights on all: {summary['stacker']['coef']}")
    write_results(out, summary)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("IMDB_DATA", str(ROOT.parent / "shared" / "data"
                                                                           / "aclImdb_v1.tar.gz")))
    parser.add_argument("--members", default="ensemble,region_cnn_unlabelled",
                        help="the stack's members (the first is the one McNemar compares against)")
    parser.add_argument("--epochs", type=int, default=None,
                        help="the Keras members' most epochs (early stopping keeps the best); default: the catalogue's")
    parser.add_argument("--neural", action="append", default=[], metavar="KEY=VALUE",
                        help="a setting of every Keras member, e.g. filters=1000")
    parser.add_argument("--region", action="append", default=[], metavar="KEY=VALUE",
                        help="a setting of the region embedding's learning (REGION_SETTINGS)")
    parser.add_argument("--refit", action=argparse.BooleanOptionalAction, default=None,
                        help="fit the members that do not read the validation split again on training and "
                             "validation (default: the catalogue's, which does)")
    parser.add_argument("--refit-neural", action=argparse.BooleanOptionalAction, default=None,
                        help="fit the Keras members again on training and validation for the epochs they kept "
                             "(default: the catalogue's, which does)")
    parser.add_argument("--validation-only", action="store_true",
                        help="cross-validate the stacker on the validation split for each prefix of --members; "
                             "the test set is not read")
    parser.add_argument("--out", type=results_target, default=None,
                        help="the results file (default: region_cnn.json, or region_cnn_validation_stack.json)")
    args = parser.parse_args()
    if args.refit and args.validation_only:
        parser.error("--refit fits members on the validation split, which --validation-only scores: give one")
    if args.refit_neural and args.validation_only:
        parser.error("--refit-neural fits members on the validation split, which --validation-only scores: give one")
    if args.refit is None:
        args.refit = not args.validation_only and resolved_settings("ensemble_region_cnn")["refit"]
    if args.refit_neural is None:
        args.refit_neural = not args.validation_only and resolved_settings("ensemble_region_cnn")["refit_neural"]
    args.out = args.out or results_target(RESULTS / ("region_cnn_validation_stack.json" if args.validation_only
                                                     else "region_cnn.json"))
    region = region_settings(args.region)
    members = tuple(args.members.split(","))
    neural = neural_settings(args.neural, members)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    data = corpus.load_imdb(args.data, include_unsup=True)
    splits = corpus.make_splits(data, validation_size=0.1, seed=0, stopwords="minimal", group_column="movie")
    X_train, X_val, X_test = (list(splits.X_train), list(splits.X_val), list(splits.X_test))
    y_train, y_val, y_test = splits.y_train, splits.y_val, splits.y_test
    unlabelled = data.unsup["text"].tolist()
    seconds = {}
    first = members[0]
    refitted = {name for name in members if args.refit and not spec(name).is_neural}  # a Keras member keeps its fit
    # the models McNemar compares against, fitted on the training split; a refitted member's name stays its refit's
    nbsvm, compared = (f"{name} (training split)" if name in refitted else name for name in ("nbsvm", first))
    alone = {}  # fitted on the training split only, beside the stack: NBSVM, and the first member if refitted
    for label, name in ({} if args.validation_only else {nbsvm: "nbsvm", **({compared: first} if first in refitted
                                                                             else {})}).items():
        started = time.perf_counter()
        alone[label] = make_model(name, stopwords="minimal", seed=0).fit(X_train, y_train)
        seconds[label] = time.perf_counter() - started
    overrides = {"verbose": "log", **({"epochs": args.epochs} if args.epochs else {}), **neural}
    stack = make_model("ensemble_region_cnn", stopwords="minimal", seed=0, neural_overrides=overrides,
                       settings={"members": members, "refit": args.refit, "refit_neural": args.refit_neural})
    first_fits = {}  # the Keras members' first fits, which the stack takes and then fits again
    for name in (members if args.refit_neural else ()):
        if spec(name).is_neural:
            started = time.perf_counter()
            model = make_model(name, stopwords="minimal", seed=0, neural_overrides=overrides)
            fit_model(model, name, X_train, y_train, (X_val, y_val), unlabelled)
            first_fits[name] = (model, time.perf_counter() - started)
    refitted |= set(first_fits)
    started = time.perf_counter()
    stack.fit(X_train, y_train, validation_data=(X_val, y_val), unlabelled=unlabelled, fitted_members=first_fits)
    stacked = f"stack of {' and '.join(members)}"
    seconds.update(stack.member_seconds_)
    seconds[stacked] = time.perf_counter() - started + sum(s for _, s in first_fits.values())
    validation = {name: (first_fits[name][0] if name in first_fits else model).decision_function(X_val)
                  for name, model in stack.members_ if name not in refitted or name in first_fits}
    summary: dict = {"members": list(members), "refit": args.refit, "refit_neural": args.refit_neural,
                     "neural": neural, "region": region,
                     "fit_s": seconds,
                     "validation_accuracy": {name: float(np.mean((score > 0).astype(int) == y_val))
                                             for name, score in validation.items()},
                     "stacker": {"coef": stack.final_estimator_.coef_.ravel().tolist(),
                                 "intercept": float(stack.final_estimator_.intercept_[0])}}
    if args.validation_only:
        choose_on_validation(stack, members, np.column_stack(list(validation.values())), y_val, summary, args.out)
        return
    fitted = {**alone, **{f"{name} (first fit)": model for name, (model, _) in first_fits.items()},
              **dict(stack.members_), stacked: stack}
    scores = {name: model.decision_function(X_test) for name, model in fitted.items()}
    if first_fits:  # the same stacker over the members' scores with the Keras members' first fits
        without = f"{stacked}, Keras members not refitted"
        scores[without] = stack.final_estimator_.decision_function(np.column_stack([
            scores[f"{name} (first fit)" if name in first_fits else name] for name, _ in stack.members_]))
        seconds[without] = seconds[stacked] - sum(stack.member_seconds_[name] for name in first_fits) + \
            sum(s for _, s in first_fits.values())
        seconds.update({f"{name} (first fit)": s for name, (_, s) in first_fits.items()})
        summary["refitted_epochs"] = stack.refitted_epochs_
    predictions = {name: (score > 0).astype(int) for name, score in scores.items()}
    rows = {}
    for name, predicted in predictions.items():
        intervals = bootstrap_intervals(y_test, predicted, scores[name], n_resamples=1000, seed=0)
        rows[name] = {"accuracy": float(np.mean(predicted == y_test)), "interval": list(intervals["accuracy"]),
                      "fit_s": round(seconds[name], 1),
                      "mcnemar_p_vs_nbsvm": mcnemar(y_test, predicted, predictions[nbsvm])["p_value"],
                      f"mcnemar_p_vs_{compared}": mcnemar(y_test, predicted, predictions[compared])["p_value"]}
    summary["test"] = rows
    if first_fits:
        summary["mcnemar_p_refit_neural"] = mcnemar(y_test, predictions[stacked], predictions[without])["p_value"]
        print(f"McNemar p, the stack against itself without the Keras refit: {summary['mcnemar_p_refit_neural']:.2g}")
    print(f"| model | test accuracy [95% CI] | fit s | McNemar p vs NBSVM | vs {compared} |")
    print("| :--- | ---: | ---: | ---: | ---: |")
    for name, row in rows.items():
        low, high = row["interval"]
        print(f"| `{name}` | {row['accuracy']:.4f} [{low:.4f}, {high:.4f}] | {row['fit_s']:.0f} | "
              f"{row['mcnemar_p_vs_nbsvm']:.2g} | {row[f'mcnemar_p_vs_{compared}']:.2g} |")
    print("validation accuracy:", summary["validation_accuracy"], "stacker:", summary["stacker"])
    write_results(args.out, summary)


if __name__ == "__main__":
    main()
