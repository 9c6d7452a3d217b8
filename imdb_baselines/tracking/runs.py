"""A comparison's MLflow runs: the parent opened before any model trains, the nested runs logged from the report.

The parent run is created once the tracking store answers, so a store that cannot be
reached is an error before any data is read. When the comparison ends, each model's
result becomes a nested run (its resolved settings, the split's fingerprint, the stopword
list, engine and package version as parameters; every leaderboard metric with its
interval, the Brier score and the costs as metrics), with one more run per seed under it
with ``--repeats``, and its saved folder as an MLflow model that takes raw text. The
parent holds the report's files. A failed model's run ends FAILED, a stopped run KILLED.
"""

from __future__ import annotations

import contextlib
import getpass
import io
import json
import logging
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from imdb_baselines import __version__
from imdb_baselines.run.stops import RunStopped
from imdb_baselines.tracking import TrackingError, default_tracking_uri
from imdb_baselines.tracking.store import check_store, experiment_id

__all__ = ["Tracker"]

logger = logging.getLogger(__name__)

_STATUS = {"ok": "FINISHED", "failed": "FAILED", "interrupted": "KILLED", "timed out": "KILLED"}
_PARAM_LIMIT = 6000  # characters MLflow keeps of a parameter's value


@dataclass
class Tracker:
    """One comparison's runs in one MLflow experiment."""

    client: Any  # mlflow.MlflowClient of the store
    uri: str  # the tracking URI
    experiment: str  # the experiment's name
    experiment_id: str
    parent_id: str  # the comparison's run
    register: str | None = None  # the registered model's name for the best model, if asked
    previous_uri: str = ""  # MLflow's tracking URI before this comparison, given back at the end
    model_uris: dict[str, str] = field(default_factory=dict)  # each logged model's URI

    @classmethod
    def open(cls, uri: str, experiment: str, run_name: str, tags: dict[str, str], params: dict[str, Any],
             register: str | None = None) -> Tracker:
        """Reach the store ``uri``, find or create ``experiment``, and open the parent run.

        Raises
        ------
        TrackingError
            The store cannot be reached or used, or the experiment is deleted.
        """
        import mlflow
        from mlflow import MlflowClient
        from mlflow.entities import Param

        check_store(uri)
        client = MlflowClient(uri)
        experiment_number = experiment_id(client, experiment, uri)
        tags = {"mlflow.user": _user(), "mlflow.source.type": "LOCAL", "imdb_baselines.version": __version__,
                **tags}
        commit = _commit()
        if commit:
            tags.setdefault("mlflow.source.git.commit", commit)
        parent = client.create_run(experiment_number, run_name=run_name, tags=tags)
        client.log_batch(parent.info.run_id, params=[Param(k, _text(v)) for k, v in params.items()])
        logger.info("Tracking in MLflow: %s, experiment %r, run %s", uri, experiment, parent.info.run_id)
        os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")  # one progress display: the package's
        logging.getLogger("mlflow").setLevel(max(logging.getLogger("mlflow").getEffectiveLevel(), logging.WARNING))
        previous = mlflow.get_tracking_uri()
        mlflow.set_tracking_uri(uri)  # model logging and the registry go through MLflow's current URI
        return cls(client, uri, experiment, experiment_number, parent.info.run_id, register, previous)

    @classmethod
    def start(cls, options, command: str, dataset: str | None = None) -> Tracker:
        """The parent run of a comparison about to run with ``options`` (checked), before any data is read: in
        ``options.tracking_uri``, else the SQLite file beside ``options.out``; ``dataset`` names texts given in
        memory (default: the data's name in report folder names, ``imdb`` or the file's)."""
        if options.out is None:
            raise TrackingError("tracking logs the report folder: give out=FOLDER (--out) with track=True")
        dataset = dataset or options.source.dataset_name
        tags = {"mlflow.source.name": "imdb-compare", "dataset": dataset, "command": command or ""}
        params = {"models": ",".join(options.models), "stopwords": ",".join(options.stopwords),
                  "seed": options.seed, "engine": options.engine, "package_version": __version__,
                  "repeats": options.repeats, "tune": "automatic" if options.tune is None else options.tune,
                  "sample": options.sample,
                  "validation_size": options.validation_size, "report": str(Path(options.out).resolve())}
        return cls.open(options.tracking_uri or default_tracking_uri(options.out), options.experiment or dataset,
                        Path(options.out).name, tags, params, options.register)

    def log(self, comparison):
        """Log the finished comparison and end its runs; return it (stopped, if a signal came meanwhile).

        A failure to log leaves the report as it is: the runs end FAILED and the comparison carries a warning.
        """
        try:
            self.log_folder(comparison.folder, comparison.stopped)
        except RunStopped as stop:
            self._end_parent("KILLED", stop.describe())
            return replace(comparison, stopped=comparison.stopped or stop)
        except Exception as error:  # the report is complete; only its copy in the tracker is not
            logger.error("Logging to MLflow failed: %s", error)
            self._end_parent("FAILED", f"{type(error).__name__}: {error}")
            return replace(comparison, warnings=[*comparison.warnings,
                                                 f"logging to MLflow failed ({type(error).__name__}: {error}); "
                                                 "the report folder is complete"])
        finally:
            self._give_back_uri()
        return comparison

    def abandon(self, error: BaseException) -> None:
        """End the parent run of a comparison that ended without a report: KILLED when stopped, else FAILED."""
        stopped = isinstance(error, KeyboardInterrupt)
        how = RunStopped.from_interrupt(error).describe() if stopped else f"{type(error).__name__}: {error}"
        try:
            self._end_parent("KILLED" if stopped else "FAILED", how)
        finally:
            self._give_back_uri()

    def log_folder(self, folder: Path, stopped: RunStopped | None = None) -> None:
        """Log a report folder's models (one nested run each), their MLflow models and the report's files, then
        end the parent run: KILLED if ``stopped``, FAILED if a model failed, else FINISHED."""
        report = json.loads((folder / "results.json").read_text(encoding="utf-8"))
        provenance = report["provenance"]
        lists = list(provenance["stopwords"])  # the primary list first
        outcomes = {(row["model"], row["stopwords"]): ("ok", "", row) for row in report["results"]}
        outcomes.update({(f["model"], f["stopwords"]): (f["status"], f["error"], {}) for f in report["failed"]})
        examples = _examples(folder)
        for stopwords in lists:
            for name in provenance["settings"]["models"]:
                if (name, stopwords) in outcomes:
                    status, error, row = outcomes[name, stopwords]
                    self._model_run(name, stopwords, status, error, row, stopwords == lists[0], len(lists) > 1,
                                    report, folder, examples)
        self._parent_files(folder, provenance)
        if self.register and self.model_uris:
            best = next(row["model"] for row in report["results"]  # best first, by the run's --sort
                        if row["stopwords"] == lists[0] and row["model"] in self.model_uris)
            self._register(best)
        elif self.register:
            logger.warning("Nothing registered as %s: no model was kept (--no-save-models, or the Spark engine)",
                           self.register)
        failed = any(f["status"] == "failed" for f in report["failed"])
        self._end_parent("KILLED" if stopped else "FAILED" if failed else "FINISHED",
                         stopped.describe() if stopped else "")

    def _model_run(self, name: str, stopwords: str, status: str, error: str, row: dict, primary: bool,
                   ablation: bool, report: dict, folder: Path, examples: list[str]) -> None:
        from mlflow.entities import Metric, Param, RunTag

        provenance = report["provenance"]
        tags = {"mlflow.parentRunId": self.parent_id, "model": name, "stopwords": stopwords, "status": status,
                "dataset": provenance["dataset"]}
        if error:
            tags["error"] = error[:_PARAM_LIMIT]
        run = self.client.create_run(self.experiment_id, run_name=f"{name} ({stopwords})" if ablation else name,
                                     tags=tags)
        run_id = run.info.run_id
        params = {**{key: _text(value) for key, value in provenance["model_settings"].get(name, {}).items()},
                  "model": name, "split_fingerprint": provenance["fingerprints"].get(stopwords, ""),
                  "stopwords": provenance["stopwords"].get(stopwords, stopwords),
                  "engine": provenance["engine"].get("engine", "local"), "package_version": __version__,
                  "seed": _text(provenance["seed"])}
        metrics = {key: float(value) for key, value in row.items()
                   if isinstance(value, (int, float)) and not isinstance(value, bool)}
        brier = report.get("calibration", {}).get(name, {}).get("brier") if primary else None
        if brier is not None:
            metrics["brier"] = float(brier)
        self.client.log_batch(run_id, metrics=[Metric(k, v, _now(), 0) for k, v in metrics.items()],
                              params=[Param(k, v) for k, v in params.items()])
        seeds = report.get("seed_accuracies", {}).get(name) if primary else None
        for i, accuracy in enumerate(seeds if seeds and len(seeds) > 1 else []):
            seed = provenance["seed"] + i
            child = self.client.create_run(self.experiment_id, run_name=f"{name} seed {seed}",
                                           tags={"mlflow.parentRunId": run_id, "model": name})
            self.client.log_batch(child.info.run_id, metrics=[Metric("accuracy", float(accuracy), _now(), 0)],
                                  params=[Param("seed", str(seed)), Param("model", name)],
                                  tags=[RunTag("dataset", provenance["dataset"])])
            self.client.set_terminated(child.info.run_id, "FINISHED")
        cross_validation = report.get("cross_validation", {}) if primary else {}
        for fold in cross_validation.get("models", {}).get(name, {}).get("folds", []):
            label = f"{fold['repeat'] + 1}.{fold['fold'] + 1}" if cross_validation["repeats"] > 1 else \
                f"{fold['fold'] + 1}"
            child = self.client.create_run(self.experiment_id, run_name=f"{name} fold {label}",
                                           tags={"mlflow.parentRunId": run_id, "model": name})
            fold_metrics = {**fold["metrics"], "fit_s": fold["fit_s"], "train_size": fold["train_size"],
                            "test_size": fold["test_size"]}
            self.client.log_batch(child.info.run_id, metrics=[Metric(k, float(v), _now(), 0)
                                                              for k, v in fold_metrics.items()],
                                  params=[Param("fold", label), Param("model", name),
                                          *(Param(k, _text(v)) for k, v in (fold["tuned"] or {}).items())],
                                  tags=[RunTag("dataset", provenance["dataset"])])
            self.client.set_terminated(child.info.run_id, "FINISHED")
        saved = folder / "models" / name
        if primary and status == "ok" and (saved / "manifest.json").is_file():
            self._log_model(saved, name, run_id, examples, provenance["classes"])
        self.client.set_terminated(run_id, _STATUS.get(status, "FAILED"))

    def _log_model(self, saved: Path, name: str, run_id: str, examples: list[str], classes: list) -> None:
        import mlflow

        from imdb_baselines.catalog import spec
        from imdb_baselines.tracking.textmodel import log_text_model

        extra = spec(name).extra
        requirements = [f"imdb-baselines{f'[{extra}]' if extra else ''}=={__version__}",
                        f"mlflow=={mlflow.__version__}"]
        label_type = "boolean" if all(isinstance(c, bool) for c in classes) else \
            "long" if all(isinstance(c, int) for c in classes) else "string"
        info = log_text_model(saved, name=name, run_id=run_id, examples=examples, label_type=label_type,
                              requirements=requirements)
        self.model_uris[name] = info.model_uri  # models:/ID, which the registry takes
        logger.info("Logged %s to MLflow as runs:/%s/%s (%s)", name, run_id, name, info.model_uri)

    def _parent_files(self, folder: Path, provenance: dict) -> None:
        from mlflow.entities import Param

        for path in sorted(folder.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                self.client.log_artifact(self.parent_id, str(path))
        fingerprints = provenance.get("fingerprints", {})
        self.client.log_batch(self.parent_id, params=[Param(f"split_fingerprint.{stopwords}", value)
                                                      for stopwords, value in fingerprints.items()])

    def _register(self, best: str) -> None:
        import mlflow

        with contextlib.redirect_stderr(io.StringIO()):  # MLflow prints its own lines; the log below says it once
            version = mlflow.register_model(self.model_uris[best], self.register)
        self.client.set_tag(self.parent_id, "registered_model", f"{self.register} version {version.version} "
                                                                  f"({best})")
        logger.info("Registered %s as %s, version %s", best, self.register, version.version)

    def _end_parent(self, status: str, why: str) -> None:
        if why:
            self.client.set_tag(self.parent_id, "ended", why[:_PARAM_LIMIT])
        self.client.set_terminated(self.parent_id, status)

    def _give_back_uri(self) -> None:
        import mlflow

        mlflow.set_tracking_uri(self.previous_uri)


def _examples(folder: Path) -> list[str]:
    """Two test texts of the report (``predictions.csv``), the logged models' input example."""
    import pandas as pd

    try:
        texts = pd.read_csv(folder / "predictions.csv", usecols=["text"], nrows=2)["text"].astype(str).tolist()
    except (OSError, ValueError):
        texts = []
    return texts or ["A film worth seeing.", "Dull from start to end."]


def _text(value: Any) -> str:
    """A parameter's value as MLflow keeps it: text, JSON for lists and mappings, cut at MLflow's limit."""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text[:_PARAM_LIMIT]


def _now() -> int:
    import time

    return int(time.time() * 1000)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _commit() -> str:
    from imdb_baselines.evaluation.folder import checkout_commit

    return checkout_commit()
