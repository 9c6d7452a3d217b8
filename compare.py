"""Compare classical bag-of-words baselines with Keras models on IMDB and write a report.

Every model sees the same train / validation / test reviews, prepared by the
same tokenizer and stopword filter; the report lands in ``reports/<run>/``.
"""

from __future__ import annotations

import argparse
import logging
import shlex
import sys
from pathlib import Path

__all__ = ["main"]

REPORTS = Path(__file__).resolve().parent / "reports"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="imdb-compare", description=__doc__.splitlines()[0],
                                     allow_abbrev=False)
    parser.add_argument("--models", default=None,
                        help="comma list of models (default: naive_bayes,linear_svm,nbsvm,lstm); see --list-models")
    parser.add_argument("--stopwords", default="minimal",
                        help="stopword list name or file, or a comma list to run an ablation (first is primary)")
    parser.add_argument("--data", help="aclImdb_v1.tar.gz or extracted aclImdb folder "
                        "(default: $IMDB_DATA, then the cache, then download)")
    parser.add_argument("--excerpt", action="store_true",
                        help="accept a balanced excerpt in the aclImdb layout (any number of reviews per class)")
    parser.add_argument("--out", help="report folder (default: reports/<run-name>)")
    parser.add_argument("--seed", type=int, default=0, help="seed of splits, models and bootstrap (default 0)")
    parser.add_argument("--validation-size", type=float, default=0.1,
                        help="share of train carved out for validation (default 0.1)")
    parser.add_argument("--sample", type=int, help="use a stratified sample of N reviews per split")
    parser.add_argument("--epochs", type=int, help="epochs of every neural model")
    parser.add_argument("--batch-size", type=int, help="batch size of every neural model")
    parser.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples per interval (default 1000)")
    parser.add_argument("--list-models", action="store_true", help="list the model names and exit")
    parser.add_argument("--quiet", action="store_true", help="no progress, warnings and errors only")
    return parser


def _run_name(models: list[str], stopwords: list[str], seed: int, sample: int | None) -> str:
    name = f"{'-'.join(models)}_{'-'.join(Path(s).stem for s in stopwords)}_seed{seed}"
    return name + (f"_sample{sample}" if sample else "")


def main(argv: list[str] | None = None) -> int:
    """Run the comparison from command-line arguments; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO,
                        format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    from evaluation.registry import DEFAULT_MODELS, is_neural, model_names

    names = model_names()
    if args.list_models:
        print("\n".join(f"{n:<12} {'neural' if is_neural(n) else 'baseline'}" for n in names))
        return 0
    models = [m.strip() for m in (args.models or ",".join(DEFAULT_MODELS)).split(",") if m.strip()]
    unknown = [m for m in models if m not in names]
    if unknown or not models or len(set(models)) != len(models):
        parser.error(f"--models: unknown or repeated {unknown or models}; valid names: {', '.join(names)}")
    stopwords = [s.strip() for s in args.stopwords.split(",") if s.strip()]
    import corpus

    for item in stopwords:
        try:
            corpus.get_stopwords(item)
        except ValueError as error:
            parser.error(f"--stopwords: {error}")
    for option in ("seed", "bootstrap"):
        if getattr(args, option) < 0:
            parser.error(f"--{option} must be >= 0")
    if not 0 <= args.validation_size < 1:
        parser.error("--validation-size must be in [0, 1)")
    if args.sample is not None and args.sample < 4:
        parser.error("--sample must be at least 4")
    overrides = {k: v for k, v in (("epochs", args.epochs), ("batch_size", args.batch_size)) if v is not None}
    if any(v < 1 for v in overrides.values()):
        parser.error("--epochs and --batch-size must be >= 1")
    if args.quiet:
        overrides["verbose"] = 0
    from evaluation.comparison import run_comparison
    from evaluation.report import headline_rows, update_index
    from evaluation.runner import RunConfig

    out = Path(args.out) if args.out else REPORTS / _run_name(models, stopwords, args.seed, args.sample)
    command = shlex.join(["python", "compare.py", *(sys.argv[1:] if argv is None else argv)])
    config = RunConfig(models=tuple(models), stopwords=tuple(stopwords), out=out, data=args.data, seed=args.seed,
                       validation_size=args.validation_size, sample=args.sample, excerpt=args.excerpt,
                       neural_overrides=overrides, n_resamples=args.bootstrap, command=command)
    try:
        folder, by_list = run_comparison(config)
    except (FileNotFoundError, corpus.ImdbDataError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if folder.resolve().parent == REPORTS:
        update_index(REPORTS)
    rows = headline_rows(by_list[stopwords[0]])
    print(f"\n{'model':<12}{'accuracy':>10}{'precision':>11}{'recall':>9}{'f1':>9}{'roc_auc':>9}{'fit s':>9}")
    for row in rows:
        print(f"{row['model']:<12}{row['accuracy']:>10.4f}{row['precision']:>11.4f}{row['recall']:>9.4f}"
              f"{row['f1']:>9.4f}{row['roc_auc']:>9.4f}{row['fit_s']:>9.1f}")
    failed = [r for rs in by_list.values() for r in rs if r.status != "ok"]
    for r in failed:
        print(f"{r.name} ({r.stopwords}): {r.status}: {r.error}", file=sys.stderr)
    print(f"\nReport: {folder / 'report.md'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
