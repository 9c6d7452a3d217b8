"""Trained models you can keep: saved folders with a manifest, loaded without running code."""

from modelfiles.files import (
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
from modelfiles.predictions import plain_classes, predict_texts, probabilities_from_scores

__all__ = [
    "FORMAT_VERSION",
    "MANIFEST",
    "TRUSTED_TYPES",
    "ModelFileError",
    "base_model",
    "plain_classes",
    "predict_texts",
    "probabilities_from_scores",
    "load_model",
    "read_manifest",
    "save_model",
    "write_model_files",
]
