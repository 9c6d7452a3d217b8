"""Export folders: written under the package's write rules, described by ``export.json``, run back in Python."""

from __future__ import annotations

import importlib.util
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from imdb_baselines.catalog import CATALOG
from imdb_baselines.modelfiles import ModelFileError, adapter_for, base_model, load_model, read_manifest
from imdb_baselines.modelfiles.files import package_version
from imdb_baselines.storage import write_folder
from neural.backend import keras_backend

__all__ = ["EXPORT_FORMATS", "EXPORT_MANIFEST", "ExportedModel", "export_model", "load_export"]

EXPORT_FORMATS = ("onnx", "savedmodel")
EXPORT_MANIFEST = "export.json"
_ONNX_FILE, _SAVEDMODEL_FOLDER, _EXTERNAL_SUFFIX = "model.onnx", "savedmodel", ".data"


def export_model(model_path: str | os.PathLike, format: str, out: str | os.PathLike, *,  # noqa: A002
                 external_data: bool = False, member: str | None = None) -> Path:
    """Export a kept model so that it takes raw text.

    Parameters
    ----------
    model_path : path
        A saved model folder (``REPORT/models/NAME``, or from :func:`imdb_baselines.modelfiles.save_model`).
    format : {"onnx", "savedmodel"}
        ONNX (every model; run by onnxruntime) or a TensorFlow SavedModel (Keras models).
    out : path
        The export folder: absent, empty, or an export this package wrote (replaced atomically).
    external_data : bool, default=False
        ONNX: keep the weights in ``model.onnx.data`` beside the graph (ONNX's external data), which
        onnxruntime maps from the file, so that a loaded model holds in memory only the weights it reads.
    member : str, optional
        Export this member of the stack saved at ``model_path`` (``ensemble_region_cnn``'s
        ``region_cnn_unlabelled``) rather than the model itself, which does not export.

    Returns
    -------
    Path
        The export folder: ``model.onnx`` or ``savedmodel/``, and ``export.json``.

    Raises
    ------
    ModelFileError
        If ``model_path`` is not a saved model, or ``member`` is given and it holds no stack with that member.
    ValueError
        If the format is unknown, a SavedModel is asked of a baseline, ONNX of an ensemble, or an export of a
        Keras model while Keras runs on a backend other than TensorFlow.
    ModuleNotFoundError
        If ONNX is asked for and the export extra's libraries are not installed.
    storage.TargetError
        If ``out`` holds anything this package did not write as an export.
    """
    if format not in EXPORT_FORMATS:
        raise ValueError(f"Unknown export format {format!r}; choose one of {', '.join(EXPORT_FORMATS)}.")
    manifest = read_manifest(model_path)
    name = manifest["name"]
    if format == "savedmodel" and manifest["kind"] == "skops":
        raise ValueError(f"{name} is a scikit-learn baseline; a TensorFlow SavedModel is only made of the Keras "
                         "models. Export it with --format onnx.")
    model = load_model(model_path)
    if member is not None:
        model, name = _member(model, member, model_path), member
    adapter = adapter_for(model)
    if format not in adapter.exports:
        members = [n for n, _ in getattr(model, "members_", None) or ()]
        advice = (f"export one of its members ({', '.join(members)}) with member= (imdb-export --member NAME)"
                  if members else "export one of its members' own runs")
        raise ValueError(f"{name} is a {type(base_model(model)).__name__} of several models; only single models "
                         f"export to {'ONNX' if format == 'onnx' else 'a SavedModel'}. Serve it with imdb-serve, or "
                         f"{advice}.")
    if name in CATALOG and format not in CATALOG[name].exports:  # the catalogue says what each named model exports
        raise ValueError(f"{name} does not export to {format}; its formats: {', '.join(CATALOG[name].exports)}.")
    if adapter.kind == "keras" and keras_backend() != "tensorflow":  # both formats trace the network in TensorFlow
        raise ValueError(f"{name} is a Keras model, and its exports are traced by TensorFlow while Keras runs on "
                         f"{keras_backend()!r}. Export it with KERAS_BACKEND=tensorflow (the saved model is the "
                         "same on every backend).")
    libraries = ("onnx", "onnxruntime", *(("tf2onnx",) if adapter.kind == "keras" else ())) if format == "onnx" else ()
    missing = [library for library in libraries if importlib.util.find_spec(library) is None]
    if missing:
        raise ModuleNotFoundError(f"Exporting {name} to ONNX needs {' and '.join(missing)}, not installed: "
                                  "pip install 'imdb-baselines[export]'", name=missing[0])

    def fill(folder: Path) -> None:
        started = time.perf_counter()
        if format == "onnx":
            import onnx

            if adapter.kind == "keras":
                from imdb_baselines.exports.onnx_keras import keras_onnx

                proto = keras_onnx(model, name)
            else:
                from imdb_baselines.exports.onnx_linear import linear_onnx

                proto = linear_onnx(model, name)
            onnx.save_model(proto, folder / _ONNX_FILE, save_as_external_data=external_data,
                            location=_ONNX_FILE + _EXTERNAL_SUFFIX if external_data else None)
        else:
            from imdb_baselines.exports.savedmodel import keras_savedmodel

            keras_savedmodel(model, folder / _SAVEDMODEL_FOLDER, name)
        description = {
            "format": format, "file": _ONNX_FILE if format == "onnx" else _SAVEDMODEL_FOLDER,
            "weights": _ONNX_FILE + _EXTERNAL_SUFFIX if format == "onnx" and external_data else None,
            "model": name, "classes": manifest["classes"], "source": str(Path(model_path).resolve()),
            "member_of": manifest["name"] if member is not None else None,
            "source_files": manifest.get("files"), "text_preparation": manifest.get("text_preparation"),
            "test_metrics": manifest.get("test_metrics") if member is None else None,
            "package_version": package_version(),
            "input": "text: (N,) UTF-8 strings, raw",
            "outputs": {"label": "(N,) the class, as a string", "label_index": "(N,) its position in classes",
                        "scores": "the model's decision values", "probabilities": "(N, k), where the model has them"},
            "seconds": round(time.perf_counter() - started, 1),
        }
        (folder / EXPORT_MANIFEST).write_text(json.dumps(description, indent=1, default=str), encoding="utf-8")

    return write_folder(out, "export", fill)


