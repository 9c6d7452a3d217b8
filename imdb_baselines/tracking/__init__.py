"""Every comparison in MLflow, the experiment tracker people already use: ``--track``.

One parent run per comparison (the report's files as its artifacts), one nested run per
model (and per seed with ``--repeats``), each kept model logged as an MLflow model that
takes raw text. Nothing here imports MLflow until a run asks for tracking.
"""

from __future__ import annotations

__all__ = ["TrackingError", "default_tracking_uri", "log_report", "start_tracking"]


class TrackingError(Exception):
    """The tracking store cannot be reached or used; raised before any model trains."""


def default_tracking_uri(out) -> str:
    """The tracking store beside the report folder ``out``: ``sqlite:///<out's parent>/mlflow.db``.

    Examples
    --------
    >>> default_tracking_uri("/srv/reports/imdb_nbsvm_minimal_seed0")
    'sqlite:////srv/reports/mlflow.db'
    """
    from pathlib import Path

    return "sqlite:///" + (Path(out).resolve().parent / "mlflow.db").as_posix()


def start_tracking(options, command: str, dataset: str | None = None):
    """Reach the tracking store, and open the comparison's parent run (see :class:`~.runs.Tracker`)."""
    from imdb_baselines.tracking.runs import Tracker

    return Tracker.start(options, command, dataset)


def log_report(folder, **where):
    """Log a report folder written without ``--track`` to MLflow (see :func:`~.earlier.log_report`)."""
    from imdb_baselines.tracking.earlier import log_report as log

    return log(folder, **where)
