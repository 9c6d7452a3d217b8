"""The models a service answers with: loaded once, with what the report measured about each."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imdb_baselines.catalog import CATALOG
from imdb_baselines.corpus import plain_label
from imdb_baselines.modelfiles import MANIFEST, ModelAdapter, ModelFileError, adapter_for, load_model, plain_classes
from imdb_baselines.modelfiles.adapters import adapter_named
from imdb_baselines.modelfiles.files import WHERE_MODELS_ARE, read_manifest
from imdb_baselines.serving.networks import KERAS_RUNTIMES, OnnxNetwork, onnx_network

__all__ = ["Catalog", "ServedModel", "load_catalog"]

logger = logging.getLogger(__name__)

_METRICS = ("accuracy", "precision", "recall", "f1", "roc_auc")


@dataclass
class ServedModel:
    """One loaded model and its description for ``GET /models``."""

    name: str
    model: Any
    classes: list
    adapter: ModelAdapter  # how this kind of model is scored and explained
    description: dict[str, Any]

    @property
    def linear(self) -> bool:
        """A bag-of-n-grams model whose predictions can be explained by n-gram contributions."""
        return self.adapter.explains


@dataclass
class Catalog:
    """Every model of a report folder (or one saved model), the ones that failed to load, and the report."""

    folder: Path
    models: dict[str, ServedModel] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)  # model name -> why it did not load
    report: dict[str, Any] | None = None  # results.json of the comparison, when serving a report folder
    figures: dict[str, Path] = field(default_factory=dict)  # file name -> path of the report's figures
    dataset: str | None = None  # the data set the models were trained on
    examples: list[dict[str, Any]] = field(default_factory=list)  # a short test text of each class, to try

    @property
    def classes(self) -> list:
        """The classes the models share (the first model's)."""
        return next(iter(self.models.values())).classes if self.models else []


def _read_report(folder: Path) -> dict[str, Any] | None:
    try:
        return json.loads((folder / "results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _row(report: dict[str, Any] | None, name: str) -> dict[str, Any]:
    for row in (report or {}).get("results", []):
        if row.get("model") == name:
            return row
    return {}


def _describe(name: str, folder: Path, manifest: dict[str, Any], report: dict[str, Any] | None) -> dict[str, Any]:
    """Settings, test metrics with their intervals, fit time and saved size of one model."""
    row = _row(report, name)
    settings = ((report or {}).get("provenance", {}).get("model_settings", {}).get(name)
                or manifest.get("params", {}))
    metrics = {}
    for metric in _METRICS:
        value = row.get(metric, manifest.get("test_metrics", {}).get(metric))
        if value is not None:
            metrics[metric] = {"value": value, "ci_low": row.get(f"{metric}_ci_low"),
                               "ci_high": row.get(f"{metric}_ci_high")}
    calibration = (report or {}).get("calibration", {}).get(name, {})
    entry = CATALOG.get(name)
    return {
        "name": name,
        "summary": entry.description if entry else None,  # the catalogue's line, for a model it names
        "estimator": manifest.get("estimator"),
        "settings": settings,
        "classes": manifest.get("classes"),
        "text_preparation": manifest.get("text_preparation"),
        "test_metrics": metrics,
        "brier": calibration.get("brier"),
        "probabilities": calibration.get("probabilities"),
        "fit_s": row.get("fit_s"),
        "saved_bytes": sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()),
    }


def _examples(predictions: Path, longest: int = 280) -> list[dict[str, Any]]:
    """One short test text of each class from a report's ``predictions.csv`` (the first in its order), so the
    page offers texts of the data set it serves."""
    try:
        import pandas as pd

        table = pd.read_csv(predictions, usecols=["label", "text"], keep_default_na=False)
    except (OSError, ValueError):
        return []
    short = table[table["text"].str.len().between(20, longest)]
    return [{"label": plain_label(label), "text": str(rows["text"].iloc[0])}
            for label, rows in short.groupby("label", sort=True)]


def _stack_with_onnx_members(folder: Path, trusted) -> Any:
    """The stack kept in ``folder`` with each Keras member answered by its ONNX graph (converted once, cached),
    once its manifest and files are checked (:func:`imdb_baselines.modelfiles.read_manifest`)."""
    manifest = read_manifest(folder)
    return adapter_named("stack").read(folder, tuple(trusted), read_member=lambda name, kind: (
        onnx_network(folder, member=name, manifest=manifest) if kind == "keras" else None))


def _runtime(model) -> str:
    """What answers for a served model: onnxruntime, Python, or Python with a stack's Keras members in onnxruntime."""
    if isinstance(model, OnnxNetwork):
        return "onnxruntime"
    members = [member for _, member in getattr(model, "members_", None) or ()]
    return "python, its Keras members in onnxruntime" if any(isinstance(m, OnnxNetwork) for m in members) else \
        "python"


def load_catalog(path: str | os.PathLike, trusted: tuple[str, ...] | list[str] = (), *,
                 keras_runtime: str = "keras") -> Catalog:
    """Load every model of a report folder (``PATH/models/*``) or the one saved model at ``path``.

    A model that fails to load is logged and listed in :attr:`Catalog.failures`; the others are served.
    ``trusted`` names types to load beyond the package's and scikit-learn's own (the user's own estimators';
    :func:`imdb_baselines.modelfiles.load_model`). ``keras_runtime="onnx"`` answers the Keras models with
    their ONNX graphs in onnxruntime, without TensorFlow (:mod:`imdb_baselines.serving.networks`).

    Raises
    ------
    ModelFileError
        If ``path`` is neither a saved model nor a report folder with saved models.
    """
    if keras_runtime not in KERAS_RUNTIMES:
        raise ValueError(f"keras_runtime must be one of {', '.join(KERAS_RUNTIMES)}. Got {keras_runtime!r}.")
    path = Path(path)
    if (path / MANIFEST).is_file():
        folders, report_folder = [path], None
    elif (path / "models").is_dir():
        folders = sorted(p for p in (path / "models").iterdir() if p.is_dir() and not p.name.startswith("."))
        report_folder = path
    else:
        raise ModelFileError(f"{path} is neither a saved model (no {MANIFEST}) nor a report folder with saved models "
                             f"(no models/ folder). {WHERE_MODELS_ARE}")
    report = _read_report(report_folder) if report_folder else None
    catalog = Catalog(folder=path, report=report, dataset=(report or {}).get("provenance", {}).get("dataset"))
    if report_folder:
        catalog.figures = {p.name: p for p in sorted(report_folder.glob("*.png"))}
        catalog.examples = _examples(report_folder / "predictions.csv")
    for folder in folders:
        try:  # whatever goes wrong with one model's folder is that model's failure, never the service's
            manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            if keras_runtime == "onnx" and manifest.get("kind") == "keras":
                model, adapter = onnx_network(folder), adapter_named("keras")
            elif keras_runtime == "onnx" and manifest.get("kind") == "stack":  # its Keras members in onnxruntime
                model = _stack_with_onnx_members(folder, trusted)
                adapter = adapter_for(model)
            else:
                model = load_model(folder, trusted=trusted)
                adapter = adapter_for(model)
            name = str(manifest.get("name") or folder.name)
            served = ServedModel(name=name, model=model, classes=plain_classes(model), adapter=adapter,
                                 description=_describe(name, folder, manifest, report))
            served.description["runtime"] = _runtime(model)
        except Exception as error:
            reason = str(error) if isinstance(error, ModelFileError) else f"{type(error).__name__}: {error}"
            catalog.failures[folder.name] = reason
            logger.error("Model %s not served: %s", folder.name, reason)
            continue
        catalog.models[name] = served
        catalog.dataset = catalog.dataset or manifest.get("dataset")
        logger.info("Serving %s", name)
    if not catalog.models:
        reasons = "; ".join(f"{n}: {why}" for n, why in catalog.failures.items()) or "no model folders"
        raise ModelFileError(f"No model in {path} could be loaded ({reasons}).")
    return catalog
