"""Every option of a comparison, once: ``imdb-compare`` parses its flags into :class:`CompareOptions`, and
``imdb_baselines.compare(...)`` takes the same names as keywords. :meth:`CompareOptions.checked` applies
every rule that needs no data, and :meth:`CompareOptions.run_config` turns the options into the
:class:`~imdb_baselines.run.results.RunConfig` an engine runs.
"""

from __future__ import annotations

import codecs
import importlib.util
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from imdb_baselines import catalog, corpus
from imdb_baselines.run import engines
from imdb_baselines.run.engines import ENGINES, SPARK_SOLVERS
from imdb_baselines.run.results import RunConfig

__all__ = ["ENGINES", "MAX_BOOTSTRAP", "MAX_FOLDS", "MAX_JOBS", "MAX_REPEATS", "MAX_SEED", "MAX_TIME_LIMIT",
           "MAX_VALIDATION_SIZE", "MIN_BOOTSTRAP", "MIN_SAMPLE", "SPARK_SOLVERS", "CompareOptions", "run_name"]

logger = logging.getLogger(__name__)

MIN_BOOTSTRAP = 100  # fewer resamples give intervals too coarse to report
MAX_BOOTSTRAP = 100_000  # resamples per interval; more changes no reported digit and takes hours
MIN_SAMPLE = 10  # texts per split in sample
MAX_VALIDATION_SIZE = 0.5  # validation is carved from train; more would leave the models less to learn from
MAX_SEED = 2**32 - 1  # numpy's RandomState accepts seeds up to this
MAX_REPEATS = 20  # seeds per model; more is a benchmark, not a comparison
MAX_FOLDS = 50  # cross-validation folds; more leaves each fold too few texts to score
MAX_JOBS = 64  # folds at a time
MAX_TIME_LIMIT = 7 * 24 * 3600  # seconds per model; a week is no limit


