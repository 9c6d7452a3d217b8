"""Reading the table files and class folders people bring: CSV and TSV (delimiter sniffed, header checked),
JSON Lines (each also compressed with gzip, bzip2 or xz), Parquet, and a folder of one sub-folder per class.

Each reader refuses what it cannot read faithfully with the file, line or column named: a header naming a
column twice, a JSON line that is not one object or repeats a key, a file that is not in the given encoding,
a file that links out of its dataset folder. :mod:`imdb_baselines.corpus.files` checks the rows they give.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import hashlib
import json
import lzma
from collections.abc import Iterator
from pathlib import Path, PurePath
from typing import IO

import pandas as pd

from imdb_baselines.corpus.errors import DataError
from imdb_baselines.corpus.reading import check_size, decode, is_inside

__all__ = ["COMPRESSIONS", "MAX_TEXT_BYTES", "TABLE_SUFFIXES", "TABLES_READ", "bom_free", "check_header",
           "existing_file", "json_records", "listed_names", "not_a_table", "open_text", "read_class_folders",
           "read_table", "sniff_delimiter", "split_roles", "table_kind", "tables_not_folders"]

#: File name endings read as tables, and how.
TABLE_SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl",
                  ".parquet": "parquet", ".pq": "parquet"}
#: Compressed tables' last name ending, and the standard library's opener of each (pandas and Spark infer them
#: from the name too). Parquet compresses inside its own format, so a compressed Parquet file is refused.
COMPRESSIONS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
#: What the error messages say is read.
TABLES_READ = "a CSV, TSV or JSON Lines file (also .gz, .bz2 or .xz compressed), a Parquet file"
#: What to do with files people often bring that are not tables this package reads, by their name's ending.
_NOT_TABLES = {
    ".json": "one JSON array: write one object per line, as pandas' to_json(orient='records', lines=True) "
             "does, and name it .jsonl",
    ".xlsx": "a spreadsheet: save it as CSV", ".xls": "a spreadsheet: save it as CSV",
    ".ods": "a spreadsheet: save it as CSV",
    ".txt": "plain text has no label column",
    ".tar": "an IMDB archive that was decompressed on download: extract it and give the aclImdb folder",
}
MAX_TEXT_BYTES = 1_000_000  # the largest single text read from a folder
_LISTED = 10  # column names an error message lists at most
_SNIFF_BYTES = 16384  # the most of a file's start the delimiter is guessed from
_SNIFF_LINES = 20  # lines of it


def table_kind(path: str | PurePath) -> str | None:
    """How a file is read as a table, by its name ("csv", "tsv", "jsonl", "parquet"), or None: not a table.

    A compressed table's kind is that of its name without the compression's ending.

    Examples
    --------
    >>> table_kind("train.csv"), table_kind("questions.JSONL.gz"), table_kind("aclImdb_v1.tar.gz")
    ('csv', 'jsonl', None)
    >>> table_kind("reviews.parquet.gz") is None  # Parquet compresses inside its own format
    True
    """
    suffixes = [suffix.lower() for suffix in PurePath(path).suffixes]
    compressed = bool(suffixes) and suffixes[-1] in COMPRESSIONS
    kind = TABLE_SUFFIXES.get(suffixes[-2 if compressed else -1]) if len(suffixes) > compressed else None
    return None if compressed and kind == "parquet" else kind  # Parquet compresses inside: a copy is refused


def not_a_table(path: str | PurePath, *, imdb: bool = False) -> str:
    """The message for a file that is not a table this package reads: what it reads (``imdb``: IMDB's archive
    too), and for files people often bring (JSON, spreadsheets, plain text), what to do with them."""
    suffixes = [suffix.lower() for suffix in PurePath(path).suffixes]
    hint = _NOT_TABLES.get(suffixes[-1] if suffixes else "")
    if suffixes[-2:-1] and TABLE_SUFFIXES.get(suffixes[-2]) == "parquet":
        hint = "a Parquet file is compressed inside: give the .parquet file itself, not a compressed copy"
    return (f"{path} is not a table this package reads" + (f" ({hint})" if hint else "") + ". Give a table named "
            f".csv, .tsv, .jsonl or .parquet ({', '.join(sorted(TABLE_SUFFIXES))}; {', '.join(COMPRESSIONS)} after "
            "the first three if compressed), " + ("IMDB's aclImdb_v1.tar.gz or its aclImdb folder, " if imdb else "")
            + "or a folder with one sub-folder per class.")


def open_text(path: Path, encoding: str) -> IO[str]:
    """A table file opened for reading text (through its decompressor if it is compressed), past a UTF-8
    byte-order mark; lines are left as they are (``newline=""``), as the csv module wants them."""
    opener = COMPRESSIONS.get(path.suffix.lower())
    if opener is None:
        return open(path, encoding=bom_free(encoding), newline="")
    return opener(path, "rt", encoding=bom_free(encoding), newline="")


def existing_file(path: Path) -> Path:
    """``path`` if it is a regular file; otherwise a :class:`DataError` saying what to give."""
    if not path.exists():
        raise DataError(f"{path} does not exist. Give {TABLES_READ}, or a folder with one sub-folder per class.")
    if not path.is_file():
        raise DataError(f"{path} is neither a regular file nor a folder.")
    return path


def read_table(path: Path, delimiter: str | None, encoding: str, columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """A table file as a DataFrame; row ids are ``FILE:ROW`` (1-based data rows).

    A CSV's header is read first: one without the ``columns`` asked for is refused before the table is parsed.
    """
    path = existing_file(path)
    kind = table_kind(path)
    if kind is None:
        raise DataError(not_a_table(path))
    try:
        if kind == "parquet":
            frame = pd.read_parquet(path)
        elif kind == "jsonl":
            frame = _read_json_lines(path, encoding)
        else:
            sep = delimiter or ("\t" if kind == "tsv" else sniff_delimiter(path, encoding))
            check_header(path, sep, encoding, columns)
            frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding=bom_free(encoding))
    except UnicodeDecodeError as error:
        raise DataError(f"{path} is not {encoding.upper()} text (byte {error.object[error.start]:#04x} at "
                        f"position {error.start}). Save it as UTF-8, or name its encoding (--encoding).") from None
    except (ValueError, OSError, EOFError, lzma.LZMAError, pd.errors.ParserError) as error:
        if isinstance(error, DataError):
            raise
        raise DataError(f"{path} cannot be read as {kind.upper()}: {error}") from None
    frame.index = pd.Index([f"{path.name}:{row}" for row in range(1, len(frame) + 1)], name="id")
    return frame


def bom_free(encoding: str) -> str:
    """``encoding``, reading past a byte-order mark where it is UTF-8."""
    return "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding


def sniff_delimiter(path: Path, encoding: str) -> str:
    """The delimiter of a CSV file, guessed from its first lines (at most 16 KiB; ``,`` when unsure).

    A first line longer than that is cut, so a file of very wide or very long lines is sniffed as fast as
    any other.
    """
    with open_text(path, encoding) as handle:
        sample = handle.read(_SNIFF_BYTES)
    lines = sample.splitlines()
    sample = "\n".join(lines[:_SNIFF_LINES] if len(lines) > 1 else lines)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def check_header(path: Path, sep: str, encoding: str, columns: tuple[str, ...]) -> None:
    """Refuse a table whose header names a column twice (pandas would rename one and read the other) or lacks
    one of ``columns``."""
    with open_text(path, encoding) as handle:
        header = next(csv.reader(handle, delimiter=sep), [])
    missing = [c for c in columns if c not in set(header)]
    if missing and len(columns) == 2 and columns[0] != columns[1]:
        raise DataError(f"the table {path} has no column {', '.join(map(repr, missing))}. Its columns are: "
                        f"{listed_names(header)}. Name the right ones with text_column / label_column "
                        "(--text-column / --label-column).")
    twice = sorted(name for name, n in pd.Series(header, dtype=object).value_counts().items() if n > 1)
    if twice:
        raise DataError(f"{path} names {listed_names(twice)} more than once in its header; a column must have "
                        "one name. Rename or remove the duplicates.")


def listed_names(names) -> str:
    """At most ten names, quoted, and how many more there are."""
    names = [str(n) for n in names]
    shown = ", ".join(map(repr, names[:_LISTED]))
    return shown + (f" and {len(names) - _LISTED:,} more" if len(names) > _LISTED else "")


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError(f"the key {next(k for k in keys if keys.count(k) > 1)!r} appears twice in one object")
    return dict(pairs)


def _read_json_lines(path: Path, encoding: str) -> pd.DataFrame:
    return pd.DataFrame.from_records(list(json_records(path, encoding)))


def json_records(path: Path, encoding: str = "utf-8") -> Iterator[dict]:
    """The objects of a JSON Lines file, one per non-blank line, checked as the package reads every table.

    Raises
    ------
    DataError
        For a line that is not JSON, not an object, or names a key twice (the line is named).
    """
    with open_text(path, encoding) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line, object_pairs_hook=_no_duplicate_keys)
            except json.JSONDecodeError as error:
                raise DataError(f"{path}, line {number}, is not valid JSON ({error.msg}). JSON Lines files hold one "
                                "JSON object per line.") from None
            except ValueError as error:
                raise DataError(f"{path}, line {number}: {error}; each key must appear once.") from None
            if not isinstance(record, dict):
                raise DataError(f"{path}, line {number}, holds a {type(record).__name__}, not a JSON object.")
            yield record


#: How a table's name says which split it holds, by the flag that takes it.
_SPLIT_NAMES = {"--data": ("train",), "--test": ("test",), "--validation": ("dev", "valid", "val")}


def split_roles(tables: list[Path]) -> dict[str, Path | None]:
    """The first of ``tables`` whose name says its split (``train``, ``test``, ``dev``/``valid``/``val``), by the
    flag that takes it; None where no name says so.

    Examples
    --------
    >>> split_roles([Path("sst5/dev.csv"), Path("sst5/test.csv"), Path("sst5/train.csv")])["--validation"]
    PosixPath('sst5/dev.csv')
    """
    return {flag: next((t for t in tables if t.name.lower().startswith(stems)), None)
            for flag, stems in _SPLIT_NAMES.items()}


def tables_not_folders(folder: Path, tables: list[Path]) -> str:
    """What to give for a folder of tables (``train.csv``, ``dev.csv``, ``test.csv``) passed as ``--data``: each
    table by its own flag, the flags guessed from the names where they say their split.

    Examples
    --------
    >>> tables = [Path("sst5/dev.csv"), Path("sst5/test.csv"), Path("sst5/train.csv")]
    >>> tables_not_folders(Path("sst5"), tables).split("e.g. ")[1]
    '--data sst5/train.csv --test sst5/test.csv --validation sst5/dev.csv.'
    """
    chosen = split_roles(tables)
    example = (" ".join(f"{flag} {table}" for flag, table in chosen.items() if table is not None)
               if chosen["--data"] is not None else f"--data {tables[0]}")
    return (f"{folder} holds tables ({listed_names(t.name for t in tables)}), not class folders: give the training "
            f"table to --data and the others to --test and --validation, e.g. {example}.")


def read_class_folders(root: Path, encoding: str) -> tuple[dict[str, pd.DataFrame], object]:
    """``root/CLASS/*.txt``, or ``root/train/CLASS`` and ``root/test/CLASS``; labels are the folder names."""
    digest = hashlib.sha256()
    splits = {"train": root / "train", "test": root / "test"}
    if not all(folder.is_dir() for folder in splits.values()):
        splits = {"train": root}
    frames = {}
    for role, folder in splits.items():
        rows = []
        classes = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
        if not classes:
            tables = sorted(p for p in folder.iterdir() if p.is_file() and table_kind(p) is not None)
            raise DataError(tables_not_folders(folder, tables) if tables else
                            f"{folder} has no class folders. Put each class's texts in a sub-folder named after "
                            "the class (pos/, neg/, ...), one text per file.")
        empty = [p.name for p in classes if not any(f.is_file() and not f.name.startswith(".") for f in p.iterdir())]
        if empty:
            raise DataError(f"{folder} has class folders without texts: {listed_names(empty)}. Put that class's texts "
                            "in it, one per file, or remove the folder.")
        for class_folder in classes:
            if not is_inside(class_folder, root):
                raise DataError(f"{class_folder} links out of the dataset folder {root}; copy the files in.")
            for path in sorted(p for p in class_folder.iterdir() if p.is_file() and not p.name.startswith(".")):
                name = path.relative_to(root).as_posix()
                if not is_inside(path, root):
                    raise DataError(f"{name} links out of the dataset folder {root}; copy the file in.")
                check_size(name, path.stat().st_size, root, MAX_TEXT_BYTES)
                data = path.read_bytes()
                digest.update(name.encode() + b"\0" + data + b"\0")
                rows.append((name, decode(data, name, root, encoding), class_folder.name))
        frames[role] = pd.DataFrame(rows, columns=["id", "text", "label"]).set_index("id")
    return frames, digest
