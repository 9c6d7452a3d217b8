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
from pathlib import Path

__all__ = ["main"]

REPORTS = Path(__file__).resolve().parent / "reports"


_RULES = """\
examples:
  imdb-compare                                           the default models on IMDB ($IMDB_DATA, cache or download)
  imdb-compare --sample 5000 --models naive_bayes,linear_svm,nbsvm,fasttext --epochs 3    a quick look
  imdb-compare --stopwords minimal,english,none --models nbsvm          a stopword ablation
  imdb-compare --repeats 3 --sort f1                     retrain with 3 seeds; leaderboard by F1
  imdb-compare --models nbsvm,fasttext --set nbsvm.C=0.5 --set fasttext.epochs=3
  imdb-compare --data reviews.csv --text-column review --label-column stars --test-size 0.2
  imdb-compare --engine spark --models naive_bayes,linear_svm,nbsvm      the baselines on Spark (local[2])
  imdb-compare --engine spark --spark-master spark://head:7077 --data hdfs:///corpora/reviews.parquet \\
      --spark-conf spark.executor.memory=8g                              the same on a cluster

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
  --engine      local, or spark (pip install 'imdb-baselines[spark]'; Java 17+): naive_bayes, linear_svm and
                nbsvm only, no --tune, --repeats or saved models
  --spark-conf  KEY=VALUE, a Spark setting (repeatable); only with --engine spark, as the other --spark-* options
  --sort        accuracy, f1, roc_auc... (any metric of the leaderboard, best first) or fit_s, predict_s,
                peak_memory_mib, model_mib (cheapest first)
exit status: 0 all models finished; 1 a model failed; 2 bad options or data; 130 / 143 stopped by
Ctrl-C / SIGTERM (the finished models are reported)
"""

MIN_BOOTSTRAP = 100  # fewer resamples give intervals too coarse to report
MIN_SAMPLE = 10  # reviews per split in --sample
MAX_VALIDATION_SIZE = 0.5  # validation is carved from train; more would leave the models less to learn from
MAX_SEED = 2**32 - 1  # numpy's RandomState accepts seeds up to this
MAX_REPEATS = 20  # seeds per model; more is a benchmark, not a comparison
MAX_BOOTSTRAP = 100_000  # resamples per interval; more changes no reported digit and takes hours


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="imdb-compare", description=__doc__.splitlines()[0],
                                     epilog=_RULES, formatter_class=argparse.RawDescriptionHelpFormatter,
                                     allow_abbrev=False)
    parser.add_argument("--models", default=None,
                        help="comma list of models (default: naive_bayes,linear_svm,nbsvm,lstm); see --list-models")
    parser.add_argument("--stopwords", default="minimal",
                        help="stopword list name or file, or a comma list to run an ablation (first is primary)")
    parser.add_argument("--data", help="aclImdb_v1.tar.gz or its aclImdb folder (default: $IMDB_DATA, then the "
                        "cache, then download); or your labelled texts: a .csv/.tsv/.jsonl/.parquet table, or a "
                        "folder with one sub-folder per class (optionally under train/ and test/)")
    parser.add_argument("--test", help="your test table, used as given (default: carve --test-size from --data)")
    parser.add_argument("--validation", help="your validation table, used as given (default: carve "
                        "--validation-size from the training texts)")
    parser.add_argument("--text-column", default="text", help="text column of your tables (default: text)")
    parser.add_argument("--label-column", default="label", help="label column of your tables (default: label)")
    parser.add_argument("--test-size", type=float, default=0.2,
                        help="share of --data carved out as test set when there is no --test (default 0.2)")
    parser.add_argument("--delimiter", help="CSV delimiter (default: detected)")
    parser.add_argument("--encoding", default="utf-8", help="encoding of your files (default: utf-8)")
    parser.add_argument("--drop-empty", action="store_true", help="drop rows with empty texts instead of failing")
    parser.add_argument("--drop-duplicates", action="store_true",
                        help="drop training and validation texts that also occur in the test set")
    parser.add_argument("--positive-label", help="the positive class of two-class data (default: the second in "
                        "sorted order; IMDB: 1)")
    parser.add_argument("--excerpt", action="store_true",
                        help="accept a balanced excerpt in the aclImdb layout (any number of reviews per class)")
    parser.add_argument("--out", help="report folder (default: reports/<run-name>)")
    parser.add_argument("--wait", action="store_true",
                        help="if another run is writing the same --out, wait for it instead of failing")
    parser.add_argument("--seed", type=int, default=0, help="seed of splits, models and bootstrap (default 0)")
    parser.add_argument("--validation-size", type=float, default=0.1,
                        help="share of train carved out for validation (default 0.1)")
    parser.add_argument("--sample", type=int, help="use a stratified sample of N reviews per split")
    parser.add_argument("--set", action="append", default=[], metavar="MODEL.KEY=VALUE",
                        help="change one model's setting, e.g. --set nbsvm.C=0.5 --set fasttext.learning_rate=0.001 "
                        "(repeatable; --list-models shows the settings)")
    parser.add_argument("--epochs", type=int, help="epochs of every neural model")
    parser.add_argument("--batch-size", type=int, help="batch size of every neural model")
    parser.add_argument("--bootstrap", type=int, default=1000,
                        help="bootstrap resamples per interval (default 1000; 0: no intervals)")
    parser.add_argument("--repeats", type=int, default=1,
                        help="train each model that uses a seed with N seeds (the split stays) and report the "
                        "spread of its test accuracy (default 1)")
    parser.add_argument("--sort", default="accuracy", help="the leaderboard's order (default accuracy)")
    parser.add_argument("--tune", action="store_true",
                        help="first search each model's documented grid (n-gram range, C, beta, alpha, loss; the "
                        "neural models' learning rate and maxlen) by stratified cross-validation on the training "
                        "split only, then fit the best; the report lists the grid's scores. Settings fixed with "
                        "--set stay out of the grid")
    parser.add_argument("--calibration", action=argparse.BooleanOptionalAction, default=True,
                        help="report each model's calibration (Brier score, reliability diagram); the linear SVM "
                        "and NBSVM get probabilities from a sigmoid fitted on the validation split (default on)")
    parser.add_argument("--save-models", action=argparse.BooleanOptionalAction, default=None,
                        help="keep the trained models in the report folder (models/NAME; imdb-predict and "
                        "modelfiles.load_model read them; default on with the local engine)")
    parser.add_argument("--engine", choices=("local", "spark"), default="local",
                        help="where the models run: this process (default), or Apache Spark for the three "
                        "baselines (the same split, tokens and report)")
    parser.add_argument("--spark-master", default="local[2]",
                        help="the Spark master: local[N], spark://HOST:PORT, yarn, k8s://... (default local[2])")
    parser.add_argument("--spark-conf", action="append", default=[], metavar="KEY=VALUE",
                        help="a Spark setting, e.g. spark.executor.memory=8g (repeatable)")
    parser.add_argument("--spark-driver-memory", default="6g",
                        help="the Spark driver's heap; in local mode it also holds the executors (default 6g)")
    parser.add_argument("--spark-solver", choices=("newton", "lbfgs"), default="newton",
                        help="how Spark fits the linear SVM and NBSVM: liblinear's Newton method, as the local "
                        "engine (default), or Spark's own LinearSVC with L-BFGS")
    parser.add_argument("--list-models", action="store_true", help="list the model names and exit")
    parser.add_argument("--quiet", action="store_true", help="no progress bars; warnings and errors only")
    parser.add_argument("--verbose", action="store_true", help="also TensorFlow's own start-up log lines")
    return parser


