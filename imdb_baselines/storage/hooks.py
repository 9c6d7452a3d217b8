"""A pause point for fault-injection tests: stop a real process at a named step so a test can kill it.

Set ``IMDB_BASELINES_PAUSE_AT=STEP:FLAG_FILE`` in a process's environment;
when it reaches ``pause_point(STEP)`` it creates ``FLAG_FILE`` and sleeps
until it is killed or a signal handler raises. Unset, a pause point costs
one dictionary lookup.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

__all__ = ["pause_point"]

PAUSE_VARIABLE = "IMDB_BASELINES_PAUSE_AT"


def pause_point(step: str) -> None:
    """Pause here if the environment asks to pause at ``step`` (tests only)."""
    spec = os.environ.get(PAUSE_VARIABLE)
    if not spec:
        return
    name, _, flag = spec.partition(":")
    if name != step:
        return
    if flag:
        Path(flag).touch()
    while True:
        time.sleep(0.1)
