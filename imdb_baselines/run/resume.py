"""What a stopped comparison keeps so that ``--resume`` can finish it: each finished model's results, stored
in the report folder's ``resume/`` beside what the run was (its data, split, settings, code and library versions).

A stopped run writes its report with the models that finished (:mod:`imdb_baselines.comparison`) and,
with it, their results in ``resume/`` (JSON and a NumPy archive, no pickle). A later run on the same folder
with ``resume=True`` takes each of those models from there instead of fitting it again, provided the run
is the same one: the same data, split fingerprints, options, code and library versions (anything else is
refused, naming what changed) and the same settings and grid for that model (a model whose own settings
changed is fitted again). The report of a resumed run says which models it carried over.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.metadata
import importlib.util
import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from imdb_baselines import corpus
from imdb_baselines.run.results import Fold, ModelResult, Preparation, RunConfig
from imdb_baselines.run.tuning import Tuning
from neural.backend import keras_backend

__all__ = ["RESUME_FOLDER", "Resumed", "load_resumed", "run_identity", "save_resumable"]

logger = logging.getLogger(__name__)

#: The folder of a stopped run's report that holds what ``--resume`` needs.
RESUME_FOLDER = "resume"
_STATE, _ARRAYS = "state.json", "arrays.npz"
_FORMAT = 1
_PACKAGES = ("imdb_baselines", "baselines", "neural")  # the code whose results are kept
_LIBRARIES = ("numpy", "scipy", "scikit-learn", "pandas", "keras", "tensorflow", "jax", "torch", "gensim", "pyspark")
_NOT_IDENTITY = {"out", "command", "models", "settings", "grids", "jobs", "time_limit", "sort_by"}
_TYPES = {cls.__name__: cls for cls in (ModelResult, Fold, Tuning, Preparation)}


@dataclass
class Resumed:
    """The models a stopped run finished, per stopword list, ready to be reported again."""

    results: dict[str, dict[str, ModelResult]] = field(default_factory=dict)  # stopwords -> name -> result
    preparations: dict[str, Preparation] = field(default_factory=dict)  # stopwords -> its shared preparation
    commands: list[str] = field(default_factory=list)  # the command lines of the runs they come from

    def names(self, stopwords: str) -> list[str]:
        """The models carried over on ``stopwords``' split."""
        return list(self.results.get(stopwords, {}))


def run_identity(config: RunConfig, data: corpus.TextCorpus, splits: dict[str, corpus.Splits]) -> dict[str, Any]:
    """What must be the same for a stopped run's results to stand in a new run: the data's checksum, each
    split's fingerprint, the options that shape every model (not the model list, each model's own settings,
    the report folder or how many folds run at a time), the stopword lists, the code, the libraries and the
    backend Keras runs on."""
    options = {k: v for k, v in asdict(config).items() if k not in _NOT_IDENTITY}
    options["neural_overrides"] = {k: v for k, v in config.neural_overrides.items() if k != "verbose"}  # --quiet
    return _plain({
        "options": options,
        "data_sha256": data.sha256,
        "fingerprints": {name: s.fingerprint for name, s in splits.items()},
        "stopwords": {name: corpus.get_stopwords(name).describe() for name in splits},
        "code": code_digest(),
        "libraries": {name: _installed(name) for name in _LIBRARIES},
        "keras_backend": keras_backend(),
    })


def model_identity(config: RunConfig, name: str) -> dict[str, Any]:
    """What must be the same for one model's result to be carried over: its own settings and grid."""
    return _plain({"settings": config.settings.get(name) or {}, "grid": config.grids.get(name) or {}})


