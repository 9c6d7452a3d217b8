"""Predict the label of new texts with kept models (saved by ``imdb-compare`` or
``imdb_baselines.modelfiles.save_model``).

Texts come as arguments, from a file with one text per line, or from standard input; they are read and
predicted in batches, so a file of any length runs in bounded memory.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import json
import lzma
import os
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from imdb_baselines import corpus
from imdb_baselines.corpus.tables import open_text

__all__ = ["main"]

_EXAMPLES = """\
examples:
  imdb-predict --model reports/demo/models/nbsvm "A moving, beautifully acted film."
  imdb-predict --all reports/demo "I loved every minute of it." "Two hours I will never get back."
  imdb-predict --all reports/demo --file reviews.txt --format jsonl > predictions.jsonl
  cat reviews.txt | imdb-predict --model my-model --format csv
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="imdb-predict", description="Predict the label of new texts with saved "
                                     "models (kept by imdb-compare, or imdb_baselines.modelfiles.save_model).",
                                     epilog=_EXAMPLES,
                                     formatter_class=argparse.RawDescriptionHelpFormatter, allow_abbrev=False)
    parser.add_argument("texts", nargs="*", help="texts to classify (or use --file, or standard input)")
    parser.add_argument("--model", action="append", default=[], help="a saved model folder (repeatable)")
    parser.add_argument("--all", metavar="REPORT", help="every model saved in a report folder (REPORT/models/*)")
    parser.add_argument("--file", help="a UTF-8 file with one text per line (.gz, .bz2 and .xz are read decompressed); "
                             "- for standard input")
    parser.add_argument("--format", choices=("table", "jsonl", "csv"), default="table",
                        help="output: a readable table (default), JSON Lines, or CSV")
    parser.add_argument("--explain", type=int, nargs="?", const=5, default=0, metavar="K",
                        help="also the K n-grams (default 5) that pushed each linear model's prediction each way")
    parser.add_argument("--skip-empty", action="store_true",
                        help="skip empty lines (they are counted on standard error) instead of stopping at the first")
    parser.add_argument("--batch-size", type=int, default=1000, help="texts predicted at once (default 1000)")
    parser.add_argument("--trust", action="append", default=[], metavar="TYPE", help="load this type too "
                        "(module.Class, repeatable): your own estimator's classes, which a saved model is refused "
                        "for until you vouch for them")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def _model_folders(parser: argparse.ArgumentParser, args: argparse.Namespace) -> list[Path]:
    folders = [Path(m) for m in args.model]
    for folder in folders:
        if (folder / "models").is_dir() and not (folder / "manifest.json").exists():
            parser.error(f"{folder} is a report folder, not a saved model: use --all {folder} for every model in it, "
                         f"or --model {folder / 'models' / 'NAME'} for one")
    if args.all:
        saved = Path(args.all) / "models"
        if not saved.is_dir():
            parser.error(f"{args.all} has no saved models (no models/ folder): run the comparison without "
                         "--no-save-models, or give --model PATH")
        folders += sorted(p for p in saved.iterdir() if p.is_dir())
    if not folders:
        first = Path(args.texts[0]) if args.texts and os.path.isdir(args.texts[0]) else None  # False for any text
        if first is not None and (first / "manifest.json").is_file():
            parser.error(f"{first} is a saved model, read here as a text to classify: give it as --model {first}")
        if first is not None and (first / "models").is_dir():
            parser.error(f"{first} is a report folder, read here as a text to classify: give it as --all {first}")
        parser.error("give --model PATH (repeatable) or --all REPORT")
    return folders


def _texts(parser: argparse.ArgumentParser, args: argparse.Namespace,
           skipped: list[int]) -> Iterator[tuple[int, str]]:
    """(line number, text) pairs from the arguments, the file or standard input, checked as they come.

    With ``--skip-empty``, the numbers of the empty lines passed over are appended to ``skipped``.
    """
    if args.texts and args.file:
        parser.error("give texts as arguments or --file, not both")
    if args.texts:
        source: TextIO | list[str] = args.texts
    elif args.file and args.file != "-":
        try:  # a .gz, .bz2 or .xz file is read through its decompressor, as the comparison reads its tables
            source = open_text(Path(args.file), "utf-8")  # closed with the generator
        except OSError as error:
            parser.error(f"--file {args.file}: {error.strerror}")
    elif not sys.stdin.isatty() or args.file == "-":
        # strictly UTF-8, whatever the locale (a C locale would let invalid bytes through as surrogates)
        source = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="strict", newline="") \
            if hasattr(sys.stdin, "buffer") else sys.stdin
    else:
        parser.error("no texts: give them as arguments, with --file, or on standard input")
    try:
        for number, line in enumerate(source, start=1):
            text = line.rstrip("\r\n")
            if not text.strip():
                if args.skip_empty:
                    skipped.append(number)
                    continue
                raise ValueError(f"text {number} is empty; every line must hold a text (or pass --skip-empty)")
            yield number, text
    except UnicodeDecodeError as error:
        raise ValueError(f"{args.file or 'standard input'} is not UTF-8 text (byte {error.object[error.start]:#04x} "
                         f"at position {error.start}); save it as UTF-8") from None
    except (EOFError, OSError, lzma.LZMAError) as error:  # a cut or mislabelled compressed file
        raise ValueError(f"{args.file} cannot be read: {error}") from None
    finally:
        if isinstance(source, io.TextIOWrapper) and source.buffer is getattr(sys.stdin, "buffer", None):
            source.detach()  # standard input stays open
        elif hasattr(source, "close") and source is not sys.stdin:
            source.close()


