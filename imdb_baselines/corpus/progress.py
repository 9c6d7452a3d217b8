"""Progress bars for the long steps (parsing, tokenizing, each model, intervals), on a terminal only.

Bars go to standard error through tqdm, and show nothing when standard
error is not a terminal or after ``show_progress(False)`` (``--quiet``).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from tqdm.auto import tqdm

__all__ = ["Stage", "progress_bar", "show_progress", "stage"]

_state = {"enabled": True}


def show_progress(enabled: bool) -> None:
    """Turn every progress bar of the package on (on a terminal) or off."""
    _state["enabled"] = bool(enabled)


def progress_bar(iterable=None, total: int | None = None, desc: str = "", unit: str = "it", **options) -> tqdm:
    """A tqdm bar (over ``iterable`` if given) that is silent when progress is off or not on a terminal."""
    return tqdm(iterable, total=total, desc=desc, unit=unit, leave=False, dynamic_ncols=True,
                disable=None if _state["enabled"] else True, **options)


class Stage:
    """A step shown as ``PREFIX: PHASE  ELAPSED``; :meth:`phase` moves it on."""

    def __init__(self, bar: tqdm, prefix: str) -> None:
        self.bar, self.prefix = bar, prefix

    def phase(self, text: str) -> None:
        """Show that the step is now ``text``."""
        if not self.bar.disable:
            self.bar.set_description_str(f"{self.prefix}: {text}")


@contextlib.contextmanager
def stage(prefix: str, phase: str, interval: float = 0.5, companions: tuple[tqdm, ...] = ()) -> Iterator[Stage]:
    """A bar for a step with no countable progress: its elapsed time (and the ``companions``' bars) tick."""
    bar = progress_bar(desc=f"{prefix}: {phase}", bar_format="{desc} {elapsed}")
    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(interval):
            for each in (*companions, bar):
                each.refresh()

    ticker = threading.Thread(target=tick, daemon=True)
    if not bar.disable:
        ticker.start()
    try:
        yield Stage(bar, prefix)
    finally:
        stop.set()
        if ticker.is_alive():
            ticker.join()
        bar.close()
