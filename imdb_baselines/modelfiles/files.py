"""Fitted models as folders that load without running code: skops for the baselines, ``.keras`` for Keras, and
a stack's members each in its own folder.

A saved model is a folder holding the model's own files, the package's
``.imdb-baselines`` marker (kind ``model``) and ``manifest.json``: the model's
name and parameters, its classes, the text preparation and stopword list,
the split fingerprint, library versions, its test metrics, and the sha256 of
every file. :func:`load_model` refuses a folder without a manifest, a format
it does not know, a file whose checksum changed, and (for skops files) any
type outside the package's own and scikit-learn's.
"""

from __future__ import annotations

import json
import os
from importlib import metadata
from pathlib import Path
from typing import Any

from imdb_baselines.corpus.download import sha256_of
from imdb_baselines.modelfiles.adapters import TRUSTED_TYPES, adapter_for, adapter_named
from imdb_baselines.modelfiles.errors import ModelFileError
from imdb_baselines.run.calibration import base_model
from imdb_baselines.storage import MARKER, write_folder, write_marker

__all__ = ["FORMAT_VERSION", "MANIFEST", "TRUSTED_TYPES", "ModelFileError", "base_model", "load_model",
           "read_manifest", "save_model", "write_model_files"]

FORMAT_VERSION = 1  # bump when the folder's layout or manifest changes incompatibly
MANIFEST = "manifest.json"
# The kinds of saved model: a Keras network, a scikit-learn model in skops, or a stack of both in member folders.
_KINDS = ("keras", "skops", "stack")


def package_version() -> str:
    """The installed package's version (``0+unknown`` when run from a source tree that is not installed)."""
    try:
        return metadata.version("imdb-baselines")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def save_model(model, path: str | os.PathLike, *, name: str, details: dict[str, Any] | None = None) -> Path:
    """Write a fitted model into the folder ``path`` (absent, empty, or a model this package saved).

    Parameters
    ----------
    model : estimator
        A fitted baseline pipeline or :class:`neural.KerasTextClassifier`.
    path : path
        The model's folder, replaced atomically (see :mod:`imdb_baselines.storage`).
    name : str
        The model's name (e.g. ``nbsvm``).
    details : dict, optional
        More for the manifest: split fingerprint, text preparation, test metrics...

    Returns
    -------
    Path
    """
    return write_folder(path, "model", lambda folder: write_model_files(model, folder, name=name, details=details))


def write_model_files(model, folder: Path, *, name: str, details: dict[str, Any] | None = None) -> int:
    """Write the model's files and manifest into ``folder`` (an empty folder the caller owns); return their bytes."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    adapter = adapter_for(model)
    adapter.write(model, folder)
    kind = adapter.kind
    if not (folder / MARKER).exists():
        write_marker(folder, "model")
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                   if p.is_file() and p.relative_to(folder).as_posix() not in (MARKER, MANIFEST))
    manifest = {
        "package": "imdb-baselines",
        "format": FORMAT_VERSION,
        "package_version": package_version(),
        "name": name,
        "adapter": adapter.name,
        "kind": kind,
        "estimator": type(model).__name__,
        "classes": [c.item() if hasattr(c, "item") else c for c in getattr(model, "classes_", [])],
        "params": {key: _plain(value) for key, value in sorted(model.get_params(deep=False).items())},
        "files": {file: sha256_of(folder / file) for file in files},
        **(details or {}),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True, default=str), encoding="utf-8")
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


#: Where saved models come from, for a message about a folder that holds none.
WHERE_MODELS_ARE = ("Every comparison keeps its models in REPORT/models/NAME; `make demo` trains five on IMDB in a few "
                    "minutes (reports/demo/models/), `make compare` the reference's eight in about an hour.")


def read_manifest(path: str | os.PathLike) -> dict[str, Any]:
    """The manifest of a saved model, checked; raises :class:`ModelFileError` if it is not one."""
    path = Path(path)
    if not path.is_dir():
        raise ModelFileError(f"{path} is not a saved model: {'no such folder' if not path.exists() else 'a file'}. "
                             f"{WHERE_MODELS_ARE}")
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelFileError(f"{path} is not a saved model of imdb-baselines: it has no {MANIFEST}.") from None
    except (OSError, ValueError) as error:
        raise ModelFileError(f"{path / MANIFEST} cannot be read ({error}); the folder is damaged.") from None
    if not isinstance(manifest, dict) or manifest.get("package") != "imdb-baselines":
        raise ModelFileError(f"{path / MANIFEST} is not an imdb-baselines model manifest.")
    if manifest.get("format") != FORMAT_VERSION:
        raise ModelFileError(
            f"{path} was saved in model format {manifest.get('format')!r} by imdb-baselines "
            f"{manifest.get('package_version')}; this version ({package_version()}) reads format {FORMAT_VERSION}. "
            "Use the version that saved it, or train the model again."
        )
    if manifest.get("kind") not in _KINDS:
        raise ModelFileError(f"{path / MANIFEST} names no kind of model this package loads ({manifest.get('kind')!r}; "
                             f"expected one of {', '.join(_KINDS)}); the folder is damaged.")
    files = manifest.get("files")
    if not isinstance(files, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
        raise ModelFileError(f"{path / MANIFEST} does not list its files as names with their sha256; the folder is "
                             "damaged.")
    inside = path.resolve()
    for file, digest in files.items():
        where = (path / file).resolve()
        if Path(file).is_absolute() or where == inside or not where.is_relative_to(inside):
            raise ModelFileError(f"{path / MANIFEST} lists {file!r}, which is not a file of the model's folder; the "
                                 "model is not loaded.")
        if not where.is_file():
            raise ModelFileError(f"{path} is missing {file}, which the model was saved with.")
        if sha256_of(where) != digest:
            raise ModelFileError(f"{path / file} changed after the model was saved (its sha256 differs from the "
                                 "manifest's); it is not loaded. Save or copy the model again.")
    return manifest


def load_model(path: str | os.PathLike, *, trusted: tuple[str, ...] | list[str] = ()):
    """A saved model, ready to predict: a baseline pipeline, the ensemble, a :class:`neural.KerasTextClassifier`,
    a :class:`imdb_baselines.catalog.stacking.ValidationStack` or the user's own estimator.

    Parameters
    ----------
    path : path
        The model's folder (``REPORT/models/NAME``).
    trusted : sequence of str, optional
        Types (``module.Class``) to load beyond the package's and scikit-learn's own, which the user vouches
        for: their own estimators' classes. A skops file holding any other type is refused.

    Raises
    ------
    ModelFileError
        If ``path`` is not a saved model, was saved in another format, was changed after saving, or (skops)
        holds a type outside the package's and scikit-learn's own.
    """
    path = Path(path)
    manifest = read_manifest(path)
    try:
        return _load(path, manifest["kind"], tuple(trusted))
    except ModelFileError:
        raise
    except ImportError as error:
        raise ModelFileError(f"{path} is a {manifest['kind']} model, which needs {error.name or 'a missing package'} "
                             "(pip install 'imdb-baselines[neural]' for Keras models).") from None
    except Exception as error:  # a damaged or hostile file: one line, never a traceback
        reason = " ".join(str(error).split())[:300]
        raise ModelFileError(f"{path} could not be loaded ({type(error).__name__}: {reason}); it is damaged, or "
                             "holds what this package does not load.") from None


def _load(path: Path, kind: str, trusted: tuple[str, ...] = ()):
    return adapter_named(kind).read(path, trusted)


def _plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)
