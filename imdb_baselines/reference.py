"""The committed reference comparison's headline figures, shipped with the package for ``--list-models``.

``reports/reference/`` lives in the project's checkout; an installed package has
only ``reference.json`` beside this module, regenerated from the report with
``python -m imdb_baselines.reference reports/reference/results.json``.
"""

from __future__ import annotations

import copy
import functools
import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["FIGURES", "reference_figures", "settings_since", "summarize"]

FIGURES = Path(__file__).with_name("reference.json")
_KEPT = ("accuracy", "accuracy_ci_low", "accuracy_ci_high", "f1", "roc_auc", "fit_s", "predict_s", "model_mib")


def summarize(results: dict[str, Any]) -> dict[str, Any]:
    """The headline figures of a report's ``results.json``: per model, its accuracy (interval), F1 and costs, and
    the settings it ran with."""
    provenance = results.get("provenance", {})
    settings = provenance.get("model_settings") or {}
    return {"dataset": provenance.get("dataset"), "command": provenance.get("command"),
            "fingerprints": provenance.get("fingerprints"),
            "results": {row["model"]: {key: row.get(key) for key in _KEPT} for row in results["results"]},
            "settings": {row["model"]: settings.get(row["model"]) for row in results["results"]}}


def reference_figures() -> dict[str, dict[str, Any]]:
    """Per model, the reference comparison's figures (IMDB, full data); empty when the file is missing. A copy:
    a caller that changes it changes nothing a later call returns."""
    return copy.deepcopy(_shipped().get("results", {}))


def settings_since(name: str, catalogue_settings: dict[str, Any]) -> list[str]:
    """The catalogue's own settings of ``name`` that the reference comparison ran with another value (or
    without), as ``key=value``: a figure of the reference then describes an earlier form of the model.

    Examples
    --------
    >>> settings_since("nbsvm", {})
    []
    """
    recorded = _shipped().get("settings", {}).get(name)
    if recorded is None:
        return []
    return [f"{key}={value!r}" for key, value in catalogue_settings.items()
            if key not in recorded or recorded[key] != json.loads(json.dumps(value))]


@functools.lru_cache(maxsize=1)
def _shipped() -> dict[str, Any]:
    """``reference.json``, read once; empty when it is missing or unreadable."""
    try:
        shipped = json.loads(FIGURES.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return shipped if isinstance(shipped, dict) else {}


if __name__ == "__main__":
    source = Path(sys.argv[1] if len(sys.argv) > 1 else "reports/reference/results.json")
    summary = summarize(json.loads(source.read_text(encoding="utf-8")))
    from imdb_baselines.storage import atomic_file

    with atomic_file(FIGURES, "w", encoding="utf-8") as out:  # the package's own file, replaced whole
        out.write(json.dumps(summary, indent=1, sort_keys=True) + "\n")
    print(f"wrote {FIGURES} ({len(summary['results'])} models)")
