"""The chunked engine's reading: tables a block of rows at a time, and the split made from their keys alone.

A table (CSV, TSV, JSON Lines, Parquet) is read twice, a chunk of :data:`CHUNK_ROWS` rows at a time, and
never whole. The first pass keeps each row's key (``FILE:ROW``, 1-based, as the local reader names rows),
label, group and whether its text is empty; the local engine's own functions
(:func:`imdb_baselines.corpus.from_frames`, :func:`imdb_baselines.corpus.make_splits`) then check them, carve
the test and validation sets and fingerprint the split, so the chunked engine splits exactly as the local
one. The second pass (:meth:`ChunkedData.chunks`) hands each chunk's texts to the models with their split
and position. IMDB and folders of text files are read by the package's loader, whole, as the local engine
reads them.
"""

from __future__ import annotations

import logging
import lzma
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from imdb_baselines import corpus
from imdb_baselines.corpus.files import dataset_name, files_digest
from imdb_baselines.corpus.tables import (
    bom_free,
    check_header,
    json_records,
    not_a_table,
    sniff_delimiter,
    table_kind,
)

__all__ = ["CHUNK_ROWS", "ROLES", "Chunk", "ChunkedData", "read_chunked"]

logger = logging.getLogger(__name__)

CHUNK_ROWS = 10_000  # rows read, prepared and counted at a time
ROLES = ("train", "validation", "test")
_PLACEHOLDER = "x"  # stands for a non-empty text in the key table that is checked and split


@dataclass(frozen=True)
class Chunk:
    """Texts of one chunk that belong to the split, with their split (an index into :data:`ROLES`) and their
    position in that split's keys."""

    texts: list[str]
    roles: np.ndarray
    positions: np.ndarray


@dataclass
class ChunkedData:
    """A run's data as the chunked engine reads it: the key corpus, the split, and where each row goes.

    ``corpus`` holds each text's key, label and group with a placeholder for its text; ``splits`` holds the
    keys, labels and fingerprint of each split and the test texts (``X_train`` and ``X_val`` are empty: those
    texts are read again, chunk by chunk, by :meth:`chunks`).
    """

    corpus: corpus.TextCorpus
    splits: corpus.Splits
    origins: dict[str, tuple]  # origin -> (its chunks: a callable, role per row, position per row)

    def chunks(self, roles_wanted: tuple[int, ...] = (0, 1, 2)) -> Iterator[Chunk]:
        """The rows of the splits ``roles_wanted`` (indices into :data:`ROLES`), a chunk at a time, in the files'
        order; files that hold none of them are not read."""
        for read, roles, positions in self.origins.values():
            if not np.isin(roles, roles_wanted).any():
                continue
            first = 0
            for texts in read():
                rows = np.arange(first, first + len(texts))
                first += len(texts)
                kept = rows[np.isin(roles[rows], roles_wanted)]
                if len(kept):
                    yield Chunk([texts[i - rows[0]] for i in kept], roles[kept], positions[kept])


    def shared_texts(self) -> int:
        """How many test texts occur, character for character, among the training and validation texts (one
        pass over them; only the test texts are held)."""
        test = set(self.splits.X_test)
        return sum(text in test for chunk in self.chunks((0, 1)) for text in chunk.texts)


