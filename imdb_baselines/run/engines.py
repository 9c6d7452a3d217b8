"""The engines a comparison runs on, and the rules of their options.

``local`` fits every model in this process; ``chunked`` streams the training texts from disk for the three
baselines; ``spark`` fits them on a Spark session. Each engine but ``local`` takes only some models and some
options; :func:`checked_for_engine` says which, before any data is read.
"""

from __future__ import annotations

import importlib.util
from dataclasses import fields, replace
from typing import Any

from imdb_baselines import catalog

__all__ = ["ENGINES", "SPARK_SOLVERS", "checked_for_engine", "make_engine"]

ENGINES = ("local", "spark", "chunked")
SPARK_SOLVERS = ("newton", "lbfgs")


def checked_for_engine(options: Any) -> Any:
    """``options`` (an :class:`~imdb_baselines.options.CompareOptions`) after the rules of its engine.

    The Spark options need ``--engine spark``; the chunked and Spark engines run the baselines only and take
    neither a search nor the local engine's run options (``--repeats``, ``--cv``, ``--time-limit`` ...).

    Returns
    -------
    CompareOptions
        ``options`` with ``save_models`` decided (the local and chunked engines keep the models by default,
        Spark does not) and ``tune`` off where the engine does not search.

    Raises
    ------
    ValueError
        Naming the option, as the command line spells it, and the fix.
    """
    spark_defaults = {f.name: f.default for f in fields(options) if f.name.startswith("spark_")
                      and f.name != "spark_conf"}
    if options.engine != "spark" and (options.spark_conf or any(getattr(options, key) != value
                                                                for key, value in spark_defaults.items())):
        raise ValueError("--spark-master, --spark-conf, --spark-driver-memory and --spark-solver need "
                         "--engine spark")
    if options.engine == "local":
        return replace(options, save_models=True if options.save_models is None else options.save_models)
    if options.engine == "spark" and importlib.util.find_spec("pyspark") is None:
        raise ValueError("--engine spark needs pyspark, which is not installed: pip install 'imdb-baselines[spark]'")
    others = [m for m in options.models if m not in catalog.models_on(options.engine)]
    if others:
        raise ValueError(f"--engine {options.engine} runs {', '.join(catalog.models_on(options.engine))}; leave out "
                         f"{', '.join(others)}")
    weighed = [flag for flag, given in (("--class-weight", options.class_weight is not None),
                                        *((f"--set {name}.class_weight", options.class_weight is None and
                                           own.get("class_weight") is not None)
                                          for name, own in options.settings.items())) if given]
    if weighed and options.engine == "spark" and options.spark_solver == "lbfgs":
        raise ValueError(f"--spark-solver lbfgs does not take {', '.join(weighed)}: Spark's L-BFGS fits have no "
                         "per-class C; leave out --spark-solver for the Newton solver, which weighs as liblinear")
    refused = [flag for flag, given in (("--tune", options.tune is True), ("--repeats", options.repeats > 1),
                                        ("--cv", options.cv > 0),
                                        ("--group-column", options.group_column is not None and
                                         options.engine == "spark"),
                                        ("--time-limit", options.time_limit is not None),
                                        ("--save-models", options.save_models and options.engine == "spark"),
                                        ("--drop-duplicates", options.drop_duplicates)) if given]
    if refused:
        raise ValueError(f"--engine {options.engine} does not take {', '.join(refused)}; use the local engine for "
                         "them")
    if options.engine == "chunked":  # no search: the engine is for corpora too large for one
        return replace(options, save_models=True if options.save_models is None else options.save_models, tune=False)
    for key, value in options.spark_conf.items():
        if not str(key).strip() or not str(value).strip():
            raise ValueError(f"--spark-conf must be KEY=VALUE, e.g. spark.executor.memory=8g. Got {key}={value}.")
    return replace(options, save_models=False, tune=False)


def make_engine(options: Any):
    """The engine that runs checked ``options``: a ``LocalEngine``, ``ChunkedEngine`` or ``SparkEngine``.

    Only the engine asked for is imported, so that pyspark is imported only for ``--engine spark``.
    """
    if options.engine == "spark":
        from imdb_baselines.run.spark import SparkEngine, SparkOptions

        return SparkEngine(SparkOptions(master=options.spark_master, conf=dict(options.spark_conf),
                                        driver_memory=options.spark_driver_memory, solver=options.spark_solver))
    if options.engine == "chunked":
        from imdb_baselines.run.chunked import ChunkedEngine

        return ChunkedEngine()
    from imdb_baselines.run.local import LocalEngine

    return LocalEngine()
