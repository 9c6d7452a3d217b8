"""Compare classical bag-of-words baselines with Keras models on IMDB or your own texts, and write a report.

Every model sees the same train / validation / test texts, prepared by the
same tokenizer and stopword filter; the report lands in ``reports/<run>/``.
"""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import sys
from dataclasses import replace
from pathlib import Path

from imdb_baselines.options import ENGINES, SPARK_SOLVERS, CompareOptions, run_name

__all__ = ["main"]



def reports_folder() -> Path:
    """Where reports go without ``--out``: ``reports/`` of the current folder."""
    return Path.cwd() / "reports"


_RULES = """\
examples:
  imdb-compare                                           the default models on IMDB ($IMDB_DATA, cache or download)
  imdb-compare --sample 5000 --models naive_bayes,linear_svm,nbsvm,fasttext --epochs 3    a quick look
  imdb-compare --stopwords minimal,english,none --models nbsvm          a stopword ablation
  imdb-compare --repeats 3 --sort f1                     retrain with 3 seeds; leaderboard by F1
  imdb-compare --models nbsvm,fasttext --set nbsvm.C=0.5 --set fasttext.epochs=3
  imdb-compare --data reviews.csv --text-column review --label-column stars --test-size 0.2
  imdb-compare --models naive_bayes,nbsvm --track       also log to MLflow (reports/mlflow.db); then: mlflow ui \
      --backend-store-uri sqlite:///reports/mlflow.db
  imdb-compare --engine spark --models naive_bayes,linear_svm,nbsvm      the baselines on Spark (local[2])
  imdb-compare --engine spark --spark-master spark://head:7077 --data hdfs:///corpora/reviews.parquet \\
      --spark-conf spark.executor.memory=8g                              the same on a cluster
  imdb-compare --engine chunked --data big.parquet --test test.parquet   the baselines from a table larger than
                                                                         memory, read in chunks

stopword lists: minimal (15 words, the default), english (318, scikit-learn's), sentiment (274: english
without negations, contrast and intensity words), none, or a file with one word per line.

rules (each checked before any data is loaded; a broken one exits with status 2):
  --models      a comma list of registered names, none repeated (see --list-models)
  --stopwords   one or more list names or files, comma-separated: minimal, english, sentiment, none
  --data        the IMDB archive or aclImdb folder, or your table (.csv .tsv .jsonl .parquet) or folder
                with one sub-folder per class; not empty
  --test-size   a share in (0, 0.5] (only without --test)
  --out         absent, empty, or a report folder this package wrote; never the data or a folder holding it
  --seed        an int in [0, 2**32 - 1]
  --validation-size  a share in [0, 0.5]; after loading, every class must keep 5 training reviews
  --sample      an int >= 10 (reviews per split, half of each class)
  --bootstrap   0 (no intervals) or an int in [100, 100000]
  --repeats     an int in [1, 20]
  --set         MODEL.KEY=VALUE for a model of the run and one of its settings, VALUE of that setting's type
                and in its valid range (e.g. C > 0, 1 <= min_n <= max_n)
  --epochs, --batch-size  ints >= 1, within each neural model's range (epochs <= 10000)
  --engine      local, or spark (pip install 'imdb-baselines[spark]'; Java 17+): {spark_models} only,
                no --tune, --repeats or saved models; or chunked: the same models, hashed, no --tune or --repeats
  --spark-conf  KEY=VALUE, a Spark setting (repeatable); only with --engine spark, as the other --spark-* options
  --class-order every class of the data once, comma-separated (checked once the data is read)
  --track       MLflow installed (the track extra); --tracking-uri, --experiment and --register need --track, and
                the tracking store must answer (checked before any data is read)
  --sort        accuracy, f1, roc_auc... (any metric of the leaderboard, best first) or fit_s, predict_s,
                peak_memory_mib, model_mib (cheapest first)
exit status: 0 all models finished; 1 a model failed; 2 bad options or data; 130 / 143 stopped by
Ctrl-C / SIGTERM (the finished models are reported)
"""

_D = CompareOptions()  # the defaults, shown in --help


