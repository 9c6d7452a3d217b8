"""The tracking store: the default SQLite file beside the reports, reached before any model trains."""

from __future__ import annotations

import logging
import sqlite3
import urllib.error
import urllib.request
from pathlib import Path

from imdb_baselines.tracking import TrackingError

__all__ = ["ARTIFACTS_FOLDER", "check_store", "experiment_id"]

logger = logging.getLogger(__name__)

#: The artifacts' folder beside a SQLite store (``mlflow server``'s own default name).
ARTIFACTS_FOLDER = "mlartifacts"
#: Tables every MLflow SQLite store has; a file without them is not one, and is left alone.
_MLFLOW_TABLES = {"alembic_version", "experiments", "runs", "metrics", "params"}
_REACH_TIMEOUT_S = 10


def sqlite_path(uri: str) -> Path | None:
    """The file of a ``sqlite:///`` URI, or None for any other store."""
    return Path(uri[len("sqlite:///"):]) if uri.startswith("sqlite:///") else None


def check_store(uri: str) -> None:
    """Refuse a store that cannot be reached, or a file that is not an MLflow store (it is never touched).

    Raises
    ------
    TrackingError
        One line: which store, what is wrong, and what to do.
    """
    path = sqlite_path(uri)
    if path is not None:
        _check_sqlite(path, uri)
    elif uri.startswith(("http://", "https://")):
        try:
            with urllib.request.urlopen(uri.rstrip("/") + "/health", timeout=_REACH_TIMEOUT_S) as answer:
                answer.read(64)
        except (urllib.error.URLError, OSError, ValueError) as error:
            reason = getattr(error, "reason", error)
            raise TrackingError(f"the tracking server {uri} cannot be reached ({reason}); start it (mlflow server), "
                                "or give another --tracking-uri") from None


def _check_sqlite(path: Path, uri: str) -> None:
    if path.is_dir():
        raise TrackingError(f"--tracking-uri {uri} names a folder; name a database file, e.g. sqlite:///mlflow.db")
    if not path.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise TrackingError(f"the tracking store {path} cannot be created ({error.strerror or error})") from None
        return
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)  # read only: never changed
        try:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            connection.close()
    except sqlite3.DatabaseError:
        tables = set()
    if not _MLFLOW_TABLES <= tables:
        raise TrackingError(f"{path} exists and is not an MLflow tracking store; it is left as it is. Give "
                            "--tracking-uri another file")


def experiment_id(client, name: str, uri: str) -> str:
    """The experiment ``name``'s id, created if new (a SQLite store keeps its artifacts in a folder beside it)."""
    from mlflow.exceptions import MlflowException

    try:
        found = client.get_experiment_by_name(name)
        if found is None:
            path = sqlite_path(uri)
            location = (path.resolve().parent / ARTIFACTS_FOLDER).as_uri() if path is not None else None
            logger.info("Creating the MLflow experiment %r", name)
            return client.create_experiment(name, artifact_location=location)
    except MlflowException as error:
        raise TrackingError(f"the tracking store {uri} cannot be used: {error.message.splitlines()[0]}") from None
    if found.lifecycle_stage != "active":
        raise TrackingError(f"the MLflow experiment {name!r} is deleted; restore it (mlflow experiments restore) or "
                            "give another --experiment")
    return found.experiment_id
