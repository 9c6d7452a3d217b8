"""Figures of a comparison: ROC curves, confusion matrices, accuracy against training time."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from sklearn.metrics import roc_curve

from imdb_baselines.evaluation.fonts import drawable_labels

__all__ = ["PANELS_PER_ROW", "plot_accuracy_vs_time", "plot_calibration", "plot_confusion_matrices", "plot_roc_curves"]

#: The most confusion matrices side by side in one row of the figure.
PANELS_PER_ROW = 5


def plot_roc_curves(y_true, scores: dict[str, np.ndarray], aucs: dict[str, float], path: Path) -> Path:
    """All models' ROC curves on the test set in one figure (two classes; ``y_true`` true for the positive class)."""
    figure = Figure(figsize=(6, 6), dpi=100)
    axis = figure.subplots()
    for name in sorted(scores):
        fpr, tpr, _ = roc_curve(y_true, scores[name])
        axis.plot(fpr, tpr, label=f"{name} (AUC {aucs[name]:.4f})")
    axis.plot([0, 1], [0, 1], ":", color="grey")
    axis.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC curves, test set")
    axis.legend(loc="lower right")
    axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path)
    return path


def plot_confusion_matrices(matrices: dict[str, Sequence[Sequence[int]]], classes: Sequence, path: Path, *,
                            names: Sequence[str] | None = None) -> Path:
    """One confusion matrix per model: cells coloured by the row rate, with the count and the rate written in.

    ``names`` are the classes as people read them (IMDB's ``negative``, ``positive``); default: the labels.
    The panels fill rows of at most :data:`PANELS_PER_ROW`, so that ten models make two rows, not one strip.
    """
    k = len(classes)
    side = max(3.2, 0.55 * k + 1.6)
    columns = min(len(matrices), PANELS_PER_ROW)
    rows = -(-len(matrices) // columns)
    models = sorted(matrices)
    with drawable_labels([*(names if names is not None else map(str, classes)), *models]) as shown:
        ticks, titles = shown[:k], shown[k:]
        figure = Figure(figsize=(side * columns, (side + 0.3) * rows), dpi=100)
        axes = np.atleast_1d(figure.subplots(rows, columns)).ravel()
        for unused in axes[len(matrices):]:
            unused.set_visible(False)
        for axis, name, title in zip(axes, models, titles):
            matrix = np.asarray(matrices[name], dtype=float)
            rates = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
            axis.imshow(rates, cmap="Blues", vmin=0, vmax=1)
            for (row, col), count in np.ndenumerate(matrix):
                axis.text(col, row, f"{int(count):,}\n{rates[row, col]:.0%}", ha="center", va="center",
                          fontsize=9 if k <= 3 else 7, color="white" if rates[row, col] > 0.5 else "black")
            axis.set(xticks=range(k), yticks=range(k), xlabel="predicted", ylabel="true", title=title)
            axis.set_xticklabels(ticks, rotation=45 if k > 3 else 0, ha="right" if k > 3 else "center")
            axis.set_yticklabels(ticks)
        figure.tight_layout()
        figure.savefig(path)
    return path


def plot_accuracy_vs_time(points: dict[str, tuple[float, float]], path: Path, *,
                          preparation_s: float | None = None, searched: dict[str, float] | None = None) -> Path:
    """Test accuracy against training time (log scale): one marker per model, named in a legend beside the axes.

    The legend cannot overlap the points or each other, however close two models are; the shared text
    preparation, a cost every model pays once, is a dashed vertical line of its own.

    Parameters
    ----------
    points : dict of str to (float, float)
        Each model's fit seconds and test accuracy.
    path : Path
        The PNG to write.
    preparation_s : float, optional
        The shared text preparation's seconds.
    searched : dict of str to float, optional
        The seconds the cross-validated search of a model's settings took. A searched model's marker stands at
        its search and fit together, joined by a dotted line to a hollow marker at its fit alone.

    Returns
    -------
    Path
        ``path``.
    """
    searched = searched or {}
    figure = Figure(figsize=(8.5, 4.5), dpi=100)
    axis = figure.subplots()
    markers = "osD^vP*Xh<>p"
    for i, name in enumerate(sorted(points)):
        seconds, accuracy = points[name]
        search_s = searched.get(name)
        total = seconds + (search_s or 0.0)
        cost = _seconds(total) if search_s is None else f"search {_seconds(search_s)} + fit {_seconds(seconds)}"
        drawn = axis.scatter([max(total, 1e-2)], [accuracy], s=60, marker=markers[i % len(markers)],
                             label=f"{name}: {accuracy:.4f}, {cost}", zorder=3)
        if search_s is not None:
            colour = drawn.get_facecolor()[0]
            axis.plot([max(seconds, 1e-2), max(total, 1e-2)], [accuracy, accuracy], linestyle=":", color=colour,
                      linewidth=1, zorder=2)
            axis.scatter([max(seconds, 1e-2)], [accuracy], s=40, marker=markers[i % len(markers)],
                         facecolors="none", edgecolors=[colour], zorder=3)
    if preparation_s:
        axis.axvline(preparation_s, color="grey", linestyle="--", linewidth=1,
                     label=f"shared text preparation: {_seconds(preparation_s)}")
    axis.set_xscale("log")
    axis.margins(x=0.25, y=0.15)
    xlabel = ("search of the settings and fit (s, log scale; hollow: the fit alone)" if searched
              else "fit time (s, log scale)")
    axis.set(xlabel=xlabel, ylabel="test accuracy", title="Accuracy against training cost")
    axis.grid(alpha=0.3, which="both")
    axis.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0, frameon=False)
    figure.tight_layout()
    figure.savefig(path)
    return path