def _parser() -> argparse.ArgumentParser:
    from imdb_baselines.catalog import DEFAULT_MODELS, models_on

    parser = argparse.ArgumentParser(prog="imdb-compare", description=__doc__.splitlines()[0],
                                     epilog=_RULES.format(spark_models=", ".join(models_on("spark"))),
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     allow_abbrev=False, argument_default=argparse.SUPPRESS)
    add = parser.add_argument_group("models").add_argument
    add("--models", help=f"comma list of models (default: {','.join(DEFAULT_MODELS)}); see --list-models")
    add("--estimator", action="append", dest="estimators", metavar="[NAME=]module:factory", help="also run your "
        "own scikit-learn classifier or pipeline over raw texts: a function without arguments that returns one, "
        "imported from the current folder or your packages (repeatable); it gets the same splits, folds, metrics, "
        "tests, report rows and saved model as the catalogue's models")
    add("--stopwords", help="stopword list name or file, or a comma list to run an ablation (first is primary; "
        f"default {_D.stopwords[0]})")
    add = parser.add_argument_group("data (IMDB, or your labelled texts)").add_argument
    add("--data", help="aclImdb_v1.tar.gz or its aclImdb folder (default: $IMDB_DATA, then the cache, then "
        "download); or your labelled texts: a .csv/.tsv/.jsonl/.parquet table (the first three also as .gz, .bz2 "
        "or .xz), or a folder with one sub-folder per class (optionally under train/ and test/)")
    add("--test", help="your test table, used as given (default: carve --test-size from --data)")
    add("--validation", help="your validation table, used as given (default: carve --validation-size from the "
        "training texts)")
    add("--text-column", help=f"text column of your tables (default: {_D.text_column})")
    add("--label-column", help=f"label column of your tables (default: {_D.label_column})")
    add("--test-size", type=float, help=f"share of --data carved out as test set when there is no --test (default "
        f"{_D.test_size})")
    add("--delimiter", help="CSV delimiter (default: detected)")
    add("--encoding", help=f"encoding of your files (default: {_D.encoding})")
    add("--drop-empty", action="store_true", help="drop rows with empty texts instead of failing")
    add("--drop-duplicates", action="store_true", help="drop training and validation texts that also occur in the "
        "test set")
    add("--positive-label", help="the positive class of two-class data (default: the second in sorted order; "
        "IMDB: 1)")
    add("--class-order", help="the classes in the order the report shows them, comma-separated (e.g. a scale: "
        "'very negative,negative,neutral,positive,very positive'); default: sorted, numbers in numeric order")
    add("--group-column", metavar="COL", help="a column naming each text's group (an author, a product; IMDB: "
        "movie, from the archive's urls_*.txt): the test and validation carves and every fold keep each group on "
        "one side (default: none)")
    add("--excerpt", action="store_true", help="accept a balanced excerpt in the aclImdb layout (any number of "
        "reviews per class)")
    add = parser.add_argument_group("report folder").add_argument
    add("--out", help="report folder (default: reports/<run-name> of the current folder)")
    add("--wait", action="store_true", help="if another run is writing the same --out, wait for it instead of "
        "failing")
    add("--resume", action="store_true", help="finish the stopped run whose report is in --out: the models it "
        "finished are taken from its report, not fitted again (the same data, split, options, code and libraries; "
        "give its command again); where --out holds no stopped run, every model runs")
    add = parser.add_argument_group("the run").add_argument
    add("--seed", type=int, help=f"seed of splits, models and bootstrap (default {_D.seed})")
    add("--validation-size", type=float, help=f"share of train carved out for validation (default "
        f"{_D.validation_size})")
    add("--sample", type=int, help="use a stratified sample of N reviews per split")
    add("--set", action="append", metavar="MODEL.KEY=VALUE", dest="settings", help="change one model's setting, "
        "e.g. --set nbsvm.C=0.5 --set fasttext.learning_rate=0.001 (repeatable; --list-models shows the settings)")
    add("--epochs", type=int, help="epochs of every neural model")
    add("--batch-size", type=int, help="batch size of every neural model")
    add("--bootstrap", type=int, help=f"bootstrap resamples per interval (default {_D.bootstrap}; 0: no intervals)")
    add("--repeats", type=int, help="train each model that uses a seed with N seeds (the split stays) and report "
        f"the spread of its test accuracy (default {_D.repeats})")
    add("--sort", help=f"the leaderboard's order (default {_D.sort})")
    add = parser.add_argument_group("tuning and cross-validation").add_argument
    add("--tune", action=argparse.BooleanOptionalAction, help="first search each model's grid in the catalogue "
        "(n-gram range, C, beta, alpha, loss, min_df; the neural models' learning rate and maxlen; see --list-models) "
        "by stratified cross-validation on the training split only, then fit the best; the report lists the grid's "
        "scores. Settings fixed with --set stay out of the grid. Default: the baselines' grids are searched when "
        "they are cheap on the training set (at least 1,000 texts and at most 100 M token-fits: SST-5 and TREC "
        "yes, IMDB no), keeping the defaults unless the folds tell the best apart from them; --no-tune turns that "
        "off")
    add("--tune-metric", choices=("accuracy", "macro_f1", "roc_auc", "log_loss"), help="what --tune optimises "
        f"(default {_D.tune_metric})")
    add("--grid", action="append", metavar="MODEL.KEY=V1,V2", help="search these values of one setting with --tune "
        "instead of the catalogue's, e.g. --grid nbsvm.C=0.1,1,10 or --grid nbsvm.ngram_range=(1,2),(1,3) "
        "(repeatable)")
    add("--cv", type=int, metavar="K", help="also train and score every model on K stratified folds (of the "
        "training data; of every labelled text when there is no --test, which then carves no test set) and "
        "report each metric's mean, spread and interval over the folds, with paired tests fit for folds "
        "(default: off)")
    add("--cv-repeats", type=int, metavar="R", help=f"draw the --cv folds R times (default {_D.cv_repeats}; "
        "--cv 2 --cv-repeats 5 gives Dietterich's 5x2 cv test)")
    add("--jobs", type=int, metavar="N", help=f"fit N folds at a time, in worker processes (default {_D.jobs}; "
        "each holds its own n-gram counts; the neural models take one at a time)")
    add("--time-limit", type=float, metavar="SECONDS", help="stop a model whose folds, tuning, fit and test "
        "predictions take longer (the report names it as timed out; the others go on; default: no limit)")
    add = parser.add_argument_group("training and scoring").add_argument
    add("--class-weight", choices=("balanced",), help="weigh each class inversely to its frequency in every "
        "model: the SVMs', NBSVM's and the ensemble's losses, the Keras models' loss, Naive Bayes' priors (made "
        "equal); recorded in the report (default: off)")
    add("--calibration", action=argparse.BooleanOptionalAction, help="report each model's calibration (Brier "
        "score, reliability diagram); the linear SVM and NBSVM get probabilities from a sigmoid fitted on the "
        "validation split (default on)")
    add("--save-models", action=argparse.BooleanOptionalAction, help="keep the trained models in the report "
        "folder (models/NAME; imdb-predict and imdb_baselines.load_model read them; default on with the local "
        "engine)")
    add = parser.add_argument_group("engines").add_argument
    add("--engine", choices=ENGINES, help=f"where the models run: this process ({_D.engine}, the default), or "
        "Apache Spark for the three baselines (the same split, tokens and report), or chunked: the three baselines "
        "with hashed n-grams from tables read a chunk at a time, in memory that does not grow with the corpus")
    add("--spark-master", help=f"the Spark master: local[N], spark://HOST:PORT, yarn, k8s://... (default "
        f"{_D.spark_master})")
    add("--spark-conf", action="append", metavar="KEY=VALUE", help="a Spark setting, e.g. "
        "spark.executor.memory=8g (repeatable)")
    add("--spark-driver-memory", help="the Spark driver's heap; in local mode it also holds the executors "
        f"(default {_D.spark_driver_memory})")
    add("--spark-solver", choices=SPARK_SOLVERS, help="how Spark fits the linear SVM and NBSVM: liblinear's Newton "
        "method, as the local engine (default), or Spark's own LinearSVC with L-BFGS")
    add = parser.add_argument_group("tracking in MLflow").add_argument
    add("--track", action="store_true", help="also log the comparison to MLflow (pip install "
        "'imdb-baselines[track]'): a parent run with the report's files, a nested run per model with its settings "
        "and metrics, and each kept model as an MLflow model that takes raw text")
    add("--tracking-uri", help="MLflow's tracking URI: a database (sqlite:///FILE, postgresql://...) or a server "
        "(http://HOST:PORT); default sqlite:///<the report's parent folder>/mlflow.db, artifacts in mlartifacts/ "
        "beside it")
    add("--experiment", help="the MLflow experiment (default: named after the data set)")
    add("--register", metavar="NAME", help="register the best model (by --sort) in MLflow's model registry as NAME")
    add = parser.add_argument_group("other").add_argument
    add("--list-models", action="store_true", help="list the models of the catalogue and exit")
    add("--quiet", action="store_true", help="no progress bars; warnings and errors only")
    add("--verbose", action="store_true", help="also TensorFlow's own start-up log lines")
    return parser


