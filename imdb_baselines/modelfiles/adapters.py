"""One adapter per kind of model: how a linear baseline, the stacked ensemble, a Keras model or a stack of named
models is saved, loaded, scored and explained. Model files, predictions, serving and exports ask the adapter instead of
testing the model's class.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from imdb_baselines.modelfiles.compact import compact_arrays
from imdb_baselines.modelfiles.errors import ModelFileError
from imdb_baselines.run.calibration import base_model, probabilities_from_scores

__all__ = ["ADAPTERS", "EnsembleAdapter", "EstimatorAdapter", "KerasAdapter", "LinearAdapter", "ModelAdapter",
           "StackAdapter", "adapter_for", "adapter_named"]

_SKOPS = "model.skops"
_MEMBERS, _STACKER, _STACK_STATE = "members", "stacker.skops", "stack.json"  # a stack's folder
#: Modules of version 0.1.0 that moved into the package, as saved model files may still name them.
MOVED_MODULES = {"corpus": "imdb_baselines.corpus"}
#: Types a skops file may hold beyond scikit-learn's own: the package's estimators and what they keep.
TRUSTED_TYPES = (
    "baselines.ensemble.TokenSpan",
    "baselines.features.NgramVectorizer",
    "baselines.naive_bayes.NaiveBayesClassifier",
    "baselines.nbsvm.NBSVMClassifier",
    "builtins.frozenset",
    "imdb_baselines.corpus.text.Stopwords",
    "imdb_baselines.corpus.text.TextPreprocessor",
    "imdb_baselines.run.calibration.MarginCalibration",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.utils._bunch.Bunch",  # StackingClassifier.named_estimators_
)


class ModelAdapter:
    """What the package does with one kind of fitted model."""

    name = ""  # the adapter's name, as the manifest's ``adapter``
    kind = ""  # the manifest's ``kind``: the file format ("skops" or "keras")
    exports: tuple[str, ...] = ()  # the export formats this kind of model supports
    explains = False  # whether it names the n-grams behind an answer

    def handles(self, model) -> bool:
        """Whether ``model`` (fitted, possibly calibrated) is of this kind."""
        raise NotImplementedError

    def write(self, model, folder: Path, file: str = _SKOPS) -> None:
        """Write the model's own files into ``folder`` (a skops file, its arrays deflated)."""
        import zipfile

        import skops.io

        skops.io.dump(model, folder / file, compression=zipfile.ZIP_DEFLATED, compresslevel=1)

    def read(self, folder: Path, trusted: tuple[str, ...] = (), file: str = _SKOPS):
        """The model saved in ``folder`` (its files already checked against the manifest); ``trusted`` names
        types the user vouches for beyond :data:`TRUSTED_TYPES` (their own estimators' classes)."""
        import skops.io

        data = with_current_modules((folder / file).read_bytes())
        allowed = (*TRUSTED_TYPES, *trusted)
        untrusted = [t for t in skops.io.get_untrusted_types(data=data) if t not in allowed]
        if untrusted:
            raise ModelFileError(f"{folder / file} holds types this package does not load: {', '.join(untrusted)}. "
                                 "If you wrote or trust them, name them: load_model(path, trusted=[...]) or "
                                 "imdb-predict --trust TYPE.")
        return skops.io.loads(data, trusted=list(allowed))

    def answer(self, model, texts) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Per text: the class position of the answer, the score, and the (n, k) probabilities (or None).

        The score is the model's margin or log-odds for two classes, and (n, k) scores for more.
        """
        proba = np.asarray(model.predict_proba(texts), dtype=float)
        index = (proba[:, 1] > 0.5).astype(int) if proba.shape[1] == 2 else proba.argmax(axis=1)
        clipped = np.clip(proba, 1e-7, 1 - 1e-7)
        scores = np.log(clipped[:, 1] / clipped[:, 0]) if proba.shape[1] == 2 else np.log(clipped)
        return index, scores, proba

    def explain(self, model, texts, k: int) -> list:
        """The ``k`` n-grams that pushed each answer most each way; None per text where there is no sound way."""
        return [None] * len(texts)


class LinearAdapter(ModelAdapter):
    """A baseline pipeline (n-grams, then Naive Bayes, the linear SVM or NBSVM), possibly calibrated."""

    name, kind, exports, explains = "linear", "skops", ("onnx",), True

    def handles(self, model) -> bool:
        from baselines.features import NgramVectorizer

        base = base_model(model)
        return hasattr(base, "steps") and hasattr(base, "decision_function") and any(
            isinstance(step, NgramVectorizer) for _, step in base.steps)

    def answer(self, model, texts):
        base = base_model(model)  # labels and margins as in the report; probabilities calibrated where needed
        scores = np.asarray(base.decision_function(texts), dtype=float)
        index = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
        return index, scores, probabilities_from_scores(model, scores)

    def write(self, model, folder: Path) -> None:
        with compact_arrays(model):  # float32 weights, no fitting-only arrays
            super().write(model, folder)

    def explain(self, model, texts, k: int) -> list:
        from baselines import explain

        return explain(base_model(model), texts, k=k)


class EnsembleAdapter(ModelAdapter):
    """The stacked ensemble (scikit-learn's ``StackingClassifier`` of baselines): probabilities of the stacker."""

    name, kind = "ensemble", "skops"

    def handles(self, model) -> bool:
        return hasattr(model, "estimators") and hasattr(model, "final_estimator")

    def write(self, model, folder: Path) -> None:
        with compact_arrays(model):  # its members' weights in float32, as the baselines'
            super().write(model, folder)


class KerasAdapter(ModelAdapter):
    """A :class:`neural.KerasTextClassifier`: a ``.keras`` network and its text encoding's state."""

    name, kind, exports = "keras", "keras", ("onnx", "savedmodel")

    def handles(self, model) -> bool:
        return hasattr(model, "model_") and hasattr(model, "encoder_")

    def write(self, model, folder: Path) -> None:
        model.write_files(folder)

    def read(self, folder: Path, trusted: tuple[str, ...] = ()):
        from neural import KerasTextClassifier

        return KerasTextClassifier.load(folder)


class StackAdapter(ModelAdapter):
    """A :class:`imdb_baselines.catalog.stacking.ValidationStack`: each member saved by its own adapter in
    ``members/NAME/``, the stacking logistic regression in ``stacker.skops`` and the members' order in
    ``stack.json``."""

    name, kind = "stack", "stack"

    def handles(self, model) -> bool:
        return hasattr(model, "members_") and hasattr(model, "final_estimator_")

    def write(self, model, folder: Path) -> None:
        members = []
        for name, member in model.members_:
            adapter = adapter_for(member)
            (folder / _MEMBERS / name).mkdir(parents=True)
            adapter.write(member, folder / _MEMBERS / name)
            members.append({"name": name, "kind": adapter.kind})
        super().write(model.final_estimator_, folder, _STACKER)
        state = {"members": members, "params": {k: v for k, v in model.get_params().items() if k != "stopwords"},
                 "stopwords": None if model.stopwords is None else str(model.stopwords),
                 "member_seconds": model.member_seconds_}
        (folder / _STACK_STATE).write_text(json.dumps(state, indent=1), encoding="utf-8")

    def read(self, folder: Path, trusted: tuple[str, ...] = (), *,
             read_member: Callable[[str, str], Any] | None = None):
        """The stack kept in ``folder``; ``read_member(name, kind)``, where given, reads each member instead of
        its own adapter and returns None for the members it leaves to that adapter (the service's Keras members
        in onnxruntime)."""
        from imdb_baselines.catalog.stacking import ValidationStack

        state = json.loads((folder / _STACK_STATE).read_text(encoding="utf-8"))
        for member in state["members"]:
            if not isinstance(member.get("name"), str) or member["name"] in ("", ".", "..") or \
                    Path(member["name"]).name != member["name"]:
                raise ModelFileError(f"{folder / _STACK_STATE} names a member {member.get('name')!r} that is not a "
                                     f"folder of {folder / _MEMBERS}; the model is not loaded.")
        params = {**state["params"], "members": tuple(state["params"]["members"])}
        model = ValidationStack(**params, stopwords=state["stopwords"])
        model.members_ = []
        for m in state["members"]:
            member = read_member(m["name"], m["kind"]) if read_member else None
            if member is None:
                member = adapter_named(m["kind"]).read(folder / _MEMBERS / m["name"], trusted)
            model.members_.append((m["name"], member))
        model.final_estimator_ = super().read(folder, trusted, _STACKER)
        model.classes_ = model.final_estimator_.classes_
        model.member_seconds_ = state["member_seconds"]
        return model


class EstimatorAdapter(ModelAdapter):
    """The user's own scikit-learn classifier or pipeline over raw texts (``--estimator``), possibly calibrated.

    Kept with skops like the others; loading it trusts, beyond the package's and scikit-learn's own types, only
    those the user names (``load_model(path, trusted=...)``, ``imdb-predict --trust``).
    """

    name, kind = "estimator", "skops"

    def handles(self, model) -> bool:
        return hasattr(model, "predict_proba") or hasattr(base_model(model), "decision_function")

    def answer(self, model, texts):
        if hasattr(model, "predict_proba") and base_model(model) is model:
            return super().answer(model, texts)
        base = base_model(model)
        scores = np.asarray(base.decision_function(texts), dtype=float)
        index = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
        return index, scores, probabilities_from_scores(model, scores)


ADAPTERS: tuple[ModelAdapter, ...] = (KerasAdapter(), LinearAdapter(), EnsembleAdapter(), StackAdapter(),
                                      EstimatorAdapter())


def adapter_for(model) -> ModelAdapter:
    """The adapter of a fitted model.

    Raises
    ------
    TypeError
        If no adapter handles it.
    """
    for adapter in ADAPTERS:
        if adapter.handles(model):
            return adapter
    raise TypeError(f"{type(model).__name__} is no kind of model this package saves (a classifier with "
                    "predict_proba or decision_function).")


def adapter_named(kind: str) -> ModelAdapter:
    """The adapter that reads a saved model of manifest ``kind`` (``keras``; ``stack``; ``skops``: linear or
    ensemble)."""
    return next(adapter for adapter in ADAPTERS if adapter.kind == kind)


def with_current_modules(data: bytes) -> bytes:
    """A skops file's bytes with the modules of types saved by earlier versions renamed to today's.

    Version 0.1.0 kept the text preparation in a top-level ``corpus`` package (``corpus.text.Stopwords``);
    it now lives in :mod:`imdb_baselines.corpus`. Only the schema's ``__module__`` entries change, and the
    trusted-type check runs on the renamed types, so an old file is held to today's list.
    """
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        schema = json.loads(archive.read("schema.json"))
        if not _rename_modules(schema):
            return data
        renamed = io.BytesIO()
        with zipfile.ZipFile(renamed, "w", compression=zipfile.ZIP_DEFLATED) as out:
            for item in archive.infolist():
                content = json.dumps(schema).encode() if item.filename == "schema.json" else archive.read(item)
                out.writestr(item, content)
    return renamed.getvalue()


def _rename_modules(node) -> bool:
    """Rename :data:`MOVED_MODULES` in every ``__module__`` of a skops schema, in place; whether any changed."""
    changed = False
    if isinstance(node, dict):
        module = node.get("__module__")
        if isinstance(module, str):
            old = next((o for o in MOVED_MODULES if module == o or module.startswith(o + ".")), None)
            if old is not None:
                node["__module__"] = MOVED_MODULES[old] + module[len(old):]
                changed = True
        for value in node.values():
            changed = _rename_modules(value) or changed
    elif isinstance(node, list):
        for value in node:
            changed = _rename_modules(value) or changed
    return changed
