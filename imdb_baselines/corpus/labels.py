"""How a table's label cells become classes: missing markers, numbers and booleans written as text, whole-number
floats, categories, and a label column that holds texts rather than classes."""

from __future__ import annotations

import re

import pandas as pd

from imdb_baselines.corpus.errors import DataError

__all__ = ["class_labels", "is_missing_label", "shown_value", "typed_labels"]

#: Label cells that mean "no label" in the tables people export (pandas' and spreadsheets' missing markers).
_MISSING_LABELS = frozenset({"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
                             "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"})
_INTEGER = re.compile(r"^[+-]?\d+$")
_BOOLEAN = {"true": True, "false": False}
_MANY_CLASSES = 50  # more classes than this and than half the rows: the label column holds texts, not classes


def shown_value(value, limit: int = 60) -> str:
    """A value for an error message: its repr, a long text cut to about ``limit`` characters.

    Examples
    --------
    >>> shown_value("a stirring , funny and finally transporting re-imagining", 20), shown_value(3)
    ("'a stirring , funny…'", '3')
    """
    if not isinstance(value, str) or len(value) <= limit:
        return repr(value)
    return repr(value[: limit - 1].rstrip() + "…")


def typed_labels(column: pd.Series) -> pd.Series:
    """Labels read as text that are all whole numbers or all true/false become integers or booleans."""
    values = column[column.map(lambda v: isinstance(v, str) and v != "")]
    if len(values) != column.notna().sum() or not len(values):
        return column  # not all text: typed by the file format already
    if values.map(lambda v: bool(_INTEGER.match(v))).all():
        return column.map(lambda v: int(v) if v != "" else None)
    if values.str.lower().isin(_BOOLEAN).all():
        return column.map(lambda v: _BOOLEAN[v.lower()] if v != "" else None)
    return column


def is_missing_label(value) -> bool:
    """Whether a label cell is empty or one of the markers tables write for "no value" (``NA``, ``null``...)."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return True
    return isinstance(value, str) and value.strip() in _MISSING_LABELS


def class_labels(labels: pd.Series, where: str, label_column: str, training: bool = True) -> pd.Series:
    """Labels as classes: categories as their values, numbers and booleans written as text typed
    (:func:`typed_labels`), whole-number floats (from Parquet or JSON) as ints.

    Raises
    ------
    DataError
        For fractional numbers, and for training labels with more different values than half the rows (and more
        than 50): most of them would name one text, as a text column's do. (A test set may be small beside its
        classes.)
    """
    labels = typed_labels(labels.astype(object) if isinstance(labels.dtype, pd.CategoricalDtype) else labels)
    floats = labels.map(lambda v: isinstance(v, float))
    if floats.any():
        whole = labels[floats.to_numpy()].map(lambda v: float(v).is_integer())
        if not whole.all():
            example = labels[floats.to_numpy()][~whole.to_numpy()].iloc[0]
            raise DataError(f"{where} has labels that are fractional numbers, e.g. {float(example)}: a label names a "
                            "class. Give class names or whole numbers (round or bin a score into classes first).")
        labels = labels.map(lambda v: int(v) if isinstance(v, float) else v).astype(object)
    distinct = labels.nunique()
    if training and distinct > max(_MANY_CLASSES, len(labels) // 2):
        raise DataError(f"{where} has {distinct:,} different labels in {len(labels):,} rows (e.g. "
                        f"{shown_value(labels.iloc[0])}): a label names a class, and most of these name one text. "
                        f"Is {label_column!r} the text? Name the columns with --text-column and --label-column.")
    return labels