def options_from(parser: argparse.ArgumentParser, args: argparse.Namespace) -> CompareOptions:
    """The flags given, as :class:`CompareOptions` (the others keep its defaults), checked; a broken rule is
    ``parser.error`` (exit status 2)."""
    given = {key: value for key, value in vars(args).items() if key not in ("list_models", "verbose")}
    for key in ("models", "stopwords", "class_order"):
        if key in given:
            given[key] = tuple(item.strip() for item in given[key].split(",") if item.strip())
    if "positive_label" in given:
        given["positive_label"] = _positive_label(given["positive_label"])
    if "spark_conf" in given:
        conf = {}
        for item in given["spark_conf"]:
            key, sep, value = item.partition("=")
            if not sep or not key.strip() or not value.strip():
                parser.error(f"--spark-conf must be KEY=VALUE, e.g. spark.executor.memory=8g. Got {item!r} instead.")
            conf[key.strip()] = value.strip()
        given["spark_conf"] = conf
    try:
        return CompareOptions(**given).checked()
    except ValueError as error:
        parser.error(str(error))  # each rule names its option, as the command line spells it


def _model_list(names: list[str]) -> str:
    """Each model of the catalogue: kind and description, settings, grid and capabilities, reference figures."""
    import textwrap

    from imdb_baselines.catalog import defaults, spec
    from imdb_baselines.reference import reference_figures, settings_since

    reference = reference_figures()
    lines = []
    width = max(map(len, names)) + 1
    indent = " " * (width + 10)
    for name in names:
        entry = spec(name)
        if entry.is_neural:  # the variant's own values; the rest are the estimator's (no TensorFlow import here)
            own = {key: value for key, value in entry.settings.items() if key != "model"}
            shown = "".join(f"{key}={value!r}, " for key, value in own.items()) + ("otherwise " if own else "") + \
                "KerasTextClassifier's defaults, the tutorial's (help(neural.KerasTextClassifier))"
        else:
            shown = ", ".join(f"{key}={value!r}" for key, value in defaults(name).items())
        grid = "; ".join(f"{key} in {values}" for key, values in entry.grid.items()) if entry.grid else \
            f"none ({entry.no_grid})"
        if entry.kind == "baseline":
            grid += " (searched without --tune too where cheap on the training set; --no-tune: never)"
        runs = f"engines: {', '.join(entry.engines)}; exports: {', '.join(entry.exports) or 'none'}; " + \
            (f"needs the {entry.extra} extra" if entry.extra else "in the core install") + \
            ("; learns from IMDB's unlabelled reviews" if entry.needs_unlabelled else "")
        changed = settings_since(name, {key: value for key, value in entry.settings.items() if key != "model"})
        row = reference.get(name)
        since = f", before {', '.join(changed)}" if changed else ""
        figures = (f"reference (IMDB, full data{since}): accuracy {row['accuracy']:.4f}, fit {row['fit_s']:,.1f} s"
                   if row else "not in the reference report")
        lines.append(f"{name:<{width}}{entry.kind:<9} {entry.description}")
        for label, text in (("settings", shown), ("--tune grid", grid), ("", runs), ("", figures)):
            lines += textwrap.wrap(f"{label}: {text}" if label else text, width=118, initial_indent=indent,
                                   subsequent_indent=indent + "  ", break_on_hyphens=False)
    return "\n".join(lines)


