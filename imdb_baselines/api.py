"""The comparison from Python: any labelled texts in, a leaderboard (pandas) out, a report if asked.

:func:`compare` takes every option ``imdb-compare`` has, under the same names
(:class:`~imdb_baselines.options.CompareOptions`); the command line parses its flags
into those options and calls :func:`run`, so both run the same configuration.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import pandas as pd

from imdb_baselines import corpus
from imdb_baselines.options import CompareOptions
from imdb_baselines.run.results import ModelResult

__all__ = ["compare", "leaderboard", "run"]


def leaderboard(results: Mapping[str, list[ModelResult]] | list[ModelResult],
                sort_by: str = "accuracy") -> pd.DataFrame:
    """One row per finished model and stopword list, sorted by ``sort_by`` (best first; costs cheapest first).

    Parameters
    ----------
    results : dict or list
        Each stopword list's results (``Comparison.by_list``), or one list's.
    sort_by : str, default="accuracy"
        The metric or cost that orders each list's rows.

    Returns
    -------
    DataFrame
        The report's ``results.csv``, indexed by model name: every metric, its interval, and the costs; with
        several stopword lists, list after list (the ``stopwords`` column).
    """
    from imdb_baselines.evaluation.report import result_rows

    rows = result_rows(results if isinstance(results, Mapping) else {"": results}, sort_by)
    return pd.DataFrame(rows).set_index("model") if rows else pd.DataFrame(columns=["model"]).set_index("model")


def compare(data: Any = None, test: Any = None, *, validation: Any = None, **options: Any) -> pd.DataFrame:
    """Compare models on labelled texts and return the leaderboard.

    Parameters
    ----------
    data : DataFrame, tuple, TextCorpus, path or None
        The training texts as a DataFrame (with ``test`` and optionally
        ``validation`` DataFrames of the same columns), the four arrays
        ``(X_train, y_train, X_test, y_test)``, a loaded
        :class:`~imdb_baselines.corpus.TextCorpus`, a file or folder (as ``--data``), or None for IMDB.
    test, validation : DataFrame or path, optional
        Used as given; without ``test`` a stratified ``test_size`` share of ``data`` is carved out.
    **options
        Any option of :class:`~imdb_baselines.options.CompareOptions`, named as on the command line
        (``models``, ``stopwords``, ``seed``, ``settings``, ``tune``, ``repeats``, ``bootstrap``,
        ``calibration``, ``epochs``, ``out``, ``engine``...). ``models`` and ``stopwords`` are lists;
        ``settings`` is ``{model: {setting: value}}``. ``tune`` is None by default: the baselines' grids are
        searched where they are cheap on the training set (:func:`imdb_baselines.run.tuning.search`); True
        searches every grid, False none. Without ``out`` no report is written.

    Returns
    -------
    DataFrame
        One row per finished model (index: model name), in ``sort`` order (best accuracy first); with several
        ``stopwords`` lists, each list's rows in turn (the ``stopwords`` column), as in ``results.csv``.

    Raises
    ------
    ValueError
        An option out of its range (the message names it as the command line does).

    Examples
    --------
    >>> board = compare(train_frame, test_frame, models=["naive_bayes", "nbsvm"], tune=True)  # doctest: +SKIP
    >>> board[["accuracy", "macro_f1"]]  # doctest: +SKIP
    """
    if isinstance(options.get("stopwords"), str):
        options["stopwords"] = (options["stopwords"],)
    if isinstance(options.get("models"), str):
        raise ValueError(f"models must be a list of names, e.g. [{options['models']!r}]")
    if options.get("models") is not None:  # ("name", estimator) pairs: the user's own estimators
        pairs = [item for item in options["models"] if isinstance(item, tuple)]
        if any(len(pair) != 2 or not isinstance(pair[0], str) for pair in pairs):
            raise ValueError("models takes catalogue names and (name, estimator) pairs, e.g. "
                             "['nbsvm', ('tfidf_lr', make_pipeline(TfidfVectorizer(), LogisticRegression()))]")
        options["models"] = [item[0] if isinstance(item, tuple) else item for item in options["models"]]
        options["estimators"] = {**dict(options.get("estimators") or {}), **dict(pairs)}
    unknown = sorted(set(options) - set(CompareOptions.__dataclass_fields__))
    if unknown:
        raise TypeError(f"compare() got unknown options {unknown}; valid: "
                        f"{', '.join(CompareOptions.__dataclass_fields__)}")
    texts = None
    if data is None or isinstance(data, (str, os.PathLike)):
        options.update(data=data, test=test, validation=validation)
    else:
        texts = _in_memory(data, test, validation, options)
    checked = CompareOptions(**options).checked()
    shown = ", ".join(f"{key}={value!r}" for key, value in sorted(options.items()) if key not in ("data", "test"))
    return leaderboard(run(checked, texts=texts, command=f"imdb_baselines.compare({shown})").by_list, checked.sort)


def run(options: CompareOptions, *, texts: corpus.TextCorpus | None = None, command: str = ""):
    """Run checked ``options`` (:meth:`CompareOptions.checked`) and write the report if ``options.out`` is set.

    With ``options.track`` the comparison is also logged to MLflow (:mod:`imdb_baselines.tracking`): the store
    is reached and the parent run opened before any data is read, the models' runs logged from the report.

    Returns
    -------
    imdb_baselines.comparison.Comparison

    Raises
    ------
    imdb_baselines.tracking.TrackingError
        With ``options.track``, if the tracking store cannot be reached or used (before any model trains).
    """
    from imdb_baselines.comparison import run_comparison

    if texts is not None and options.engine != "local":
        raise ValueError(f"texts in memory run on the local engine; give the {options.engine} engine a path as data "
                         "(a table or a folder)")
    learners = [name for name in options.models if _needs_unlabelled(name, options.settings.get(name))]
    if learners and (texts is not None or not options.source.is_imdb):
        raise ValueError(f"{', '.join(learners)} learn word vectors from unlabelled texts, which only IMDB provides "
                         "(its train/unsup reviews); leave them out with your own data")
    if texts is not None:
        texts = options.source.ordered(texts)  # the class order, as for texts read from files
    tracker = None
    if options.track:
        from imdb_baselines.tracking import start_tracking

        tracker = start_tracking(options, command, dataset=None if texts is None else texts.name)
    try:
        comparison = run_comparison(options.run_config(command=command), engine=options.make_engine(),
                                    wait=options.wait, data=texts, resume=options.resume)
    except BaseException as error:
        if tracker is not None:
            tracker.abandon(error)
        raise
    return tracker.log(comparison) if tracker is not None else comparison


def _needs_unlabelled(name: str, settings: dict[str, Any] | None) -> bool:
    from imdb_baselines.catalog import uses_unlabelled

    return uses_unlabelled(name, settings)


def _in_memory(data: Any, test: Any, validation: Any, options: dict[str, Any]) -> corpus.TextCorpus:
    """Texts given in memory as a TextCorpus: DataFrames, the four arrays, or a corpus already loaded."""
    if isinstance(data, corpus.TextCorpus):
        return data
    defaults = CompareOptions()
    columns = {key: options.get(key, getattr(defaults, key))
               for key in ("text_column", "label_column", "test_size", "seed", "group_column")}
    if options.get("cv") and test is None:
        columns["test_size"] = 0.0  # no test set: cross-validation scores every text out of fold
    if isinstance(data, pd.DataFrame):
        return corpus.from_frames(data, test=test, validation=validation, **columns)
    if isinstance(data, (tuple, list)) and len(data) == 4:
        if columns["group_column"] is not None:
            raise ValueError("group_column names a column of DataFrames; the four arrays have none")
        frames = []
        for split, texts, labels in (("train", *data[:2]), ("test", *data[2:])):
            if isinstance(texts, (str, bytes)) or isinstance(labels, (str, bytes)):
                raise TypeError(f"X_{split} and y_{split} must be sequences (a list of texts, their labels), "
                                "not one string")
            texts, labels = list(texts), list(labels)
            if len(texts) != len(labels):
                raise ValueError(f"X_{split} has {len(texts):,} texts and y_{split} {len(labels):,} labels; give "
                                 "one label per text")
            frames.append(pd.DataFrame({"text": texts, "label": labels}))
        return corpus.from_frames(frames[0], test=frames[1], name="texts", source="arrays",
                                  test_size=columns["test_size"], seed=columns["seed"])
    raise TypeError("data must be a DataFrame, a tuple (X_train, y_train, X_test, y_test), a TextCorpus, a path, "
                    f"or None for IMDB. Got {type(data).__name__} instead.")
