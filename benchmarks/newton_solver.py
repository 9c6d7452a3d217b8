"""The Spark engine's linear solver against liblinear on NBSVM's features: objective, validation accuracy, passes.

Usage: python benchmarks/newton_solver.py [--data PATH] [--min-df 1] [--tols 1e-2,1e-3,1e-4]

On the package's training split (the validation split scores; the test split is never read): NBSVM's
r-scaled binary uni- to trigrams, fitted by scikit-learn's ``LinearSVC`` (liblinear's dual solver, as the
local NBSVM) and by :func:`imdb_baselines.run.spark.newton.trust_region_newton` (the Newton method the Spark engine runs
distributed) at several tolerances, here in one process on one block, so that only the optimiser differs.
Prints each one's objective (0.5‖w‖² + C·Σ squared hinge, the bias regularised), its NBSVM validation
accuracy (beta 0.25), mean |w| (the interpolation's Naive Bayes share), Newton iterations and passes over
the data (each pass is one Spark job). This chose the solver's default tolerance.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from results_file import results_target, write_results  # noqa: E402

from baselines import NgramVectorizer  # noqa: E402
from baselines.ratios import log_count_ratio  # noqa: E402
from imdb_baselines import corpus  # noqa: E402
from imdb_baselines.run import newton  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("IMDB_DATA"), help="the IMDB archive (default $IMDB_DATA)")
    parser.add_argument("--min-df", type=int, default=1)
    parser.add_argument("--tols", default="1e-2,1e-3,1e-4")
    parser.add_argument("--beta", type=float, default=0.25)
    args = parser.parse_args(argv)
    out = results_target(ROOT / "benchmarks" / "results" / f"newton_solver_min_df{args.min_df}.json")
    from sklearn.svm import LinearSVC

    splits = corpus.make_splits(corpus.DataSource(path=args.data).load(seed=0), validation_size=0.1, seed=0,
                                stopwords="minimal")
    vectorizer = NgramVectorizer(ngram_range=(1, 3), binary=True, min_df=args.min_df, stopwords="minimal")
    train = (vectorizer.fit_transform(splits.X_train) > 0).astype(np.float64).tocsr()
    validation = (vectorizer.transform(splits.X_val) > 0).astype(np.float64).tocsr()
    positive, positive_val = np.asarray(splits.y_train) == 1, np.asarray(splits.y_val) == 1
    r = log_count_ratio(np.asarray(train[positive].sum(axis=0)).ravel(),
                        np.asarray(train[~positive].sum(axis=0)).ravel())
    scaled = sp.csr_matrix(train.multiply(r))
    block = (sp.hstack([scaled, np.ones((scaled.shape[0], 1))]).tocsr(), positive.astype(int))
    problem = newton.LinearProblem(1.0, "svm", target=1)
    print(f"{train.shape[0]:,} training reviews, {train.shape[1]:,} n-grams (min_df {args.min_df})")

    def row(name: str, w: np.ndarray, seconds: float, iterations: int | str = "", passes: int | str = "") -> dict:
        objective = 0.5 * w @ w + newton.block_value_and_gradient(block, w, problem)[0]
        weights = (1 - args.beta) * np.abs(w[:-1]).mean() + args.beta * w[:-1]
        accuracy = float(np.mean((validation @ (r * weights) + args.beta * w[-1] > 0) == positive_val))
        result = {"solver": name, "objective": round(float(objective), 3), "validation": round(accuracy, 4),
                  "mean_abs_w": float(np.abs(w[:-1]).mean()), "iterations": iterations, "passes": passes,
                  "seconds": round(seconds, 1)}
        print(f"  {name:<22} objective {objective:>9.3f}  validation {accuracy:.4f}  mean|w| "
              f"{result['mean_abs_w']:.5f}  iterations {iterations!s:>4}  passes {passes!s:>4}  {seconds:6.1f} s")
        return result

    rows = []
    started = time.perf_counter()
    liblinear = LinearSVC(C=1.0, tol=0.1, dual=True, random_state=0).fit(scaled, positive.astype(int))
    rows.append(row("liblinear dual, tol 0.1", np.append(liblinear.coef_.ravel(), liblinear.intercept_),
                    time.perf_counter() - started, int(liblinear.n_iter_)))
    passes = [0]

    def value_and_gradient(w):
        passes[0] += 1
        return newton.block_value_and_gradient(block, w, problem)

    def hessian_product(w, v):
        passes[0] += 1
        return newton.block_hessian_product(block, w, v, problem)

    for tol in (float(t) for t in args.tols.split(",")):
        passes[0] = 0
        started = time.perf_counter()
        w, iterations = newton.trust_region_newton(value_and_gradient, hessian_product, block[0].shape[1], tol=tol)
        rows.append(row(f"Newton, tol {tol:g}", w, time.perf_counter() - started, iterations, passes[0]))
    write_results(out, rows)
    print(f"Written {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