def _positive_label(text: str | None):
    """The --positive-label as the data will hold it: an integer or boolean where it reads as one."""
    if text is None:
        return None
    if text.lstrip("+-").isdigit():
        return int(text)
    return {"true": True, "false": False}.get(text.lower(), text)


def main(argv: list[str] | None = None) -> int:
    """Run the comparison from command-line arguments; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if getattr(args, "quiet", False) and getattr(args, "verbose", False):
        parser.error("--quiet and --verbose cannot go together")
    logging.basicConfig(level=logging.WARNING if getattr(args, "quiet", False) else logging.INFO,
                        format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    if getattr(args, "verbose", False):
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "0"
    if getattr(args, "list_models", False):
        from imdb_baselines.catalog import model_names

        print(_model_list(model_names()))
        return 0
    options = options_from(parser, args)
    from imdb_baselines.catalog import check_models

    try:  # every setting's range, before any data is read
        check_models(options.models, stopwords=options.stopwords[0], seed=options.seed, settings=options.settings,
                     neural_overrides=options.neural_overrides())
    except ValueError as error:  # from --set, --epochs or --batch-size
        parser.error(f"invalid model setting: {error}")
    from tqdm.contrib.logging import logging_redirect_tqdm

    from imdb_baselines import api, corpus
    from imdb_baselines.corpus.progress import show_progress
    from imdb_baselines.evaluation.report import table_of, update_index
    from imdb_baselines.run.stops import RunStopped, stop_on_signals
    from imdb_baselines.storage import TargetError
    from imdb_baselines.tracking import TrackingError

    reports = reports_folder()
    if options.out is None:
        options = replace(options, out=reports / run_name(options, options.source.dataset_name))
    from imdb_baselines.evaluation.folder import runs_from_checkout

    program = ["python", "compare.py"] if runs_from_checkout() else ["imdb-compare"]  # how to rerun it from here
    command = shlex.join([*program, *(sys.argv[1:] if argv is None else argv)])
    show_progress(not options.quiet)
    try:
        with stop_on_signals(), logging_redirect_tqdm():
            run = api.run(options, command=command)
    except (FileNotFoundError, corpus.DataError, TargetError, TrackingError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ValueError as error:  # a rule that needs to know the data, e.g. word2vec on the user's texts
        parser.error(str(error))
    except OSError as error:  # a full disk, a folder that vanished: the report folder keeps its old report
        print(f"error: the run could not write {error.filename or options.out} ({error.strerror or error}); an "
              "earlier report in that folder is unchanged.", file=sys.stderr)
        return 1
    except RunStopped as stop:
        how = stop.describe()
        print(f"{how[0].upper()}{how[1:]} before any model finished; no report was written.", file=sys.stderr)
        return stop.exit_status
    if run.folder.resolve().parent == reports.resolve():
        update_index(reports)
    board = api.leaderboard(run.by_list, options.sort)
    if len(board):
        columns = (["stopwords"] if len(run.by_list) > 1 else []) + [
            metric.name for metric in table_of(run.by_list[options.stopwords[0]])] + ["fit_s"]
        print("\n" + board[columns].to_string(float_format=lambda v: f"{v:.4f}"))
    failed = [r for rs in run.by_list.values() for r in rs if r.status != "ok"]
    for r in failed:
        print(f"{r.name} ({r.stopwords}): {r.status}: {r.error}", file=sys.stderr)
    failed = [r for r in failed if r.status != "timed out"]  # --time-limit asked for it: not a failure
    for warning in run.warnings:
        print(f"warning: {warning.replace('`', '')}", file=sys.stderr)
    print(f"\nReport: {run.folder / 'report.md'}")
    if run.stopped:
        return run.stopped.exit_status
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
