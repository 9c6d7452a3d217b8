"""Ctrl-C and SIGTERM stop a comparison the same way: finished models are kept and reported.

Inside :func:`stop_on_signals`, SIGINT and SIGTERM raise :class:`RunStopped`
(a ``KeyboardInterrupt``) in the main thread, which the runner catches
between models. Inside :func:`signals_deferred` (while the report is
written) a signal is only noted, so the report is never cut short; it is
raised as soon as the block ends.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Iterator

__all__ = ["ModelTimeoutError", "RunStopped", "signals_deferred", "stop_on_signals", "time_limit"]

logger = logging.getLogger(__name__)

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_state = {"deferred": False, "pending": None}


class RunStopped(KeyboardInterrupt):
    """The run was asked to stop by a signal (Ctrl-C is SIGINT; ``timeout`` and schedulers send SIGTERM)."""

    def __init__(self, signum: int = signal.SIGINT) -> None:
        self.signum = int(signum)
        super().__init__(self.describe())

    @property
    def exit_status(self) -> int:
        """The shell's convention for a process stopped by this signal: 128 + its number."""
        return 128 + self.signum

    def describe(self) -> str:
        """How the run was stopped, in words."""
        if self.signum == signal.SIGINT:
            return "interrupted by the user (Ctrl-C)"
        return f"stopped by {signal.Signals(self.signum).name}"

    @classmethod
    def from_interrupt(cls, interrupt: KeyboardInterrupt) -> RunStopped:
        """A plain ``KeyboardInterrupt`` (Ctrl-C without the handler) as a RunStopped."""
        return interrupt if isinstance(interrupt, RunStopped) else cls(signal.SIGINT)


def _handle(signum, frame) -> None:
    if _state["deferred"]:
        if _state["pending"] is None:
            logger.warning("%s received; finishing the report first", signal.Signals(signum).name)
        _state["pending"] = signum
        return
    raise RunStopped(signum)


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into :class:`RunStopped` for the block (main thread only; else a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, _handle) for signum in _STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold stop signals while the block runs; raise :class:`RunStopped` after it if one came."""
    outer = _state["deferred"]
    _state["deferred"] = True
    try:
        yield
    finally:
        _state["deferred"] = outer
    if not outer and _state["pending"] is not None:
        signum, _state["pending"] = _state["pending"], None
        raise RunStopped(signum)


class ModelTimeoutError(Exception):
    """A model ran past the run's ``--time-limit``; the run goes on with the next model."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"stopped after {seconds:g} s (--time-limit {seconds:g})")


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`ModelTimeoutError` in the block once it has run ``seconds`` (wall clock; None: no limit).

    A timer signal (SIGALRM) interrupts the Python code running when it expires, so a library call that
    holds the interpreter (one liblinear solve, say) is stopped when it returns. Outside the main thread, or
    where the system has no such timer, the block runs without a limit and a warning says so.
    """
    if not seconds:
        yield
        return
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        logger.warning("--time-limit needs the main thread and a timer signal; this model runs without a limit")
        yield
        return

    def expire(signum, frame) -> None:
        raise ModelTimeoutError(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