def _check_options(parser: argparse.ArgumentParser, args: argparse.Namespace, names: list[str]) -> tuple[
        list[str], list[str]]:
    """The model and stopword lists, after every rule of ``--help`` that needs no data."""
    if args.models is not None and not args.models.strip(" ,"):
        parser.error("--models is empty; give a comma list of names (see --list-models)")
    from engines import SPARK_MODELS

    defaults = SPARK_MODELS if args.engine == "spark" else _default_models()
    models = [m.strip() for m in (args.models or ",".join(defaults)).split(",") if m.strip()]
    unknown = [m for m in models if m not in names]
    if unknown or len(set(models)) != len(models):
        parser.error(f"--models: unknown or repeated {unknown or models}; valid names: {', '.join(names)}")
    stopwords = [s.strip() for s in args.stopwords.split(",") if s.strip()]
    if not stopwords:
        parser.error("--stopwords is empty; name a list (minimal, english, sentiment, none) or a file")
    import corpus

    for item in stopwords:
        try:
            corpus.get_stopwords(item)
        except ValueError as error:
            parser.error(f"--stopwords: {error}")
    if args.data is not None and not args.data.strip():
        parser.error("--data is empty; give the archive or folder, or leave --data out to use $IMDB_DATA")
    import codecs

    try:
        codecs.lookup(args.encoding)
    except LookupError:
        parser.error(f"--encoding {args.encoding!r} is not an encoding Python knows (e.g. utf-8, latin-1, cp1252)")
    if args.text_column == args.label_column:
        parser.error(f"--text-column and --label-column are both {args.text_column!r}; name two different columns")
    if args.out is not None and not args.out.strip():
        parser.error("--out is empty; give a folder, or leave --out out for reports/<run-name>")
    if not 0 <= args.seed <= MAX_SEED:
        parser.error(f"--seed must be an int in [0, {MAX_SEED}]")
    if args.bootstrap != 0 and not MIN_BOOTSTRAP <= args.bootstrap <= MAX_BOOTSTRAP:
        parser.error(f"--bootstrap must be 0 (no intervals) or an int in [{MIN_BOOTSTRAP}, {MAX_BOOTSTRAP}]")
    if not 0 < args.test_size <= MAX_VALIDATION_SIZE:
        parser.error(f"--test-size must be in (0, {MAX_VALIDATION_SIZE}]")
    if not 0 <= args.validation_size <= MAX_VALIDATION_SIZE:
        parser.error(f"--validation-size must be in [0, {MAX_VALIDATION_SIZE}]")
    if args.sample is not None and args.sample < MIN_SAMPLE:
        parser.error(f"--sample must be at least {MIN_SAMPLE}")
    if not 1 <= args.repeats <= MAX_REPEATS:
        parser.error(f"--repeats must be an int in [1, {MAX_REPEATS}]")
    from evaluation.report import SORT_KEYS

    if args.sort not in SORT_KEYS:
        parser.error(f"--sort must be one of {', '.join(SORT_KEYS)}")
    if any(v is not None and v < 1 for v in (args.epochs, args.batch_size)):
        parser.error("--epochs and --batch-size must be >= 1")
    from evaluation.registry import parse_settings

    try:
        args.settings = parse_settings(args.set, models)
    except ValueError as error:  # from --set, --epochs or --batch-size
        parser.error(f"a model's setting is out of range: {error}")
    _check_engine(parser, args, models)
    return models, stopwords


