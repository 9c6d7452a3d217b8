"""Trained models you can keep: saved folders with a manifest, loaded without running code."""

from imdb_baselines.modelfiles.adapters import ModelAdapter, adapter_for
from imdb_baselines.modelfiles.files import (
    FORMAT_VERSION,
    MANIFEST,
    TRUSTED_TYPES,
    ModelFileError,
    base_model,
    load_model,
    read_manifest,
    save_model,
    write_model_files,
)
from imdb_baselines.modelfiles.predictions import plain_classes, predict_texts
from imdb_baselines.run.calibration import probabilities_from_scores

__all__ = [
    "FORMAT_VERSION",
    "MANIFEST",
    "TRUSTED_TYPES",
    "ModelAdapter",
    "ModelFileError",
    "adapter_for",
    "base_model",
    "plain_classes",
    "predict_texts",
    "probabilities_from_scores",
    "load_model",
    "read_manifest",
    "save_model",
    "write_model_files",
]
