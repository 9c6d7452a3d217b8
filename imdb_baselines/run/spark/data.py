"""The comparison's data in Spark: the same texts, labels and split (keys and fingerprint) as the local engine.

Tables (CSV, TSV, JSON Lines, Parquet) are read by Spark itself, so a path on HDFS or object storage
(``hdfs://``, ``s3a://``) works like a local one. Only each row's key, label and whether its text is
empty travel to the driver; the local engine's own functions (:func:`imdb_baselines.corpus.from_frames`,
:func:`imdb_baselines.corpus.make_splits`) then check them, carve the test and validation sets and fingerprint
the split, so both engines split alike by construction. The IMDB archive and folders of text files are formats of
one file system: the package's loader reads them on the driver and hands the texts to Spark.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from imdb_baselines import corpus
from imdb_baselines.corpus.files import dataset_name, files_digest
from imdb_baselines.corpus.tables import COMPRESSIONS, TABLE_SUFFIXES, sniff_delimiter, table_kind

__all__ = ["SparkData", "read_spark_data"]

logger = logging.getLogger(__name__)

_ROW_BITS = 33  # monotonically_increasing_id(): the partition index above bit 33, the row within it below
_PLACEHOLDER = "x"  # stands for a non-empty text in the key table the driver checks and splits


@dataclass(frozen=True)
class SparkData:
    """A run's data on Spark, and what the report needs to know about it."""

    frame: object  # Spark DataFrame: key, text, y (position of the label in classes), split
    corpus: corpus.TextCorpus  # name, source, checksum, notes and classes (frames: keys and labels only for tables)
    splits: corpus.Splits  # keys, labels and fingerprint of each split; X_test holds the test texts (X_train and
    # X_val are empty: those texts stay in Spark)
    shared_texts: int  # test texts that also occur in the training or validation texts


def read_spark_data(session, source: corpus.DataSource, *, seed: int = 0, validation_size: float = 0.1,
                    stopwords: str = corpus.DEFAULT_STOPWORDS, sample: int | None = None) -> SparkData:
    """Read ``source`` into Spark and split it exactly as the local engine does.

    Parameters
    ----------
    session : pyspark.sql.SparkSession
        The session to read with.
    source : corpus.DataSource
        IMDB (archive or folder), a folder per class, or tables (``path``, optional ``test`` and ``validation``).
    seed, validation_size, stopwords, sample
        As for the local engine: the carves' seed, the validation share, the stopword list (it enters the
        fingerprint) and an optional stratified sample per split.

    Returns
    -------
    SparkData

    Raises
    ------
    corpus.DataError
        For the same problems the local engine refuses (missing columns, empty texts, unlabelled rows,
        unseen test labels, too few texts to split), and for a text column that does not hold strings.
    """
    from pyspark import StorageLevel

    if source.is_imdb or _is_folder(source.path):
        data, texts = _local_source(session, source, seed)
        given = {"test": True, "validation": data.validation is not None}
    else:
        data, texts = _spark_tables(session, source, seed)
        given = {"test": source.test is not None, "validation": source.validation is not None}
    data = source.ordered(data)
    if sample:
        data = corpus.sample_corpus(data, sample, seed=seed)
    splits = corpus.make_splits(data, validation_size=validation_size, seed=seed, stopwords=stopwords)
    frame = _with_split(session, texts, splits, given).persist(StorageLevel.MEMORY_AND_DISK)
    test = frame.where("split = 'test'").select("key", "text").toPandas().set_index("key")["text"]
    splits = replace(splits, X_train=[], X_val=[], X_test=test.reindex(splits.keys["test"]).tolist())
    shared = _shared_texts(frame)
    logger.info("Spark holds %s texts in %d partitions (split %s…)", f"{frame.count():,}",
                frame.rdd.getNumPartitions(), splits.fingerprint[:12])
    return SparkData(frame=frame, corpus=data, splits=splits, shared_texts=shared)


def _is_folder(path: str | None) -> bool:
    return path is not None and "://" not in path and Path(path).is_dir()


def _local_source(session, source: corpus.DataSource, seed: int):
    """IMDB or a folder per class: read by the package's loader, then handed to Spark with each text's key."""
    data = source.load(seed=seed)
    rows = []
    for role in ("train", "validation", "test"):
        frame = getattr(data, role)
        if frame is not None:
            rows.append(pd.DataFrame({"origin": role, "key": corpus.review_keys(frame),
                                      "text": frame["text"].to_numpy(dtype=object)}, dtype=object))
    texts = session.createDataFrame(pd.concat(rows, ignore_index=True), schema="origin string, key string, text string")
    return data, texts


def _spark_tables(session, source: corpus.DataSource, seed: int):
    """Tables read by Spark; only keys, raw labels and emptiness are collected, checked and split by corpus."""
    from functools import reduce

    from pyspark.sql import functions as F

    if source.drop_duplicates:
        raise corpus.DataError("--drop-duplicates compares whole texts on the driver; the Spark engine does not "
                               "offer it. Remove the duplicates from the files, or use the local engine.")
    roles = {"train": source.path, "test": source.test, "validation": source.validation}
    tables, keys = {}, {}
    for role, path in roles.items():
        if path is None:
            continue
        tables[role] = _read_table(session, path, source)
        keys[role] = _key_frame(tables[role])
    data = corpus.from_frames(keys["train"], test=keys.get("test"), validation=keys.get("validation"),
                              test_size=source.test_size, seed=seed, drop_empty=source.drop_empty,
                              name=dataset_name(PurePosixPath(source.path)), source=source.path,
                              sha256=files_digest(roles))
    texts = reduce(lambda a, b: a.unionByName(b), (table.select(F.lit(role).alias("origin"), "key", "text")
                                                   for role, table in tables.items()))
    return data, texts


