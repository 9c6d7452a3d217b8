"""The comparison from Python: any labelled texts in, a leaderboard (pandas) out, a report if asked."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

import corpus
from evaluation.registry import DEFAULT_MODELS, model_names
from evaluation.runner import ModelResult, RunConfig

__all__ = ["compare", "leaderboard"]


def leaderboard(results: list[ModelResult], sort_by: str = "accuracy") -> pd.DataFrame:
    """One row per finished model, sorted by ``sort_by`` (best first; costs cheapest first).

    The columns are those of the report's ``results.csv``: every metric, its interval, and the costs.
    """
    from evaluation.report import headline_rows

    rows = headline_rows(results, sort_by)
    return pd.DataFrame(rows).set_index("model") if rows else pd.DataFrame(columns=["model"]).set_index("model")


def compare(
    data: Any,
    test: pd.DataFrame | None = None,
    *,
    validation: pd.DataFrame | None = None,
    models: Sequence[str] = DEFAULT_MODELS,
    text_column: str = "text",
    label_column: str = "label",
    stopwords: str = "minimal",
    seed: int = 0,
    validation_size: float = 0.1,
    test_size: float = 0.2,
    n_resamples: int = 1000,
    positive_label: Any = None,
    out: str | os.PathLike | None = None,
    wait: bool = False,
    **neural_overrides: Any,
) -> pd.DataFrame:
    """Compare models on labelled texts and return the leaderboard.

    Parameters
    ----------
    data : DataFrame, tuple, TextCorpus or path
        The training texts as a DataFrame (with ``test`` and optionally
        ``validation`` DataFrames of the same columns), the four arrays
        ``(X_train, y_train, X_test, y_test)``, a loaded
        :class:`corpus.TextCorpus`, or a file or folder that
        :func:`corpus.load_texts` reads.
    test, validation : DataFrame, optional
        Used as given; without ``test`` a stratified ``test_size`` share of
        ``data`` is carved out.
    models : sequence of str
        Registered model names (``compare.py --list-models``).
    text_column, label_column : str
        Column names in the DataFrames or tables.
    stopwords, seed, validation_size, test_size, n_resamples, positive_label
        As on the command line.
    out : path, optional
        Also write the full report into this folder (absent, empty, or a
        report this package wrote).
    wait : bool, default=False
        Wait for another run writing ``out`` instead of failing.
    **neural_overrides
        Settings for every neural model, e.g. ``epochs=2``.

    Returns
    -------
    DataFrame
        One row per finished model (index: model name), best accuracy first.

    Examples
    --------
    >>> board = compare(train_frame, test_frame, models=["naive_bayes", "nbsvm"])  # doctest: +SKIP
    >>> board[["accuracy", "macro_f1"]]  # doctest: +SKIP
    """
    from evaluation.comparison import run_comparison

    unknown = [m for m in models if m not in model_names()]
    if isinstance(models, str) or unknown or not models:
        raise ValueError(f"Unknown or no models {unknown or list(models)}; choose from {', '.join(model_names())}.")
    options = {"text_column": text_column, "label_column": label_column, "test_size": test_size, "seed": seed}
    if isinstance(data, corpus.TextCorpus):
        texts = data
    elif isinstance(data, pd.DataFrame):
        texts = corpus.from_frames(data, test=test, validation=validation, **options)
    elif isinstance(data, (tuple, list)) and len(data) == 4:
        X_train, y_train, X_test, y_test = data
        texts = corpus.from_frames(pd.DataFrame({"text": list(X_train), "label": list(y_train)}),
                                   test=pd.DataFrame({"text": list(X_test), "label": list(y_test)}), name="texts",
                                   source="arrays", test_size=test_size, seed=seed)
    elif isinstance(data, (str, os.PathLike)):
        texts = corpus.load_texts(data, **options)
    else:
        raise TypeError("data must be a DataFrame, a tuple (X_train, y_train, X_test, y_test), a TextCorpus or a "
                        f"path. Got {type(data).__name__} instead.")
    config = RunConfig(models=tuple(models), stopwords=(stopwords,), out=Path(out) if out is not None else None,
                       seed=seed, validation_size=validation_size, neural_overrides=dict(neural_overrides),
                       n_resamples=n_resamples, positive_label=positive_label,
                       command=f"evaluation.compare(models={list(models)!r}, seed={seed})")
    run = run_comparison(config, wait=wait, data=texts)
    return leaderboard(run.by_list[stopwords])