def _seconds(value: float) -> str:
    return f"{value:,.0f} s" if value >= 10 else f"{value:.2g} s"


def plot_calibration(y_true, probabilities: dict[str, np.ndarray], classes: Sequence, path: Path,
                     bins: int = 10, *, names: Sequence[str] | None = None) -> Path:
    """Reliability diagram: for texts grouped by the model's confidence, how often it was right.

    Two classes: the predicted probability of the second class against the share of texts of that class.
    More: the probability of the predicted class against the share predicted right. The diagonal is perfect
    calibration; each point's size follows how many texts fall in its bin.
    """
    second = [str(names[1] if names is not None else classes[1])] if len(classes) == 2 else []  # IMDB's 1: positive
    with drawable_labels(second) as shown:
        _draw_calibration(y_true, probabilities, classes, path, bins, shown[0] if shown else None)
    return path


def _draw_calibration(y_true, probabilities: dict[str, np.ndarray], classes: Sequence, path: Path, bins: int,
                      second: str | None) -> None:
    figure = Figure(figsize=(6, 6), dpi=100)
    axis = figure.subplots()
    y_true = np.asarray(y_true)
    edges = np.linspace(0, 1, bins + 1)
    for name in sorted(probabilities):
        proba = np.asarray(probabilities[name])
        if len(classes) == 2:
            confidence, hit = proba[:, 1], y_true == classes[1]
        else:
            confidence = proba.max(axis=1)
            hit = np.asarray(classes)[proba.argmax(axis=1)] == y_true
        which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
        counts = np.bincount(which, minlength=bins)
        present = counts > 0
        mean_confidence = np.bincount(which, weights=confidence, minlength=bins)[present] / counts[present]
        share = np.bincount(which, weights=hit.astype(float), minlength=bins)[present] / counts[present]
        line, = axis.plot(mean_confidence, share, marker="o", markersize=3, label=name)
        axis.scatter(mean_confidence, share, s=8 + 120 * counts[present] / counts.sum(), color=line.get_color())
    axis.plot([0, 1], [0, 1], ":", color="grey")
    label = f"predicted P({second})" if len(classes) == 2 else "probability of the predicted class"
    share_label = f"share of texts that are {second}" if len(classes) == 2 else "share predicted right"
    axis.set(xlabel=label, ylabel=share_label, title="Calibration on the test set", xlim=(-0.03, 1.03),
             ylim=(-0.03, 1.03))
    axis.legend(loc="upper left")
    axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path)