def _check_engine(parser: argparse.ArgumentParser, args: argparse.Namespace, models: list[str]) -> None:
    """The rules of --engine spark; the local engine takes no --spark-* options."""
    if args.engine == "local":
        if args.spark_conf or (args.spark_master, args.spark_driver_memory, args.spark_solver) != (
                "local[2]", "6g", "newton"):
            parser.error("--spark-master, --spark-conf, --spark-driver-memory and --spark-solver need --engine spark")
        args.save_models = True if args.save_models is None else args.save_models
        return
    from engines import SPARK_MODELS

    others = [m for m in models if m not in SPARK_MODELS]
    if others:
        parser.error(f"--engine spark runs {', '.join(SPARK_MODELS)}; leave out {', '.join(others)}")
    refused = [flag for flag, given in (("--tune", args.tune), ("--repeats", args.repeats > 1),
                                        ("--save-models", args.save_models), ("--drop-duplicates",
                                                                              args.drop_duplicates)) if given]
    if refused:
        parser.error(f"--engine spark does not take {', '.join(refused)}; use the local engine for them")
    args.save_models = False
    conf = {}
    for item in args.spark_conf:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            parser.error(f"--spark-conf must be KEY=VALUE, e.g. spark.executor.memory=8g. Got {item!r} instead.")
        conf[key.strip()] = value.strip()
    args.spark_options = conf


def _model_list(names: list[str]) -> str:
    """Each model: kind and description, main settings, and its figures in the committed reference report."""
    import json

    from evaluation.registry import describe, is_neural

    try:
        reference = {row["model"]: row for row in json.loads(
            (REPORTS / "reference" / "results.json").read_text(encoding="utf-8"))["results"]}
    except (OSError, ValueError, KeyError):
        reference = {}
    lines = []
    width = max(map(len, names)) + 1
    for name in names:
        description, settings = describe(name)
        shown = ", ".join(f"{key}={value!r}" for key, value in settings.items()) or \
            "KerasTextClassifier's defaults (the tutorial's: 10,000 words, maxlen 200, 5 epochs of 64)"
        row = reference.get(name)
        figures = (f"reference (IMDB, full data): accuracy {row['accuracy']:.4f}, fit {row['fit_s']:,.1f} s"
                   if row else "not in the reference report")
        lines += [f"{name:<{width}}{'neural' if is_neural(name) else 'baseline':<9} {description}",
                  f"{'':<{width + 10}}settings: {shown}", f"{'':<{width + 10}}{figures}"]
    return "\n".join(lines)


def _positive_label(text: str | None):
    """The --positive-label as the data will hold it: an integer or boolean where it reads as one."""
    if text is None:
        return None
    if text.lstrip("+-").isdigit():
        return int(text)
    return {"true": True, "false": False}.get(text.lower(), text)


def _default_models() -> tuple[str, ...]:
    from evaluation.registry import DEFAULT_MODELS

    return DEFAULT_MODELS


