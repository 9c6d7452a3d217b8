"""The committed reference comparison's headline figures, shipped with the package for ``--list-models``.

``reports/reference/`` lives in the project's checkout; an installed package has
only ``reference.json`` beside this module, regenerated from the report with
``python -m imdb_baselines.reference reports/reference/results.json``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["FIGURES", "reference_figures", "summarize"]

FIGURES = Path(__file__).with_name("reference.json")
_KEPT = ("accuracy", "accuracy_ci_low", "accuracy_ci_high", "f1", "roc_auc", "fit_s", "predict_s", "model_mib")


def summarize(results: dict[str, Any]) -> dict[str, Any]:
    """The headline figures of a report's ``results.json``: per model, its accuracy (interval), F1 and costs."""
    provenance = results.get("provenance", {})
    return {"dataset": provenance.get("dataset"), "command": provenance.get("command"),
            "fingerprints": provenance.get("fingerprints"),
            "results": {row["model"]: {key: row.get(key) for key in _KEPT} for row in results["results"]}}


def reference_figures() -> dict[str, dict[str, Any]]:
    """Per model, the reference comparison's figures (IMDB, full data); empty when the file is missing."""
    try:
        return json.loads(FIGURES.read_text(encoding="utf-8"))["results"]
    except (OSError, ValueError, KeyError):
        return {}


if __name__ == "__main__":
    source = Path(sys.argv[1] if len(sys.argv) > 1 else "reports/reference/results.json")
    summary = summarize(json.loads(source.read_text(encoding="utf-8")))
    FIGURES.write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {FIGURES} ({len(summary['results'])} models)")