def read_chunked(source: corpus.DataSource, *, seed: int = 0, validation_size: float = 0.1,
                 stopwords: str = corpus.DEFAULT_STOPWORDS, sample: int | None = None) -> ChunkedData:
    """Read ``source``'s keys, split them as the local engine does, and prepare the chunked second pass.

    Raises
    ------
    corpus.DataError
        For the problems the local engine refuses (missing columns, texts that are not strings, empty texts,
        unlabelled rows, unseen test labels, too few texts to split).
    """
    if source.drop_duplicates:
        raise corpus.DataError("--drop-duplicates compares every training text with the test texts, in memory; "
                               "the chunked engine does not offer it. Remove the duplicates from the files, or use "
                               "the local engine.")
    if source.is_imdb or Path(source.path).is_dir():
        data, readers = _whole_source(source, seed)
        given = {"test": True, "validation": data.validation is not None}
    else:
        data, readers = _tables(source, seed)
        given = {"test": source.test is not None, "validation": source.validation is not None}
    data = source.ordered(data)
    if sample:
        data = corpus.sample_corpus(data, sample, seed=seed)
    splits = corpus.make_splits(data, validation_size=validation_size, seed=seed, stopwords=stopwords,
                                group_column=source.group_column)
    origins = _assignments(splits, readers, given)
    test = [None] * len(splits.keys["test"])
    for chunk in ChunkedData(data, splits, origins).chunks((ROLES.index("test"),)):
        for text, position in zip(chunk.texts, chunk.positions.tolist()):
            test[position] = text
    splits = replace(splits, X_train=[], X_val=[], X_test=test)
    logger.info("Split %s: %s (texts read %s rows at a time)", splits.fingerprint[:12],
                ", ".join(f"{k} {v:,}" for k, v in splits.sizes().items()), f"{CHUNK_ROWS:,}")
    return ChunkedData(data, splits, origins)


def _whole_source(source: corpus.DataSource, seed: int):
    """IMDB or a folder per class, read by the package's loader; its frames are then handed out in chunks."""
    data = source.load(seed=seed)
    readers = {}
    for role in ROLES:
        frame = getattr(data, role)
        if frame is not None:
            texts = frame["text"].tolist()
            keys = corpus.review_keys(frame)
            readers[role] = (lambda texts=texts: (texts[i:i + CHUNK_ROWS] for i in range(0, len(texts), CHUNK_ROWS)),
                             {key: row for row, key in enumerate(keys)}, len(texts))
    return data, readers


def _tables(source: corpus.DataSource, seed: int):
    """The tables' keys, labels and groups (one pass, a chunk at a time), checked and split as the local reader's."""
    paths = {"train": source.path, "test": source.test, "validation": source.validation}
    keys, readers = {}, {}
    for role, path in paths.items():
        if path is None:
            continue
        path = Path(path).expanduser()
        if not path.is_file():
            raise corpus.DataError(f"{path} does not exist or is not a file. Give a CSV, TSV, JSON Lines or Parquet "
                                   "table.")
        parts, rows = [], 0
        for chunk in _table_chunks(path, source):
            parts.append(_key_frame(chunk, path, rows))
            rows += len(chunk)
        keys[role] = pd.concat(parts) if parts else pd.DataFrame(columns=["text", "label"])
        readers[role] = (lambda path=path: (chunk["text"].tolist() for chunk in _table_chunks(path, source)), None,
                         rows)
    data = corpus.from_frames(keys["train"], test=keys.get("test"), validation=keys.get("validation"),
                              test_size=source.test_size, seed=seed, drop_empty=source.drop_empty,
                              name=dataset_name(source.path), source=source.path, sha256=files_digest(paths),
                              group_column=source.group_column)
    return data, readers


def _table_chunks(path: Path, source: corpus.DataSource) -> Iterator[pd.DataFrame]:
    """``path``'s text, label (and group) columns, :data:`CHUNK_ROWS` rows at a time, named ``text`` and
    ``label`` (the group keeps its name)."""
    kind = table_kind(path)
    if kind is None:
        raise corpus.DataError(not_a_table(path))
    columns = [source.text_column, source.label_column] + ([source.group_column] if source.group_column else [])
    try:
        if kind == "parquet":
            import pyarrow.parquet as pq

            table = pq.ParquetFile(path, pre_buffer=False)
            _check_columns(path, table.schema_arrow.names, columns)
            chunks = _parquet_chunks(table, columns)
        elif kind == "jsonl":
            chunks = _json_chunks(path, source.encoding, columns)
        else:
            sep = source.delimiter or ("\t" if kind == "tsv" else sniff_delimiter(path, source.encoding))
            check_header(path, sep, source.encoding, (source.text_column, source.label_column))
            chunks = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding=bom_free(source.encoding),
                                 usecols=lambda name: name.lstrip("\ufeff") in columns, chunksize=CHUNK_ROWS)
        for chunk in chunks:
            chunk = chunk.rename(columns=lambda name: name.lstrip("\ufeff"))
            _check_columns(path, chunk.columns, columns)
            yield chunk.rename(columns={source.text_column: "text", source.label_column: "label"})
    except UnicodeDecodeError as error:
        raise corpus.DataError(f"{path} is not {source.encoding.upper()} text (byte {error.object[error.start]:#04x} "
                               f"at position {error.start}). Save it as UTF-8, or name its encoding (--encoding).") \
            from None
    except (ValueError, OSError, EOFError, lzma.LZMAError, pd.errors.ParserError) as error:
        if isinstance(error, corpus.DataError):
            raise
        raise corpus.DataError(f"{path} cannot be read as {kind.upper()}: {error}") from None