def _read_table(session, path: str, source: corpus.DataSource):
    """One table as a Spark DataFrame with ``key`` (``FILE:ROW``, 1-based as the local reader), ``text``, ``label``."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType

    name = PurePosixPath(path.rstrip("/")).name
    kind = table_kind(name)
    if kind is None:
        raise corpus.DataError(f"{path} is not a table the Spark engine reads: name it .csv, .tsv, .jsonl or "
                               f".parquet ({', '.join(sorted(TABLE_SUFFIXES))}; {', '.join(COMPRESSIONS)} after the "
                               "first three if compressed).")
    reader = session.read
    try:
        if kind == "parquet":
            frame = reader.parquet(path)
        elif kind == "jsonl":
            frame = reader.option("mode", "FAILFAST").option("encoding", source.encoding).json(path)
        else:
            local = "://" not in path
            separator = source.delimiter or ("\t" if kind == "tsv" else
                                             sniff_delimiter(Path(path), source.encoding) if local else ",")
            frame = reader.csv(path, header=True, sep=separator, multiLine=True, escape='"', mode="FAILFAST",
                               encoding=source.encoding)
            frame = frame.toDF(*[c.lstrip("\ufeff") for c in frame.columns])  # a byte-order mark is not a name
    except Exception as error:  # Spark's AnalysisException: a missing path, an unreadable file
        raise corpus.DataError(f"{path} cannot be read as {kind.upper()} by Spark: {str(error).splitlines()[0]}") \
            from None
    where = f"the data of {path}"
    missing = [c for c in (source.text_column, source.label_column) if c not in frame.columns]
    if missing:
        raise corpus.DataError(f"{where} has no column {', '.join(map(repr, missing))}. Its columns are: "
                               f"{', '.join(map(repr, frame.columns))}. Name the right ones with --text-column / "
                               "--label-column.")
    if not isinstance(frame.schema[source.text_column].dataType, StringType):
        raise corpus.DataError(f"{where} has texts that are not strings (column {source.text_column!r} holds "
                               f"{frame.schema[source.text_column].dataType.simpleString()}). Check --text-column.")
    frame = frame.select(F.col(source.text_column).alias("text"), F.col(source.label_column).alias("label"))
    return _numbered(frame, name)


def _numbered(frame, name: str):
    """``key`` = ``NAME:ROW`` in the file's order, from per-partition counts (no single-partition window)."""
    from pyspark.sql import functions as F

    frame = frame.withColumn("_id", F.monotonically_increasing_id())
    frame = frame.withColumn("_part", F.shiftright("_id", _ROW_BITS))
    counts = sorted((row["_part"], row["count"]) for row in frame.groupBy("_part").count().collect())
    offsets, total = {}, 0
    for part, count in counts:
        offsets[part] = total
        total += count
    start = F.create_map(*[F.lit(v) for part, offset in offsets.items() for v in (part, offset)]) if offsets else \
        F.create_map(F.lit(0), F.lit(0))
    row = start[F.col("_part")] + (F.col("_id") - F.shiftleft(F.col("_part"), _ROW_BITS)) + 1
    return frame.withColumn("key", F.concat(F.lit(f"{name}:"), row.cast("string"))).drop("_id", "_part")


def _key_frame(table) -> pd.DataFrame:
    """Keys and raw labels on the driver, with a placeholder for each non-empty text (emptiness as in Python)."""
    from pyspark.sql import functions as F

    @F.pandas_udf("boolean")
    def blank(texts: pd.Series) -> pd.Series:
        return texts.map(lambda v: not isinstance(v, str) or not v.strip())

    keys = table.select("key", "label", blank("text").alias("blank")).toPandas()
    order = np.argsort(keys["key"].str.rsplit(":", n=1).str[1].astype(np.int64).to_numpy(), kind="stable")
    keys = keys.iloc[order]
    return pd.DataFrame({"text": np.where(keys["blank"].to_numpy(), "", _PLACEHOLDER),
                         "label": keys["label"].to_numpy()},
                        index=pd.Index(keys["key"].to_numpy(), name="id"))


def _with_split(session, texts, splits: corpus.Splits, given: dict[str, bool]):
    """The texts of the split's keys, each with its split and label position (rows outside the split dropped).

    Keys are unique within the frame they came from (IMDB's ``pos/ID`` repeat between train and test), so
    texts are matched on their origin and key; ``given`` says whether the test and validation texts came in
    frames of their own or were carved from the training frame.
    """
    from pyspark.sql import functions as F

    position = {label: index for index, label in enumerate(splits.classes)}
    labels = {"train": splits.y_train, "validation": splits.y_val, "test": splits.y_test}
    origins = {"train": "train", "validation": "validation" if given["validation"] else "train",
               "test": "test" if given["test"] else "train"}
    assignment = pd.DataFrame({
        "origin": [origins[role] for role in labels for _ in splits.keys[role]],
        "key": [k for role in labels for k in splits.keys[role]],
        "split": [role for role in labels for _ in splits.keys[role]],
        "y": [position[corpus.plain_label(v)] for role in labels for v in labels[role]],
    })
    assigned = session.createDataFrame(assignment, schema="origin string, key string, split string, y int")
    joined = texts.join(F.broadcast(assigned) if len(assignment) < 2_000_000 else assigned, on=["origin", "key"],
                        how="inner")
    return joined.drop("origin")


def _shared_texts(frame) -> int:
    """How many test texts occur, character for character, among the training and validation texts."""
    seen = frame.where("split != 'test'").select("text").distinct()
    return frame.where("split = 'test'").join(seen, on="text", how="left_semi").count()
