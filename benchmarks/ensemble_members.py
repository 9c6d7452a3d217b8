"""Choose the ensemble's members by cross-validation on the training split, then score the choice on test once.

Usage: python benchmarks/ensemble_members.py [--data PATH] [--folds 5] [--out FILE]

Each candidate member (NBSVM over the whole review, over its first or last N tokens, the linear SVM) gets
out-of-fold decision values on the package's training split (IMDB, seed 0), exactly as
``StackingClassifier`` computes them; every set of members that includes the whole-review NBSVM is then
scored by a second cross-validation of the stacking logistic regression on those values. Nothing here reads
validation or test. Afterwards, ``make_ensemble`` with its defaults is fitted on the training split (timed)
and scored once on the test set, next to NBSVM alone, with McNemar's test between the two.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from itertools import combinations
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict, cross_val_score
from sklearn.pipeline import Pipeline

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from results_file import RESULTS, results_target, write_results  # noqa: E402

from baselines import make_linear_svm, make_nbsvm  # noqa: E402
from baselines.ensemble import make_ensemble, make_span_nbsvm  # noqa: E402
from imdb_baselines import corpus  # noqa: E402
from imdb_baselines.evaluation.significance import mcnemar  # noqa: E402

SPANS = (50, 100, 200)


def candidates() -> dict[str, Pipeline]:
    """Every member the search may pick, by name."""
    found = {"review": make_nbsvm(), "linear_svm": make_linear_svm()}
    for span in SPANS:
        found[f"opening{span}"] = make_span_nbsvm(stop=span)
        found[f"ending{span}"] = make_span_nbsvm(start=-span)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("IMDB_DATA"), help="aclImdb_v1.tar.gz (default: IMDB_DATA)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--max-members", type=int, default=4)
    parser.add_argument("--out", type=results_target, default=str(RESULTS / "ensemble_members.json"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if not args.data:
        parser.error("give --data or set IMDB_DATA")
    splits = corpus.make_splits(corpus.load_imdb(args.data), seed=0)
    train = corpus.prepare(splits.X_train, n_jobs=2)
    y = np.asarray(splits.y_train)
    folds = StratifiedKFold(args.folds)  # StackingClassifier's cv=5
    summary: dict = {"folds": args.folds, "members": {}, "stacked": {}}
    values = {}
    for name, member in candidates().items():
        started = time.perf_counter()
        values[name] = cross_val_predict(member, train, y, cv=folds, method="decision_function")
        summary["members"][name] = {"cv_accuracy": round(float(np.mean((values[name] > 0) == y)), 4),
                                    "seconds": round(time.perf_counter() - started, 1)}
        print(name, summary["members"][name], flush=True)
    second = StratifiedKFold(args.folds, shuffle=True, random_state=0)
    others = [name for name in values if name != "review"]
    for size in range(0, args.max_members):
        for combo in combinations(others, size):
            names = ("review", *combo)
            scores = cross_val_score(LogisticRegression(), np.column_stack([values[n] for n in names]), y, cv=second)
            summary["stacked"][" + ".join(names)] = round(float(scores.mean()), 4)
    best = sorted(summary["stacked"].items(), key=lambda item: -item[1])
    for combo, accuracy in best[:12]:
        print(f"{accuracy:.4f}  {combo}", flush=True)
    test = corpus.prepare(splits.X_test, n_jobs=2)
    started = time.perf_counter()
    ensemble = make_ensemble().fit(train, y)
    fit_s = time.perf_counter() - started
    alone = make_nbsvm().fit(train, y)
    ensemble_pred, nbsvm_pred = ensemble.predict(test), alone.predict(test)
    summary["test"] = {"ensemble": round(float(np.mean(ensemble_pred == splits.y_test)), 4),
                       "nbsvm": round(float(np.mean(nbsvm_pred == splits.y_test)), 4),
                       "ensemble_fit_s": round(fit_s, 1),
                       "stacker_coefficients": np.round(ensemble.final_estimator_.coef_, 3).tolist(),
                       "mcnemar_vs_nbsvm": mcnemar(splits.y_test, ensemble_pred, nbsvm_pred)}
    print(summary["test"], flush=True)
    write_results(args.out, summary, default=float)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
