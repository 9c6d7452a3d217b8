"""Keras callbacks of the package's training: each epoch's wall time, and the training display."""

from __future__ import annotations

import logging
import time

from neural.backend import load_keras

keras = load_keras()

__all__ = ["EpochProgress", "EpochTimer"]

logger = logging.getLogger(__name__)


class EpochTimer(keras.callbacks.Callback):
    """Keras callback that records each epoch's wall time in ``times`` (seconds)."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def on_epoch_begin(self, epoch, logs=None) -> None:
        self._started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None) -> None:
        self.times.append(time.perf_counter() - self._started)


class EpochProgress(keras.callbacks.Callback):
    """The package's own training display: a bar of batches on standard error (on a terminal) and one log line
    per epoch with its losses and accuracies, instead of Keras' own lines on standard output."""

    def __init__(self, epochs: int) -> None:
        super().__init__()
        self.epochs, self.bar = epochs, None

    def on_epoch_begin(self, epoch, logs=None) -> None:
        from imdb_baselines.corpus.progress import progress_bar

        self._started = time.perf_counter()
        self.bar = progress_bar(total=self.params.get("steps"), desc=f"epoch {epoch + 1}/{self.epochs}",
                                unit=" batches")

    def on_train_batch_end(self, batch, logs=None) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def on_epoch_end(self, epoch, logs=None) -> None:
        if self.bar is not None:
            self.bar.close()
        shown = ", ".join(f"{key} {value:.4f}" for key, value in sorted((logs or {}).items())
                          if isinstance(value, (int, float)))
        logger.info("epoch %d/%d: %s (%.0f s)", epoch + 1, self.epochs, shown, time.perf_counter() - self._started)
