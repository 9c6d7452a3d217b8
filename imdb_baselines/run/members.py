"""A run's own fits of the Keras models that a later stack of the same run names as members.

``ensemble_region_cnn`` stacks ``ensemble`` and ``region_cnn_unlabelled``. In a comparison that also runs
``region_cnn_unlabelled``, the stack would otherwise train the same network again, on the same texts, with the
same seed and settings: minutes for a copy. The run keeps each such fit, seed by seed, until the last stack
that may take it has run, and offers it to the stacks of that seed; a stack takes it only where its settings
are those it gives the member (:meth:`imdb_baselines.catalog.stacking.ValidationStack.fit`), and counts its
fit seconds as its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from imdb_baselines.catalog import resolved_settings, spec

__all__ = ["FittedMembers"]


class FittedMembers:
    """The fits of a run's Keras models that later stacks of the run may take, by model name and seed.

    Parameters
    ----------
    models : sequence of str
        The run's models, in the order they run.
    settings : mapping of str to dict
        The run's own settings by model (``--set``), which may change a stack's ``members``.

    Examples
    --------
    >>> kept = FittedMembers(["nbsvm", "fasttext", "ensemble_region_cnn"], {})
    >>> kept.wanted
    set()
    >>> FittedMembers(["fasttext", "ensemble_region_cnn"],
    ...               {"ensemble_region_cnn": {"members": ("nbsvm", "fasttext")}}).wanted
    {'fasttext'}
    """

    def __init__(self, models: Sequence[str], settings: Mapping[str, dict[str, Any]]) -> None:
        self._last_taker: dict[str, int] = {}  # a kept model's name: the position of the last stack naming it
        for position, name in enumerate(models):
            if spec(name).kind != "stack":
                continue
            members = resolved_settings(name, settings.get(name)).get("members", ())
            for member in members:
                if member in models[:position] and spec(member).is_neural:
                    self._last_taker[member] = position
        self._kept: dict[tuple[str, int], tuple[Any, float]] = {}

    @property
    def wanted(self) -> set[str]:
        """The names whose fits are kept: Keras models that a later stack names as members."""
        return set(self._last_taker)

    def offer(self, name: str, seed: int, model, seconds: float) -> None:
        """Keep ``model``, ``name`` fitted with ``seed`` in ``seconds``, if a later stack may take it."""
        if name in self._last_taker:
            self._kept[(name, seed)] = (model, seconds)

    def for_seed(self, seed: int) -> dict[str, tuple[Any, float]]:
        """The kept fits of ``seed``: ``{name: (model, seconds)}``."""
        return {name: kept for (name, kept_seed), kept in self._kept.items() if kept_seed == seed}

    def done(self, position: int) -> None:
        """Forget the fits that no stack after the model at ``position`` (0-based) can take."""
        for name in [name for name, last in self._last_taker.items() if last <= position]:
            del self._last_taker[name]
            self._kept = {key: kept for key, kept in self._kept.items() if key[0] != name}
