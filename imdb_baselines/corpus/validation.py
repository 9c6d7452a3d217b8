"""Input checks shared by every estimator that takes raw review texts."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from numbers import Real

import numpy as np

from imdb_baselines.corpus.labels import shown_value

__all__ = ["CLASS_WEIGHTS", "check_class_weight", "check_classification_target", "check_counts", "check_texts"]


def check_texts(X: Iterable[str], name: str = "X") -> list[str]:
    """Return ``X`` as a list of strings, or raise a clear error.

    Parameters
    ----------
    X : iterable of str
        Review texts: a list, tuple, array or pandas Series of strings.
    name : str, default="X"
        The argument's name, for error messages.

    Returns
    -------
    list of str
        (A :class:`~imdb_baselines.corpus.PreparedTexts` is returned as it is.)

    Raises
    ------
    TypeError
        If ``X`` is a single string (or bytes) instead of a list of texts, or
        holds something other than strings.
    ValueError
        If ``X`` is empty.

    Examples
    --------
    >>> check_texts(("good", "bad"))
    ['good', 'bad']
    """
    from imdb_baselines.corpus.prepared import PreparedTexts

    if isinstance(X, PreparedTexts):
        if not len(X):
            raise ValueError(f"{name} is empty: at least one review text is required.")
        return X  # checked when it was prepared; its tokens travel with it
    if isinstance(X, (str, bytes)):
        raise TypeError(
            f"{name} must be an iterable of review texts, not a single string. "
            f"Wrap it in a list: [{name}]."
        )
    if X is None or not isinstance(X, Iterable):
        raise TypeError(f"{name} must be an iterable of review texts. Got {type(X).__name__} instead.")
    if isinstance(X, np.ndarray) and X.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional: one text per review. Got shape {X.shape}.")
    texts = list(X)
    if not texts:
        raise ValueError(f"{name} is empty: at least one review text is required.")
    for position, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(
                f"{name} must hold strings; item {position} is {type(text).__name__} ({text!r:.40})."
            )
    return texts


def check_counts(X, estimator: str, pipeline: str) -> None:
    """Raise a clear error when an estimator that reads a matrix of n-gram counts is given texts.

    Parameters
    ----------
    X : array-like or sparse matrix
        What the estimator was given.
    estimator : str
        The estimator's name, for the message.
    pipeline : str
        The call that builds the same model over raw texts, for the message.

    Raises
    ------
    TypeError
        If ``X`` is a string or holds strings.

    Examples
    --------
    >>> check_counts([[0, 2], [1, 0]], "NBSVMClassifier", "make_nbsvm()")
    >>> check_counts(["a fine film"], "NBSVMClassifier", "make_nbsvm()")
    Traceback (most recent call last):
      ...
    TypeError: NBSVMClassifier reads a matrix of n-gram counts, and was given texts ('a fine film'): make_nbsvm() \
builds it over raw texts, with the package's shared tokenizer and stopword filter.
    """
    if isinstance(X, (str, bytes)):
        first = X
    elif isinstance(X, np.ndarray):
        first = X.flat[0] if X.dtype.kind in "OSU" and X.size else None
    elif isinstance(X, Sequence) or hasattr(X, "iloc"):  # a list, a tuple, prepared texts, a pandas Series
        first = (X.iloc[0] if hasattr(X, "iloc") else X[0]) if len(X) else None
    else:
        first = None
    if isinstance(first, (str, bytes)):
        raise TypeError(f"{estimator} reads a matrix of n-gram counts, and was given texts ({shown_value(first, 30)}): "
                        f"{pipeline} builds it over raw texts, with the package's shared tokenizer and stopword "
                        "filter.")


def check_classification_target(y, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(classes, y_index)`` for a target with at least two classes, or raise.

    Parameters
    ----------
    y : array-like
        Labels: strings, integers or booleans (for IMDB 0 and 1).
    name : str
        The estimator's name, for the message.

    Returns
    -------
    classes : ndarray
        The sorted class labels.
    y_index : ndarray of int
        Each label's position in ``classes``.

    Examples
    --------
    >>> check_classification_target(["pos", "neg", "pos"], "Model")
    (array(['neg', 'pos'], dtype='<U3'), array([1, 0, 1]))
    """
    from sklearn.utils.multiclass import check_classification_targets

    if y is None:
        raise ValueError(f"{name} requires y to be passed, but the target y is None.")
    y = np.asarray(y)
    check_classification_targets(y)
    classes, y_index = np.unique(y, return_inverse=True)
    if len(classes) < 2:
        raise ValueError(f"{name} needs at least two classes in y; got {len(classes)} class: {classes.tolist()}.")
    return classes, y_index


#: The class weightings every model of the package takes (scikit-learn's names).
CLASS_WEIGHTS = (None, "balanced")


def check_class_weight(class_weight, name: str, allow_dict: bool = False) -> None:
    """Raise ValueError unless ``class_weight`` is None or ``"balanced"`` (every model takes those two), or, with
    ``allow_dict``, scikit-learn's ``{class: weight}`` with finite weights >= 0.

    Examples
    --------
    >>> check_class_weight("balanced", "Model")
    >>> check_class_weight("even", "Model")
    Traceback (most recent call last):
    ...
    ValueError: The 'class_weight' parameter of Model must be 'balanced' or None. Got 'even' instead.
    """
    if allow_dict and isinstance(class_weight, dict):
        if all(isinstance(w, Real) and not isinstance(w, bool) and 0 <= w < math.inf for w in class_weight.values()):
            return
        raise ValueError(f"The 'class_weight' parameter of {name} must map classes to finite weights >= 0. Got "
                         f"{class_weight!r} instead.")
    if not (class_weight is None or (isinstance(class_weight, str) and class_weight == "balanced")):
        raise ValueError(f"The 'class_weight' parameter of {name} must be 'balanced'"
                         + (", a dict {class: weight}" if allow_dict else "") + f" or None. Got {class_weight!r} "
                         "instead.")