def _run_name(models: list[str], stopwords: list[str], seed: int, sample: int | None, engine: str = "local") -> str:
    name = f"{'-'.join(models)}_{'-'.join(Path(s).stem for s in stopwords)}_seed{seed}"
    return name + (f"_sample{sample}" if sample else "") + ("" if engine == "local" else f"_{engine}")


def _run(config, args: argparse.Namespace):
    """The comparison on the engine of ``--engine``."""
    if args.engine == "spark":
        from engines.spark import SparkOptions, run_spark_comparison

        options = SparkOptions(master=args.spark_master, conf=args.spark_options,
                               driver_memory=args.spark_driver_memory, solver=args.spark_solver)
        return run_spark_comparison(config, options, wait=args.wait)
    from evaluation.comparison import run_comparison

    return run_comparison(config, wait=args.wait)


def main(argv: list[str] | None = None) -> int:
    """Run the comparison from command-line arguments; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.quiet and args.verbose:
        parser.error("--quiet and --verbose cannot go together")
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO,
                        format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    if args.verbose:
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "0"
    from evaluation.registry import model_names

    names = model_names()
    if args.list_models:
        print(_model_list(names))
        return 0
    models, stopwords = _check_options(parser, args, names)
    overrides = {k: v for k, v in (("epochs", args.epochs), ("batch_size", args.batch_size)) if v is not None}
    overrides["verbose"] = 0 if args.quiet else "log"  # one display on standard error for every model kind
    from evaluation.registry import check_models

    try:  # every setting's range, before any data is read
        check_models(models, stopwords=stopwords[0], seed=args.seed, settings=args.settings,
                     neural_overrides=overrides)
    except ValueError as error:  # from --set, --epochs or --batch-size
        parser.error(f"a model's setting is out of range: {error}")
    from tqdm.contrib.logging import logging_redirect_tqdm

    import corpus
    from corpus.progress import show_progress
    from evaluation.leaderboard import leaderboard
    from evaluation.report import table_of, update_index
    from evaluation.runner import RunConfig
    from evaluation.stops import RunStopped, stop_on_signals
    from storage import TargetError

    source = corpus.DataSource(path=args.data, test=args.test, validation=args.validation,
                               text_column=args.text_column, label_column=args.label_column,
                               delimiter=args.delimiter, encoding=args.encoding, test_size=args.test_size,
                               drop_empty=args.drop_empty, drop_duplicates=args.drop_duplicates, excerpt=args.excerpt)
    from evaluation.registry import uses_unlabelled

    learners = [name for name in models if uses_unlabelled(name)]
    if learners and not source.is_imdb:
        parser.error(f"{', '.join(learners)} learn word vectors from unlabelled texts, which only IMDB provides "
                     "(its train/unsup reviews); leave them out with your own data")
    out = Path(args.out) if args.out else REPORTS / _run_name(models, stopwords, args.seed, args.sample, args.engine)
    command = shlex.join(["python", "compare.py", *(sys.argv[1:] if argv is None else argv)])
    config = RunConfig(models=tuple(models), stopwords=tuple(stopwords), out=out, data=source, seed=args.seed,
                       validation_size=args.validation_size, sample=args.sample, neural_overrides=overrides,
                       n_resamples=args.bootstrap, positive_label=_positive_label(args.positive_label),
                       repeats=args.repeats, sort_by=args.sort, save_models=args.save_models,
                       calibration=args.calibration, tune=args.tune, settings=args.settings,
                       command=command)
    show_progress(not args.quiet)
    try:
        with stop_on_signals(), logging_redirect_tqdm():
            run = _run(config, args)
    except (FileNotFoundError, corpus.DataError, TargetError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # a full disk, a folder that vanished: the report folder keeps its old report
        print(f"error: the run could not write {error.filename or config.out} ({error.strerror or error}); an "
              "earlier report in that folder is unchanged.", file=sys.stderr)
        return 1
    except RunStopped as stop:
        how = stop.describe()
        print(f"{how[0].upper()}{how[1:]} before any model finished; no report was written.", file=sys.stderr)
        return stop.exit_status
    if run.folder.resolve().parent == REPORTS:
        update_index(REPORTS)
    results = run.by_list[stopwords[0]]
    board = leaderboard(results, args.sort)
    if len(board):
        columns = [metric.name for metric in table_of(results)] + ["fit_s"]
        print("\n" + board[columns].to_string(float_format=lambda v: f"{v:.4f}"))
    failed = [r for rs in run.by_list.values() for r in rs if r.status != "ok"]
    for r in failed:
        print(f"{r.name} ({r.stopwords}): {r.status}: {r.error}", file=sys.stderr)
    for warning in run.warnings:
        print(f"warning: {warning.replace('`', '')}", file=sys.stderr)
    print(f"\nReport: {run.folder / 'report.md'}")
    if run.stopped:
        return run.stopped.exit_status
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
