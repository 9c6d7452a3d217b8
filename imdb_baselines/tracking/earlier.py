"""Reports written without ``--track``, logged to MLflow afterwards: ``python -m imdb_baselines.tracking REPORT``.

Everything a tracked comparison logs comes from its report folder (``results.json``,
the files, ``models/``), so an earlier report logs exactly as it would have.
"""

from __future__ import annotations

import json
from pathlib import Path

from imdb_baselines import __version__
from imdb_baselines.corpus import DataSource
from imdb_baselines.corpus.dataset import IMDB_NAME
from imdb_baselines.tracking import TrackingError, default_tracking_uri
from imdb_baselines.tracking.runs import Tracker

__all__ = ["log_report"]


def log_report(folder: Path, *, tracking_uri: str | None = None, experiment: str | None = None,
               register: str | None = None) -> str:
    """Log a report folder written earlier (without ``--track``) to MLflow, as ``--track`` would have.

    Parameters
    ----------
    folder : Path
        A report folder of this package (its ``results.json``; its ``models/`` become MLflow models).
    tracking_uri, experiment, register
        As ``--tracking-uri``, ``--experiment`` and ``--register`` (default: the SQLite store beside the
        folder, and an experiment named after the data set).

    Returns
    -------
    str
        The parent run's id.
    """
    folder = Path(folder)
    try:
        provenance = json.loads((folder / "results.json").read_text(encoding="utf-8"))["provenance"]
    except (OSError, ValueError, KeyError) as error:
        raise TrackingError(f"{folder} is not a report folder of imdb-baselines (no readable results.json: "
                            f"{error})") from None
    settings = provenance.get("settings", {})
    data = settings.get("data", {})
    dataset = DataSource(path=data.get("path"), test=data.get("test"), validation=data.get("validation")).dataset_name \
        if data.get("path") or provenance["dataset"] == IMDB_NAME else provenance["dataset"]  # else: texts in memory
    tags = {"mlflow.source.name": "imdb-baselines", "dataset": dataset, "command": provenance.get("command", "")}
    params = {"models": ",".join(settings["models"]), "stopwords": ",".join(provenance["stopwords"]),
              "seed": provenance["seed"], "engine": provenance["engine"].get("engine", "local"),
              "package_version": __version__, "report": str(folder.resolve()),
              **{key: settings[key] for key in ("repeats", "tune", "sample", "validation_size") if key in settings}}
    tracker = Tracker.open(tracking_uri or default_tracking_uri(folder), experiment or dataset, folder.name, tags,
                           params, register)
    try:
        tracker.log_folder(folder)
    except BaseException as error:
        tracker.abandon(error)
        raise
    tracker._give_back_uri()
    return tracker.parent_id