def _parquet_chunks(table, columns: list[str]) -> Iterator[pd.DataFrame]:
    """A Parquet file's rows as DataFrames, a batch at a time. The file is opened without pre-buffering, which
    keeps every row group read so far in Arrow's memory pool (250 MiB more at 16× IMDB), and the pool gives
    back what each batch took, which it would otherwise keep for the next."""
    import pyarrow as pa

    pool = pa.default_memory_pool()
    for batch in table.iter_batches(batch_size=CHUNK_ROWS, columns=columns):
        frame = batch.to_pandas()
        del batch
        pool.release_unused()
        yield frame


def _json_chunks(path: Path, encoding: str, columns: list[str]) -> Iterator[pd.DataFrame]:
    records = []
    for record in json_records(path, encoding):
        records.append({name: record.get(name) for name in columns if name in record})
        if len(records) == CHUNK_ROWS:
            yield pd.DataFrame.from_records(records, columns=columns)
            records = []
    if records:
        yield pd.DataFrame.from_records(records, columns=columns)


def _check_columns(path: Path, found, wanted: list[str]) -> None:
    missing = [name for name in wanted if name not in set(found)]
    if missing:
        raise corpus.DataError(f"the table {path} has no column {', '.join(map(repr, missing))}. Its columns are: "
                               f"{', '.join(map(repr, found))}. Name the right ones with --text-column / "
                               "--label-column (--group-column).")


def _key_frame(chunk: pd.DataFrame, path: Path, first: int) -> pd.DataFrame:
    """A chunk's rows as the key corpus holds them, named ``FILE:ROW`` (its first row is the file's ``first + 1``):
    a placeholder for each non-empty text, the label, the group."""
    texts = chunk["text"]
    strings = texts.map(lambda v: isinstance(v, str))
    bad = texts[~strings & texts.notna().to_numpy()]
    if len(bad):
        raise corpus.DataError(f"the data of {path} has texts that are not strings, e.g. {bad.iloc[0]!r}. Check "
                               "--text-column.")
    blank = texts.map(lambda v: not isinstance(v, str) or not v.strip()).to_numpy()
    frame = chunk.drop(columns="text").assign(text=np.where(blank, "", _PLACEHOLDER))
    frame.index = pd.Index([f"{path.name}:{row}" for row in range(first + 1, first + len(chunk) + 1)], name="id")
    return frame


def _assignments(splits: corpus.Splits, readers: dict, given: dict[str, bool]) -> dict[str, tuple]:
    """For each origin (the train, test and validation files): its reader, and each row's split and position."""
    origins = {"train": "train", "validation": "validation" if given["validation"] else "train",
               "test": "test" if given["test"] else "train"}
    assigned = {}
    for origin, (read, rows_of, size) in readers.items():
        keys_here = [(role, splits.keys[role]) for role in ROLES if origins[role] == origin]
        roles = np.full(size, -1, dtype=np.int8)
        positions = np.zeros(size, dtype=np.int64)
        for role, keys in keys_here:
            rows = np.fromiter((rows_of[key] if rows_of is not None else _row(key) for key in keys), dtype=np.int64,
                               count=len(keys))
            roles[rows], positions[rows] = ROLES.index(role), np.arange(len(keys))
        assigned[origin] = (read, roles, positions)
    return assigned


def _row(key: str) -> int:
    """The 0-based row of a table key ``FILE:ROW`` (rows are 1-based)."""
    return int(key.rsplit(":", 1)[1]) - 1
