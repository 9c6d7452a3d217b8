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

__all__ = [
    "FORMAT_VERSION",
    "MANIFEST",
    "TRUSTED_TYPES",
    "ModelFileError",
    "base_model",
    "load_model",
    "read_manifest",
    "save_model",
    "write_model_files",
]
