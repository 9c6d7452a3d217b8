"""Where models go wrong, how they agree, where it is hard, and warnings that catch a broken run.

Everything here works from the test labels, each model's predictions and
scores, and the test texts; nothing looks inside a model.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from imdb_baselines.corpus.dataset import plain_label

__all__ = ["Mistake", "agreement_matrix", "all_wrong", "confident_mistakes", "confidence", "excerpt",
           "health_warnings", "length_buckets"]

_TAGS = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Mistake:
    """One wrong prediction with how sure the model was."""

    index: int  # position in the test set
    true: object  # the true label
    predicted: object  # the model's label
    score: float  # the model's score (two classes: for the positive class; more: the predicted class's)
    confidence: float  # how far the score is from the model's doubt (see :func:`confidence`)
    runner_up: object = None  # more than two classes: the class the model scored next highest


def excerpt(text: str, limit: int = 220) -> str:
    """A text on one line for a report: tags out, spaces collapsed, cut at a word near ``limit`` characters."""
    flat = _SPACE.sub(" ", _TAGS.sub(" ", text)).strip()
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(" ", 0, limit)
    return flat[: cut if cut > limit // 2 else limit] + " …"


def confidence(scores: np.ndarray) -> np.ndarray:
    """How sure each prediction is: |score| for two classes (decision values and log-odds centre on 0),
    and the margin of the top score over the runner-up for more."""
    scores = np.asarray(scores, dtype=float)
    if scores.ndim == 1:
        return np.abs(scores)
    top = np.sort(scores, axis=1)
    return top[:, -1] - top[:, -2]


def confident_mistakes(y_true: np.ndarray, predictions: np.ndarray, scores: np.ndarray, classes: Sequence,
                       per_class: int = 3) -> list[Mistake]:
    """The model's most confident mistakes, up to ``per_class`` for each true class, most confident first.

    ``scores`` is one column for two classes, else one column per class in the order of ``classes``; with more
    than two classes each mistake names the class scored next highest (its ``runner_up``).
    """
    y_true, predictions, scores = np.asarray(y_true), np.asarray(predictions), np.asarray(scores, dtype=float)
    sure = confidence(scores)
    picked = []
    for label in classes:
        wrong = np.flatnonzero((y_true == label) & (predictions != y_true))
        for i in wrong[np.argsort(-sure[wrong], kind="stable")][:per_class]:
            shown = scores[i] if scores.ndim == 1 else scores[i].max()
            runner_up = None if scores.ndim == 1 else plain_label(classes[int(np.argsort(scores[i])[-2])])
            picked.append(Mistake(int(i), plain_label(y_true[i]), plain_label(predictions[i]), float(shown),
                                  float(sure[i]), runner_up))
    return picked


def all_wrong(y_true: np.ndarray, predictions: Mapping[str, np.ndarray]) -> np.ndarray:
    """Positions of the test texts that every model gets wrong."""
    y_true = np.asarray(y_true)
    wrong = np.ones(len(y_true), dtype=bool)
    for predicted in predictions.values():
        wrong &= np.asarray(predicted) != y_true
    return np.flatnonzero(wrong)


def agreement_matrix(predictions: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """Share of test texts on which each pair of models predicts the same label (1 on the diagonal)."""
    names = sorted(predictions)
    matrix = pd.DataFrame(1.0, index=names, columns=names)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            matrix.loc[a, b] = matrix.loc[b, a] = float(np.mean(np.asarray(predictions[a]) ==
                                                                np.asarray(predictions[b])))
    return matrix


def length_buckets(texts: Sequence[str], y_true: np.ndarray,
                   predictions: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """Accuracy of each model on the shortest, middle and longest third of the test texts (in words).

    Returns a frame indexed by model, one column per bucket named with its word range, plus ``texts``
    (the bucket sizes) as the first row.
    """
    words = np.fromiter((len(text.split()) for text in texts), dtype=np.int64, count=len(texts))
    low, high = np.quantile(words, [1 / 3, 2 / 3]).astype(int)
    masks = {f"short (≤ {low} words)": words <= low,
             f"medium ({low + 1}–{high})": (words > low) & (words <= high),
             f"long (> {high} words)": words > high}
    y_true = np.asarray(y_true)
    rows = {"texts": {name: int(mask.sum()) for name, mask in masks.items()}}
    for model in sorted(predictions):
        right = np.asarray(predictions[model]) == y_true
        rows[model] = {name: float(right[mask].mean()) if mask.any() else float("nan")
                       for name, mask in masks.items()}
    return pd.DataFrame.from_dict(rows, orient="index")


def health_warnings(name: str, accuracy: float, interval: tuple[float, float] | None, majority: float,
                    history: Mapping[str, list[float]] | None, neural: bool,
                    balanced: tuple[float, tuple[float, float] | None, int] | None = None,
                    test_texts: int | None = None, cross_validated: bool = False) -> list[str]:
    """Warnings that a model did not learn: accuracy at the majority-class rate, or validation loss that only rose.

    Parameters
    ----------
    name : str
        The model.
    accuracy : float
        Its test accuracy.
    interval : (low, high) or None
        Its bootstrap interval (None: without intervals, within one point counts as "at").
    majority : float
        The share of the most common class in the test set: what always answering it scores.
    history : dict or None
        Keras' history, for neural models.
    neural : bool
        Whether the model is a neural one (the advice differs).
    balanced : (balanced accuracy, its interval or None, number of classes), optional
        On skewed classes: always answering the most common class has a balanced accuracy of one over the
        number of classes, and that is the rate compared with (a small edge in accuracy over the majority's
        share there is real learning).
    test_texts : int, optional
        How many texts the accuracy comes from, said in the warning.
    cross_validated : bool, default=False
        Whether the run cross-validates already; if not, ``--cv`` is suggested where there are under 1,000 texts.
    """
    warnings = []
    if balanced is not None:
        accuracy, interval, majority = balanced[0], balanced[1], 1.0 / balanced[2]
    low, high = interval if interval else (accuracy - 0.01, accuracy + 0.01)
    if low <= majority <= high or accuracy <= majority:
        advice = ("Neural models usually need more data or epochs; the tutorial's `lstm`, which pads after the "
                  "text without masking, often stays at chance on a few thousand reviews for several epochs."
                  if neural else "Check the labels and the texts: a linear model on n-grams rarely fails this way.")
        if test_texts is not None and test_texts < 1000 and not cross_validated:
            advice = f"With {test_texts:,} test texts, `--cv 10` scores every labelled text out of fold. {advice}"
        measure = "a balanced accuracy of " if balanced is not None else ""
        scored = f"`{name}` scores {measure}{accuracy:.4f}" + (f" on {test_texts:,} texts" if test_texts else "")
        if interval and accuracy > majority:  # above the rate, within its interval's reach
            warnings.append(f"{scored}, and its interval ({low:.4f} to {high:.4f}) reaches what always answering "
                            f"the most common class scores ({majority:.4f}): these texts cannot tell it from "
                            f"that. {advice}")
        else:
            warnings.append(f"{scored}, no better than always answering the most common class ({majority:.4f}): "
                            f"it has not learned. {advice}")
    losses = (history or {}).get("val_loss", [])
    if len(losses) >= 2 and all(b > a for a, b in zip(losses, losses[1:])):
        warnings.append(f"`{name}`'s validation loss rose every epoch ({', '.join(f'{v:.3f}' for v in losses)}): "
                        "it overfits from the first epoch. Fewer epochs, a lower learning rate or more data help.")
    return warnings