def _member(model, member: str, model_path) -> Any:
    """The member named ``member`` of the stack ``model`` loaded from ``model_path``."""
    members = dict(getattr(model, "members_", None) or ())
    if member not in members:
        held = f"its members: {', '.join(members)}" if members else "it is not a stack of models"
        raise ModelFileError(f"{model_path} holds no member {member!r} ({held}).")
    return members[member]


@dataclass
class ExportedModel:
    """An export, loaded into its runtime; :meth:`predict` takes raw texts."""

    path: Path
    format: str
    classes: list
    _run: Any

    def predict(self, texts: list[str]) -> dict[str, np.ndarray]:
        """``label``, ``label_index``, ``scores`` and (where the model has them) ``probabilities``."""
        if isinstance(texts, str) or not len(texts):
            raise ValueError("texts must be a non-empty list of strings")
        return self._run(list(texts))


def load_export(path: str | os.PathLike, *, memory_arena: bool = True) -> ExportedModel:
    """Load an export folder written by :func:`export_model` (onnxruntime or TensorFlow).

    ``memory_arena=False`` turns off onnxruntime's arena, which keeps the most memory any call needed for the
    next: a long-running service then holds what its models hold, not their largest request's peak.
    """
    path = Path(path)
    try:
        description = json.loads((path / EXPORT_MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ModelFileError(f"{path} is not an export of imdb-baselines (no readable {EXPORT_MANIFEST}).") from None
    if description["format"] == "onnx":
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.enable_cpu_mem_arena = memory_arena
        session = onnxruntime.InferenceSession(str(path / _ONNX_FILE), options, providers=["CPUExecutionProvider"])
        names = [o.name for o in session.get_outputs()]

        def run(texts: list[str]) -> dict[str, np.ndarray]:
            return dict(zip(names, session.run(None, {"text": np.asarray(texts, dtype=object)})))
    else:
        import tensorflow as tf

        serve = tf.saved_model.load(str(path / _SAVEDMODEL_FOLDER)).signatures["serving_default"]

        def run(texts: list[str]) -> dict[str, np.ndarray]:
            outputs = {k: v.numpy() for k, v in serve(text=tf.constant(texts)).items()}
            outputs["label"] = outputs["label"].astype(str)
            return outputs
    return ExportedModel(path=path, format=description["format"], classes=description["classes"], _run=run)
