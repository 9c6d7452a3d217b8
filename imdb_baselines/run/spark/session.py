"""Start (or join) the Spark session a comparison runs in, and describe it for the report."""

from __future__ import annotations

import logging
import os
import re
import shutil
import sys
import warnings
from dataclasses import dataclass, field
from typing import Any

from imdb_baselines.run.spark.shipping import ship_package

__all__ = ["SparkOptions", "describe_session", "spark_session"]

logger = logging.getLogger(__name__)

_LOCAL = re.compile(r"local(\[[^\]]*\])?")  # one JVM, Python workers that see this interpreter's packages


@dataclass(frozen=True)
class SparkOptions:
    """Where and how the Spark engine runs."""

    master: str = "local[2]"  # local[N] / local[*], spark://HOST:PORT, yarn, k8s://...
    conf: dict[str, str] = field(default_factory=dict)  # extra Spark settings, e.g. spark.executor.memory=8g
    driver_memory: str = "6g"  # the driver JVM's heap; in local mode it holds the executors too
    solver: str = "newton"  # the linear models' solver: liblinear's Newton method on Spark, or "lbfgs" (Spark's own)


def _check_java() -> None:
    """Spark 4 needs Java 17 or newer; say so before the JVM fails with a long trace."""
    java = shutil.which("java") if not os.environ.get("JAVA_HOME") else os.path.join(os.environ["JAVA_HOME"], "bin",
                                                                                       "java")
    if not java or not os.path.exists(java):
        raise RuntimeError("The Spark engine needs a Java runtime (17 or newer) and found none: install one "
                           "(e.g. apt-get install openjdk-17-jre-headless) or set JAVA_HOME.")


def spark_session(options: SparkOptions | None = None):
    """The active Spark session, or a new one for ``options``.

    Parameters
    ----------
    options : SparkOptions, optional
        Master URL and settings (default: ``local[2]``).

    Returns
    -------
    pyspark.sql.SparkSession
        With the UI off, Arrow on, the package's Python as the workers' Python (local mode), and
        Spark's own log at warnings only. Where executors run in processes of their own (any master but
        ``local[N]``: ``local-cluster``, ``spark://``, YARN, Kubernetes), the package's code is shipped to them
        (:func:`imdb_baselines.run.spark.shipping.ship_package`).

    Raises
    ------
    ImportError
        If pyspark is not installed (``pip install imdb-baselines[spark]``).
    RuntimeError
        If there is no Java runtime.
    """
    options = options or SparkOptions()
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise ImportError("The Spark engine needs pyspark: pip install 'imdb-baselines[spark]'") from error
    _check_java()
    # PySpark warns on every pandas UDF that it does not fully support pandas 3; the UDFs here pass plain
    # strings and lists, and this package's tests run them under pandas 3; py4j logs every connection at INFO.
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    logging.getLogger("py4j").setLevel(logging.WARNING)
    if options.master.startswith("local"):  # workers run this same interpreter, with this package importable
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    settings: dict[str, Any] = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.memory": options.driver_memory,
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.shuffle.partitions": "8",
        "spark.driver.maxResultSize": "4g",
        "spark.sql.session.timeZone": "UTC",
        **options.conf,
    }
    builder = SparkSession.builder.master(options.master).appName("imdb-baselines")
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    if not _LOCAL.fullmatch(options.master):  # executors in processes of their own: they import the shipped code
        archive = ship_package(session)
        logger.info("The package's code ships to the executors in %s", archive.name)
    logger.info("Spark %s session on %s (default parallelism %d)", session.version, options.master,
                session.sparkContext.defaultParallelism)
    return session


def describe_session(session) -> dict[str, Any]:
    """Engine, master, executors and versions, for the report's provenance."""
    context = session.sparkContext
    try:
        executors = context._jsc.sc().getExecutorMemoryStatus().size()  # the driver counts as one
    except Exception:  # not every deployment exposes it
        executors = None
    return {"engine": "spark", "spark_version": session.version, "master": context.master,
            "default_parallelism": context.defaultParallelism,
            "executors": executors, "executor_memory": context.getConf().get("spark.executor.memory", "default"),
            "driver_memory": context.getConf().get("spark.driver.memory", "default")}
