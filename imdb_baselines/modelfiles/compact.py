"""Saved baselines without what answering does not need: float32 weights, no training statistics.

A fitted baseline keeps arrays only fitting needs (NBSVM's log-count ratio ``r_``, Naive Bayes's
``feature_count_``), and float64 weights whose last digits move no decision. :func:`compact_arrays` swaps a
model's arrays for their compact form while it is written, and restores them afterwards, so the model in
memory is unchanged. Every decision value of the saved model is computed in float64 from float32 weights;
on IMDB's 25,000 test reviews no prediction of the reference's baselines changes (``benchmarks/saved_sizes.py``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np

__all__ = ["compact_arrays"]

_FLOAT32 = ("coef_", "feature_log_prob_", "idf_")  # weights written as float32
_DROPPED = {"NBSVMClassifier": ("r_",), "NaiveBayesClassifier": ("feature_count_",)}  # by class: never read


def _estimators(model) -> Iterator[object]:
    """``model`` and every estimator inside it (pipeline steps, calibrated or stacked members)."""
    seen: set[int] = set()
    stack = [model]
    while stack:
        item = stack.pop()
        if id(item) in seen or item is None:
            continue
        seen.add(id(item))
        yield item
        stack.extend(step for _, step in getattr(item, "steps", None) or ())
        stack.extend(getattr(item, name, None) for name in ("estimator", "final_estimator_"))
        for name in ("estimators_", "calibrated_classifiers_"):
            stack.extend(getattr(item, name, None) or ())


@contextlib.contextmanager
def compact_arrays(model) -> Iterator[None]:
    """While the block runs, ``model``'s weights are float32 and its fitting-only arrays are gone.

    Parameters
    ----------
    model : estimator
        A fitted baseline pipeline, possibly calibrated, or the stacked ensemble of them.

    Examples
    --------
    >>> from baselines import make_nbsvm
    >>> model = make_nbsvm().fit(["a great film", "great acting", "the worst film", "worst plot"], [1, 1, 0, 0])
    >>> with compact_arrays(model):
    ...     model[-1].coef_.dtype, hasattr(model[-1], "r_")
    (dtype('float32'), False)
    >>> model[-1].coef_.dtype, hasattr(model[-1], "r_")
    (dtype('float64'), True)
    """
    originals: list[tuple[object, dict]] = []  # each changed estimator's attributes, in their order
    try:
        for estimator in _estimators(model):
            state = vars(estimator)
            dropped = [name for name in _DROPPED.get(type(estimator).__name__, ()) if name in state]
            narrowed = [name for name in _FLOAT32 if isinstance(state.get(name), np.ndarray)
                        and state[name].dtype == np.float64]
            if dropped or narrowed:
                originals.append((estimator, dict(state)))
                for name in dropped:
                    del state[name]
                for name in narrowed:
                    state[name] = state[name].astype(np.float32)
        yield
    finally:
        for estimator, state in originals:
            vars(estimator).clear()
            vars(estimator).update(state)