@dataclass(frozen=True)
class CompareOptions:
    """A comparison's options, with the command line's defaults (``imdb-compare --help`` describes each)."""

    models: tuple[str, ...] | None = None  # catalogue names; None: the default list (what is installed of it)
    estimators: dict[str, Any] | list[str] = field(default_factory=dict)  # the user's own: {name: estimator or
    # factory}, or [NAME=]module:factory strings as --estimator takes them; each joins the models
    stopwords: tuple[str, ...] = (corpus.DEFAULT_STOPWORDS,)  # list names or files; the first is primary
    data: str | None = None  # IMDB archive or folder, or the user's table or class folders; None: IMDB
    test: str | None = None  # the user's test table, used as given
    validation: str | None = None  # the user's validation table, used as given
    text_column: str = "text"  # text column of the user's tables
    label_column: str = "label"  # label column of the user's tables
    test_size: float = 0.2  # share of data carved out for testing when there is no test table
    delimiter: str | None = None  # CSV delimiter; None: detected
    encoding: str = "utf-8"  # encoding of the user's files
    drop_empty: bool = False  # drop empty texts instead of refusing them
    drop_duplicates: bool = False  # drop training texts that also occur in the test set
    positive_label: Any = None  # the positive class of two-class data; None: the second in sorted order
    excerpt: bool = False  # accept a balanced excerpt in the aclImdb layout
    class_order: tuple[str, ...] | None = None  # the classes' order in the report (a scale); None: sorted
    group_column: str | None = None  # each text's group (IMDB: movie): carves and folds keep a group on one side
    out: str | Path | None = None  # the report folder; None: no report from Python, reports/<run-name> from the CLI
    wait: bool = False  # wait for another run writing out instead of failing
    resume: bool = False  # finish the stopped run in out: the models it finished are carried over, not refitted
    seed: int = 0  # seed of the carves, the models and the bootstrap
    validation_size: float = 0.1  # share of the training texts carved out for validation
    sample: int | None = None  # a stratified sample of this many texts per split; None: all
    settings: dict[str, dict[str, Any]] | list[str] = field(default_factory=dict)  # {model: {key: value}}
    # (or MODEL.KEY=VALUE strings, as --set takes them)
    epochs: int | None = None  # epochs of every neural model; None: each model's own
    batch_size: int | None = None  # batch size of every neural model; None: each model's own
    bootstrap: int = 1000  # bootstrap resamples per interval; 0: no intervals
    repeats: int = 1  # seeds each model that uses one is trained with (the split stays)
    sort: str = "accuracy"  # the leaderboard's order: a metric (best first) or a cost (cheapest first)
    tune: bool | None = None  # search each model's catalogue grid by cross-validation on the training split
    # first: True every model's, False none, None (the default) the baselines' whose grid is cheap on the data
    tune_metric: str = "accuracy"  # what --tune optimises: accuracy, macro_f1, roc_auc or log_loss
    grid: dict[str, dict[str, list]] | list[str] = field(default_factory=dict)  # {model: {key: [values]}} replacing
    # catalogue grids (or MODEL.KEY=V1,V2 strings, as --grid takes them)
    cv: int = 0  # K-fold cross-validation of every model too (of every labelled text without a test table); 0: off
    cv_repeats: int = 1  # times the cross-validation folds are drawn
    jobs: int = 1  # folds fitted at a time, in worker processes
    time_limit: float | None = None  # seconds each model may take (folds, tuning, fit, prediction); None: no limit
    class_weight: str | None = None  # "balanced": every model weighs its classes inversely to their frequency
    calibration: bool = True  # probabilities for margin-only models, from a sigmoid fitted on validation
    save_models: bool | None = None  # keep the models in out/models; None: yes with the local engine
    engine: str = "local"  # where the models run: "local", "spark" or "chunked"
    spark_master: str = "local[2]"  # the Spark master (local[N], spark://HOST:PORT, yarn, k8s://...)
    spark_conf: dict[str, str] = field(default_factory=dict)  # Spark settings, e.g. spark.executor.memory
    spark_driver_memory: str = "6g"  # the Spark driver's heap (in local mode it holds the executors too)
    spark_solver: str = "newton"  # how Spark fits the linear SVM and NBSVM: "newton" or "lbfgs"
    quiet: bool = False  # no progress displays (neural models train with verbose=0)
    track: bool = False  # log the comparison to MLflow (the track extra)
    tracking_uri: str | None = None  # MLflow's tracking URI; None: sqlite:///<out's parent>/mlflow.db
    experiment: str | None = None  # the MLflow experiment; None: named after the data set
    register: str | None = None  # register the best model (by sort) under this name in MLflow's registry

    def checked(self) -> CompareOptions:
        """These options with the model list resolved, after every rule that needs no data.

        Raises
        ------
        ValueError
            Naming the option (as the command line spells it), what is valid, and the fix.
        """
        estimators = self._estimators()
        models = catalog.resolve_models(self.models, engine=self.engine, custom=tuple(estimators))
        stopwords = tuple(self.stopwords)
        if not stopwords:
            raise ValueError("--stopwords is empty; name a list (minimal, english, sentiment, none) or a file")
        for item in stopwords:
            try:
                corpus.get_stopwords(item)
            except ValueError as error:
                raise ValueError(f"--stopwords: {error}") from None
        self._check_data()
        self._check_numbers()
        self._check_tracking()
        self._check_training(models)
        try:
            settings = catalog.check_settings(self.settings, models)
        except ValueError as error:
            raise ValueError(f"--set: {error}") from None
        settings = self._with_class_weight(settings, models)
        try:
            grid = catalog.parse_grids(self.grid or {}, models)
        except ValueError as error:
            raise ValueError(f"--grid: {error}") from None
        both = [f"{name}.{key}" for name, keys in grid.items() for key in keys if key in settings.get(name, {})]
        if both:
            raise ValueError(f"--grid and --set both give {', '.join(both)}: fix it with --set, or search it with "
                             "--grid")
        options = replace(self, models=models, stopwords=stopwords, settings=settings, grid=grid,
                          estimators=estimators)
        return engines.checked_for_engine(options)

    def _estimators(self) -> dict[str, Any]:
        """The user's own estimators, entered beside the catalogue (:func:`imdb_baselines.catalog.add_estimator`)."""
        given = self.estimators or {}
        if isinstance(given, str) or not isinstance(given, (dict, list, tuple)):
            raise ValueError("--estimator must be [NAME=]module:factory (estimators={name: estimator} from Python)")
        if not isinstance(given, dict):
            given = dict(catalog.import_factory(item) for item in given)
        for name, estimator in given.items():
            try:
                catalog.add_estimator(name, estimator)
            except ValueError as error:
                raise ValueError(f"--estimator: {error}") from None
        return dict(given)

    def _check_data(self) -> None:
        if self.data is not None and not str(self.data).strip():
            raise ValueError("--data is empty; give the archive or folder, or leave --data out to use $IMDB_DATA")
        try:
            codecs.lookup(self.encoding)
        except LookupError:
            raise ValueError(f"--encoding {self.encoding!r} is not an encoding Python knows (e.g. utf-8, latin-1, "
                             "cp1252)") from None
        if self.text_column == self.label_column:
            raise ValueError(f"--text-column and --label-column are both {self.text_column!r}; name two different "
                             "columns")
        if self.group_column is not None and (not str(self.group_column).strip()
                                              or self.group_column in (self.text_column, self.label_column)):
            raise ValueError(f"--group-column {self.group_column!r} must name a column other than the text and the "
                             "label (IMDB: movie)")
        if self.out is not None and not str(self.out).strip():
            raise ValueError("--out is empty; give a folder, or leave --out out for reports/<run-name>")

    def _check_numbers(self) -> None:
        from imdb_baselines.evaluation.report import SORT_KEYS
        from imdb_baselines.run.tuning import TUNE_METRICS

        rules = (
            (_is_int(self.seed) and 0 <= self.seed <= MAX_SEED, f"--seed must be an int in [0, {MAX_SEED}]"),
            (_is_int(self.bootstrap) and (self.bootstrap == 0 or MIN_BOOTSTRAP <= self.bootstrap <= MAX_BOOTSTRAP),
             f"--bootstrap must be 0 (no intervals) or an int in [{MIN_BOOTSTRAP}, {MAX_BOOTSTRAP}]"),
            (_is_number(self.test_size) and 0 < self.test_size <= MAX_VALIDATION_SIZE,
             f"--test-size must be in (0, {MAX_VALIDATION_SIZE}]"),
            (_is_number(self.validation_size) and 0 <= self.validation_size <= MAX_VALIDATION_SIZE,
             f"--validation-size must be in [0, {MAX_VALIDATION_SIZE}]"),
            (self.sample is None or (_is_int(self.sample) and self.sample >= MIN_SAMPLE),
             f"--sample must be at least {MIN_SAMPLE}"),
            (_is_int(self.repeats) and 1 <= self.repeats <= MAX_REPEATS,
             f"--repeats must be an int in [1, {MAX_REPEATS}]"),
            (self.sort in SORT_KEYS, f"--sort must be one of {', '.join(SORT_KEYS)}"),
            (_is_int(self.cv) and (self.cv == 0 or 2 <= self.cv <= MAX_FOLDS),
             f"--cv must be an int in [2, {MAX_FOLDS}] (or 0: no cross-validation)"),
            (_is_int(self.cv_repeats) and 1 <= self.cv_repeats <= MAX_REPEATS,
             f"--cv-repeats must be an int in [1, {MAX_REPEATS}]"),
            (self.cv or self.cv_repeats == 1, "--cv-repeats needs --cv"),
            (self.tune_metric in TUNE_METRICS, f"--tune-metric must be one of {', '.join(TUNE_METRICS)}"),
            (self.tune in (True, False, None), "tune must be True, False or None (automatic)"),
            (self.tune is not False or (self.tune_metric == "accuracy" and not self.grid),
             "--tune-metric and --grid need a search: leave out --no-tune"),
            (_is_int(self.jobs) and 1 <= self.jobs <= MAX_JOBS, f"--jobs must be an int in [1, {MAX_JOBS}]"),
            (self.time_limit is None or (_is_number(self.time_limit) and 0 < self.time_limit <= MAX_TIME_LIMIT),
             f"--time-limit must be a number of seconds in (0, {MAX_TIME_LIMIT}]"),
            (not (self.out_of_fold and self.repeats > 1), "--repeats retrains on a test set, and with --cv and no "
             "--test there is none; use --cv-repeats"),
            (not (self.out_of_fold and self.drop_duplicates), "--drop-duplicates drops training texts found in the "
             "test set, and with --cv and no --test there is none"),
            (all(v is None or (_is_int(v) and v >= 1) for v in (self.epochs, self.batch_size)),
             "--epochs and --batch-size must be >= 1"),
            (self.engine in ENGINES, f"--engine must be one of {', '.join(ENGINES)}"),
            (self.spark_solver in SPARK_SOLVERS, f"--spark-solver must be one of {', '.join(SPARK_SOLVERS)}"),
        )
        for ok, message in rules:
            if not ok:
                raise ValueError(message)

    def _with_class_weight(self, settings: dict[str, dict[str, Any]], models) -> dict[str, dict[str, Any]]:
        """``--class-weight`` as every model's ``class_weight`` setting (a ``--set`` of one model wins)."""
        if self.class_weight is None:
            return settings
        if self.class_weight not in corpus.CLASS_WEIGHTS:
            raise ValueError(f"--class-weight must be balanced (or left out). Got {self.class_weight!r}.")
        for name in models:
            if catalog.spec(name).is_neural or "class_weight" in catalog.defaults(name):
                settings.setdefault(name, {}).setdefault("class_weight", self.class_weight)
        return settings

    def _check_training(self, models: tuple[str, ...]) -> None:
        """``--epochs`` and ``--batch-size`` set the Keras models' training: a warning when no chosen model has one."""
        given = [flag for flag, value in (("--epochs", self.epochs), ("--batch-size", self.batch_size))
                 if value is not None]
        if given and not any(catalog.spec(name).takes_validation for name in models):
            chosen = f"none of {', '.join(models)} is one" if len(models) > 1 else f"{models[0]} is not one"
            logger.warning("%s only %s how the Keras models train, and %s: %s nothing in this run",
                           " and ".join(given), "set" if len(given) > 1 else "sets", chosen,
                           "they change" if len(given) > 1 else "it changes")

    def _check_tracking(self) -> None:
        given = [flag for flag, value in (("--tracking-uri", self.tracking_uri), ("--experiment", self.experiment),
                                          ("--register", self.register)) if value is not None]
        if given and not self.track:
            raise ValueError(f"{', '.join(given)} need --track")
        empty = [flag for flag in given if not str(getattr(self, flag[2:].replace("-", "_"))).strip()]
        if empty:
            raise ValueError(f"{', '.join(empty)} is empty; give a value, or leave it out for the default")
        if self.track and importlib.util.find_spec("mlflow") is None:
            raise ValueError("--track needs MLflow, which is not installed: pip install 'imdb-baselines[track]'")

    @property
    def out_of_fold(self) -> bool:
        """Whether cross-validation scores every labelled text: ``--cv`` on the user's data without a test table."""
        return bool(self.cv) and self.test is None and not corpus.DataSource(
            path=None if self.data is None else str(self.data), validation=self.validation).is_imdb

    @property
    def source(self) -> corpus.DataSource:
        """Where the texts come from."""
        return corpus.DataSource(path=None if self.data is None else str(self.data),
                                 test=None if self.test is None else str(self.test),
                                 validation=None if self.validation is None else str(self.validation),
                                 text_column=self.text_column, label_column=self.label_column,
                                 delimiter=self.delimiter, encoding=self.encoding,
                                 test_size=0.0 if self.out_of_fold else self.test_size,
                                 drop_empty=self.drop_empty, drop_duplicates=self.drop_duplicates,
                                 excerpt=self.excerpt, group_column=self.group_column,
                                 class_order=None if self.class_order is None else tuple(self.class_order))

    def neural_overrides(self) -> dict[str, Any]:
        """The run-wide settings of every neural model (epochs, batch size, the training display)."""
        overrides = {k: v for k, v in (("epochs", self.epochs), ("batch_size", self.batch_size)) if v is not None}
        overrides["verbose"] = 0 if self.quiet else "log"  # one display on standard error for every model kind
        return overrides

    def run_config(self, *, command: str = "") -> RunConfig:
        """The :class:`RunConfig` of these (checked) options."""
        return RunConfig(models=tuple(self.models), stopwords=tuple(self.stopwords),
                         out=None if self.out is None else Path(self.out), data=self.source, seed=self.seed,
                         validation_size=self.validation_size, sample=self.sample,
                         neural_overrides=self.neural_overrides(), n_resamples=self.bootstrap,
                         positive_label=self.positive_label, repeats=self.repeats, sort_by=self.sort,
                         save_models=bool(self.save_models), calibration=self.calibration, tune=self.tune,
                         settings=self.settings, command=command, cv=self.cv, cv_repeats=self.cv_repeats,
                         jobs=self.jobs, tune_metric=self.tune_metric, grids=dict(self.grid),
                         time_limit=self.time_limit)

    def make_engine(self):
        """The engine these options run on."""
        return engines.make_engine(self)


def run_name(options: CompareOptions, dataset: str) -> str:
    """The default report folder's name: the data set, models, stopword lists, seed (and sample, engine).

    Examples
    --------
    >>> run_name(CompareOptions(models=("nbsvm",)), "trec-train")
    'trec-train_nbsvm_minimal_seed0'
    """
    name = f"{dataset}_{'-'.join(options.models)}_{'-'.join(Path(s).stem for s in options.stopwords)}" \
           f"_seed{options.seed}"
    return name + (f"_sample{options.sample}" if options.sample else "") + \
        (f"_cv{options.cv}" if options.cv else "") + \
        ("" if options.engine == "local" else f"_{options.engine}")


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
