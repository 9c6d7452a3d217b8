"""Keras models answered by onnxruntime, so that a service holds no TensorFlow (``imdb-serve --keras-runtime onnx``).

Importing TensorFlow alone takes about 690 MiB of a service's memory. With ``--keras-runtime onnx`` each
Keras model is converted once to its raw-text ONNX graph (:func:`imdb_baselines.exports.export_model`, the
export ``imdb-export`` writes and checks against the model), in a process of its own that exits when done,
and kept in the package's cache folder under the model files' checksums, its weights beside the graph
(``export_model(..., external_data=True)``), which onnxruntime maps from the file rather than copying; the
service then loads the graph into onnxruntime and never imports TensorFlow. The graph's text preparation is
Python's except on the rare inputs ``README.md`` lists under "Exporting"; on the 25,000 IMDB test reviews
every label is the same.
"""

from __future__ import annotations

import hashlib
import json
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

from imdb_baselines.corpus import default_cache_dir
from imdb_baselines.modelfiles import ModelFileError, read_manifest
from imdb_baselines.modelfiles.files import package_version

__all__ = ["KERAS_RUNTIMES", "OnnxNetwork", "onnx_network"]

logger = logging.getLogger(__name__)

KERAS_RUNTIMES = ("keras", "onnx")
#: Part of a cached graph's key, raised whenever the export writes a different graph for the same model, so that
#: a service converts its models again rather than answer with a graph cached before.
_GRAPH_VERSION = 2
_CONVERSION_LIMIT_S = 1800


class OnnxNetwork:
    """A kept Keras model's raw-text ONNX graph in onnxruntime, answering as the model does.

    Parameters
    ----------
    exported : imdb_baselines.exports.ExportedModel
        The loaded ONNX export.
    """

    def __init__(self, exported) -> None:
        self.exported = exported
        self.classes_ = np.asarray(exported.classes)

    def predict_proba(self, texts) -> np.ndarray:
        """Class probabilities, shape (n_texts, n_classes), columns in the order of ``classes_``."""
        return np.asarray(self.exported.predict(list(texts))["probabilities"], dtype=np.float64)

    def predict(self, texts) -> np.ndarray:
        """Class labels of ``texts``."""
        return self.classes_[self.predict_proba(texts).argmax(axis=1)]

    def decision_function(self, texts) -> np.ndarray:
        """As the Keras model's: two classes, log-odds of ``classes_[1]``; more, log-probabilities (what a stack
        of models reads from its members)."""
        proba = np.clip(self.predict_proba(texts), 1e-7, 1 - 1e-7)
        return np.log(proba[:, 1] / proba[:, 0]) if proba.shape[1] == 2 else np.log(proba)


def onnx_network(folder: str | Path, member: str | None = None, *,
                 manifest: dict[str, Any] | None = None) -> OnnxNetwork:
    """The Keras model kept in ``folder`` as an :class:`OnnxNetwork`, converted on first use and cached.

    ``member`` names a Keras member of the stack kept in ``folder`` instead (``imdb-export --member``).
    ``manifest`` is the folder's manifest, already read and its files checked by
    :func:`imdb_baselines.modelfiles.read_manifest` (a stack's members share one; default: read and check it here).

    Raises
    ------
    ModelFileError
        If ``folder`` holds no Keras model (no stack with that member), or the conversion fails (its last lines
        are in the message).
    """
    from imdb_baselines.exports import load_export

    folder = Path(folder)
    manifest = read_manifest(folder) if manifest is None else manifest
    if manifest.get("kind") != ("keras" if member is None else "stack"):
        raise ModelFileError(f"{folder} holds a {manifest.get('kind')} model, not a Keras one"
                             f"{'' if member is None else ' with members'}.")
    key = hashlib.sha256(json.dumps({"files": manifest.get("files"), "version": package_version(),
                                     "weights": "external", "graph": _GRAPH_VERSION,
                                     **({"member": member} if member else {})},
                                    sort_keys=True).encode()).hexdigest()
    name = manifest["name"] if member is None else f"{manifest['name']}.{member}"
    target = default_cache_dir() / "onnx" / f"{name}-{key[:24]}"
    if not (target / "export.json").is_file():
        logger.info("Converting %s to ONNX once, in a process of its own (cached in %s)", name, target)
        target.parent.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "imdb_baselines.cli.export", "--model", str(folder.resolve()), "--format",
                   "onnx", "--out", str(target), "--external-data", *(["--member", member] if member else [])]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=_CONVERSION_LIMIT_S)
        except subprocess.TimeoutExpired:
            raise ModelFileError(f"Converting {folder} to ONNX took over {_CONVERSION_LIMIT_S} s.") from None
        if done.returncode != 0:
            tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-3:])
            raise ModelFileError(f"{folder} could not be converted to ONNX: {tail}")
    return OnnxNetwork(load_export(target, memory_arena=False))
