"""Training curves like the tutorial's: accuracy and loss, training against validation."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

__all__ = ["plot_history"]


def plot_history(history: Mapping[str, Sequence[float]], path: str | os.PathLike, *, title: str = "") -> Path:
    """Save accuracy and loss curves per epoch as a PNG.

    Parameters
    ----------
    history : mapping
        ``KerasTextClassifier.history_`` (or Keras' ``History.history``):
        ``accuracy``, ``loss`` and, if validated, ``val_accuracy``, ``val_loss``.
    path : path
        The PNG file to write.
    title : str, optional
        Figure title, e.g. the model's name.

    Returns
    -------
    Path
    """
    missing = {"accuracy", "loss"} - set(history)
    if missing:
        raise ValueError(f"history lacks {sorted(missing)}; pass a fitted model's history_.")
    figure = Figure(figsize=(10, 4), dpi=100)
    for axis, metric in zip(figure.subplots(1, 2), ("accuracy", "loss")):
        epochs = range(1, len(history[metric]) + 1)
        axis.plot(epochs, history[metric], "o-", label=f"training {metric}")
        if f"val_{metric}" in history:
            axis.plot(epochs, history[f"val_{metric}"], "s--", label=f"validation {metric}")
        axis.set_xlabel("epoch")
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        axis.set_ylabel(metric)
        axis.set_title(f"{title} {metric}".strip())
        axis.grid(alpha=0.3)
        axis.legend()
    figure.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    return path