def _column_width(names: list[str], classes: dict[str, list], datasets: dict[str, str | None],
                  scores_only: bool = False) -> int:
    """The table's column width: a model's name, or its longest label as shown with a probability (" 0.97"), or,
    when a model has no probabilities (``scores_only``), with a margin (" (+1.23e-05)")."""
    shown = (corpus.shown_label(label, datasets.get(name)) for name in names for label in classes[name])
    return max(12, *(_columns(name) for name in names),
               *(_columns(label) + (12 if scores_only else 5) for label in shown))


def _columns(text: str) -> int:
    """The terminal columns ``text`` takes: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _cut(text: str, columns: int) -> str:
    """``text``, ending in "…" where cut to fit ``columns`` terminal columns."""
    if _columns(text) <= columns:
        return text
    kept, used = [], 1  # the "…"
    for character in text:
        used += _columns(character)
        if used > columns:
            break
        kept.append(character)
    return "".join(kept) + "…"


def _padded(text: str, columns: int) -> str:
    return text + " " * max(0, columns - _columns(text))


def _write(out: TextIO, fmt: str, names: list[str], batch: list[tuple[int, str]],
           results: dict[str, list[dict]], first: bool, datasets: dict[str, str | None] | None = None,
           width: int = 12) -> None:
    """Write one batch's answers; the table (for people) names IMDB's labels, JSON Lines and CSV keep them.
    ``width`` is the table's column width (:func:`_column_width`)."""
    if fmt == "jsonl":
        for i, (number, text) in enumerate(batch):
            record = {"line": number, "text": text, "predictions": {n: results[n][i] for n in names}}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    if fmt == "csv":
        writer = csv.writer(out)
        keys = ["label", "probability", "score"] + (["explanation"] if "explanation" in results[names[0]][0] else [])
        if first:
            writer.writerow(["line", "text"] + [f"{n}_{k}" for n in names for k in keys])
        for i, (number, text) in enumerate(batch):
            writer.writerow([number, text] + [json.dumps(results[n][i][k]) if k == "explanation" else results[n][i][k]
                                              for n in names for k in keys])
        return
    if first:
        out.write(f"{'line':>5}  {'text':<42}" + "".join(f"  {_padded(n, width)}" for n in names) + "\n")
    for i, (number, text) in enumerate(batch):
        shown = _cut(text, 40)
        cells = []
        for n in names:
            row = results[n][i]
            confidence = f" {row['probability']:.2f}" if row["probability"] is not None else \
                f" ({row['score']:+.3g})" if row["score"] is not None else ""
            label = corpus.shown_label(row["label"], (datasets or {}).get(n))
            cells.append(f"  {_padded(label + confidence, width)}")
        out.write(f"{number:>5}  {_padded(shown, 42)}" + "".join(cells) + "\n")
        for n in names:
            reason = results[n][i].get("explanation", False)
            if reason is None:
                out.write(f"{'':>7}{n}: no explanation (only single linear models give n-gram evidence)\n")
            elif reason:
                toward = ", ".join(f"{g} ({c:+.3g})" for g, c in reason["toward"])
                against = ", ".join(f"{g} ({c:+.3g})" for g, c in reason["against"])
                out.write(f"{'':>7}{n}: for {toward or '—'}; against {against or '—'}\n")


def main(argv: list[str] | None = None) -> int:
    """Classify texts with saved models; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.batch_size < 1:
        parser.error("--batch-size must be >= 1")
    if args.explain < 0:
        parser.error(f"--explain must be an int >= 0 (n-grams shown each way). Got {args.explain} instead.")
    from imdb_baselines.corpus.progress import progress_bar, show_progress
    from imdb_baselines.modelfiles import ModelFileError, load_model, plain_classes, predict_texts, read_manifest

    folders = _model_folders(parser, args)
    try:
        models = {folder.name: load_model(folder, trusted=args.trust) for folder in folders}
    except ModelFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    names = list(models)
    datasets = {folder.name: read_manifest(folder).get("dataset") for folder in folders}
    classes = {name: plain_classes(model) for name, model in models.items()}
    if len({json.dumps(c, default=str) for c in classes.values()}) > 1:
        listed = "; ".join(f"{name}: {c}" for name, c in classes.items())
        print(f"error: these models were trained on different classes ({listed}); predict with each on its own "
              "(--model PATH).", file=sys.stderr)
        return 2
    show_progress(not args.quiet)
    skipped: list[int] = []
    texts = _texts(parser, args, skipped)
    first = True
    try:
        with progress_bar(desc="Predicting", unit=" texts") as bar:
            while batch := list(itertools.islice(texts, args.batch_size)):
                results = {name: predict_texts(model, [text for _, text in batch], args.explain)
                           for name, model in models.items()}
                if first:
                    width = _column_width(names, classes, datasets,
                                          any(results[name][0]["probability"] is None for name in names))
                _write(sys.stdout, args.format, names, batch, results, first, datasets, width)
                first = False
                bar.update(len(batch))
            sys.stdout.flush()  # a full disk or a closed pipe shows here, not in Python's flush at exit
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader left (| head): stop quietly, as other command-line tools do
        _silence_stdout()
        return 0
    except OSError as error:
        _silence_stdout()
        print(f"error: the predictions could not be written ({error.strerror or error})", file=sys.stderr)
        return 1
    if skipped:
        print(f"Skipped {len(skipped)} empty line(s): {', '.join(map(str, skipped[:10]))}"
              f"{', ...' if len(skipped) > 10 else ''}", file=sys.stderr)
    return 0


def _silence_stdout() -> None:
    """Point standard output at the null device, so that Python's last flush at exit cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


if __name__ == "__main__":
    sys.exit(main())