def code_digest() -> str:
    """A checksum of every Python file of the package (``imdb_baselines``, ``baselines``, ``neural``)."""
    digest = hashlib.sha256()
    for package in _PACKAGES:
        found = importlib.util.find_spec(package)
        for root in (found.submodule_search_locations or []) if found else []:
            root = Path(root)
            for path in sorted(root.rglob("*.py")):
                digest.update(f"{package}/{path.relative_to(root).as_posix()}\0".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def save_resumable(folder: Path, identity: dict[str, Any], config: RunConfig,
                   by_list: dict[str, list[ModelResult]], preparations: dict[str, Preparation],
                   commands: list[str]) -> bool:
    """Write the finished models of a stopped run into ``folder`` (the staging report's ``resume/``).

    The user's own estimators are left out: their code is not the package's, so nothing says it is unchanged.
    Returns whether it was written; a result that cannot be stored (labels of mixed types) only costs the
    resume, never the report, and is logged.
    """
    from imdb_baselines.catalog import spec

    encoder = _Encoder()
    try:
        models = {stopwords: {r.name: {"identity": model_identity(config, r.name), "result": encoder.encode(r)}
                              for r in results if r.status == "ok" and not spec(r.name).is_custom}
                  for stopwords, results in by_list.items()}
        state = {"format": _FORMAT, "identity": identity, "commands": commands, "models": models,
                 "preparations": {k: encoder.encode(v) for k, v in preparations.items()}}
        text = json.dumps(state, indent=1)
    except TypeError as error:
        logger.warning("The finished models could not be kept for --resume (%s); the report is written", error)
        return False
    folder.mkdir()
    (folder / _STATE).write_text(text + "\n", encoding="utf-8")
    np.savez_compressed(folder / _ARRAYS, **encoder.arrays)
    return True


def load_resumed(report: Path, identity: dict[str, Any], config: RunConfig) -> Resumed:
    """The models of the stopped run whose report is ``report`` that may stand in this run.

    Nothing (with a log line) where ``report`` holds no stopped run; a model whose own settings changed,
    or whose files were to be kept and are missing, is left to be fitted again.

    Raises
    ------
    ValueError
        If the stopped run differs from this one in data, split, options, code or libraries (naming what
        differs), or its ``resume/`` cannot be read.
    """
    folder = report / RESUME_FOLDER
    if not (folder / _STATE).is_file():
        logger.info("%s holds no stopped run to resume: every model runs", report)
        return Resumed()
    try:
        state = json.loads((folder / _STATE).read_text(encoding="utf-8"))
        with np.load(folder / _ARRAYS, allow_pickle=False) as stored:
            arrays = {key: stored[key] for key in stored.files}
    except (OSError, ValueError) as error:
        raise ValueError(f"The stopped run in {report} cannot be resumed: {folder} is unreadable ({error}). "
                         "Run again without --resume.") from None
    if state.get("format") != _FORMAT:
        raise ValueError(f"The stopped run in {report} was kept by another version of imdb-baselines; run again "
                         "without --resume.")
    changed = sorted(_differences(state["identity"], identity))
    if changed:
        raise ValueError(f"The stopped run in {report} is not this run: {', '.join(changed)} changed. Give its "
                         "command again (see its report's provenance), or run without --resume to start afresh.")
    try:
        return _decoded(state, _Decoder(arrays), report, config)
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"The stopped run in {report} cannot be resumed: {folder / _STATE} is damaged ({error!r}). "
                         "Run again without --resume.") from None


def _decoded(state: dict[str, Any], decoder: _Decoder, report: Path, config: RunConfig) -> Resumed:
    resumed = Resumed(commands=list(state.get("commands", [])))
    for stopwords, models in state["models"].items():
        for name, kept in models.items():
            if name not in config.models:
                continue
            if kept["identity"] != model_identity(config, name):
                logger.info("%s: its settings changed since the stopped run; it is fitted again", name)
                continue
            if config.save_models and stopwords == config.stopwords[0] and not (report / "models" / name).is_dir():
                logger.info("%s: its model files are missing from %s; it is fitted again", name, report)
                continue
            resumed.results.setdefault(stopwords, {})[name] = decoder.decode(kept["result"])
    resumed.preparations = {k: decoder.decode(v) for k, v in state["preparations"].items()}
    for stopwords in resumed.results:
        logger.info("Resuming the stopped run in %s: %s (stopwords: %s) carried over", report,
                    ", ".join(resumed.names(stopwords)), stopwords)
    return resumed


def _differences(old: Any, new: Any, path: str = "") -> list[str]:
    """The dotted names at which two identities differ."""
    if isinstance(old, dict) and isinstance(new, dict):
        return [found for key in sorted(set(old) | set(new))
                for found in _differences(old.get(key), new.get(key), f"{path}.{key}" if path else key)]
    return [] if old == new else [path or "everything"]


def _installed(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def _plain(value: Any) -> Any:
    """``value`` as JSON gives it back (tuples as lists, paths as strings), so that identities compare alike."""
    return json.loads(json.dumps(value, default=str, sort_keys=True))


class _Encoder:
    """Results as JSON, arrays set aside for one ``.npz`` file (no object arrays, so no pickle)."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def encode(self, value: Any) -> Any:
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, np.generic):
            return value.item()
        if isinstance(value, (int, float)):
            return value
        if isinstance(value, np.ndarray):
            return {"__array__": self._array(value)}
        if dataclasses.is_dataclass(value) and type(value).__name__ in _TYPES:
            return {"__type__": type(value).__name__,
                    "fields": {f.name: self.encode(getattr(value, f.name)) for f in dataclasses.fields(value)}}
        if isinstance(value, tuple):
            return {"__tuple__": [self.encode(v) for v in value]}
        if isinstance(value, list):
            return [self.encode(v) for v in value]
        if isinstance(value, dict):
            return {"__dict__": [[self.encode(k), self.encode(v)] for k, v in value.items()]}
        raise TypeError(f"a {type(value).__name__} cannot be stored")

    def _array(self, value: np.ndarray) -> str:
        if value.dtype == object:
            plain = np.asarray(value.tolist())
            if plain.dtype == object or plain.tolist() != value.tolist():
                raise TypeError("an array of mixed types cannot be stored without pickle")
            value = plain
        key = f"a{len(self.arrays)}"
        self.arrays[key] = value
        return key


class _Decoder:
    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.arrays = arrays

    def decode(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.decode(v) for v in value]
        if not isinstance(value, dict):
            return value
        if "__array__" in value:
            return self.arrays[value["__array__"]]
        if "__tuple__" in value:
            return tuple(self.decode(v) for v in value["__tuple__"])
        if "__dict__" in value:
            return {_hashable(self.decode(k)): self.decode(v) for k, v in value["__dict__"]}
        kind = _TYPES.get(value.get("__type__"))
        if kind is None:
            raise ValueError(f"unknown stored value {sorted(value)}")
        return kind(**{k: self.decode(v) for k, v in value["fields"].items()})


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key
