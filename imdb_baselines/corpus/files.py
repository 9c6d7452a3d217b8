"""The user's own labelled texts: CSV, TSV, JSON Lines, Parquet, a folder per class, or DataFrames.

Every source becomes a :class:`~imdb_baselines.corpus.TextCorpus` through the same checks,
so a bad file is refused with the file, row or column named, before any
model trains: a missing column (the available ones are listed), empty or
missing texts (counted; ``drop_empty`` removes them), missing labels, test
or validation labels never seen in training, a file that is not UTF-8.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd

from imdb_baselines.corpus.dataset import TextCorpus, category_order, sorted_classes
from imdb_baselines.corpus.download import sha256_of
from imdb_baselines.corpus.errors import DataError
from imdb_baselines.corpus.labels import class_labels, is_missing_label, shown_value
from imdb_baselines.corpus.tables import existing_file, listed_names, read_class_folders, read_table

__all__ = ["dataset_name", "files_digest", "from_frames", "load_texts"]

_SHOWN = 5


def load_texts(
    train: str | os.PathLike,
    *,
    test: str | os.PathLike | None = None,
    validation: str | os.PathLike | None = None,
    text_column: str = "text",
    label_column: str = "label",
    delimiter: str | None = None,
    encoding: str = "utf-8",
    test_size: float = 0.2,
    seed: int = 0,
    drop_empty: bool = False,
    name: str | None = None,
    group_column: str | None = None,
) -> TextCorpus:
    """Read a labelled text collection from files.

    Parameters
    ----------
    train : path
        A table (``.csv``, ``.tsv``, ``.jsonl``, ``.parquet``) with a text and
        a label column, or a folder with one sub-folder per class holding one
        text file per document (scikit-learn's ``load_files`` layout),
        optionally with ``train/`` and ``test/`` above the class folders.
    test, validation : path, optional
        Separate test and validation tables, used as given. Without a test
        set, a stratified, seeded ``test_size`` share of ``train`` is carved
        out (and recorded in the split fingerprint through the text ids).
        Give a validation file where the training set holds fragments of its
        own texts (as SST does), since a carve from it would leak.
    text_column, label_column : str, default="text", "label"
        Column names in the tables.
    delimiter : str, optional
        The CSV delimiter; detected when not given (``,`` ``;`` tab ``|``).
    encoding : str, default="utf-8"
        The files' text encoding.
    test_size : float, default=0.2
        Share carved out for testing when no test set is given; 0 carves none: the test set is then every
        labelled text, for out-of-fold predictions of cross-validation
        (:attr:`~imdb_baselines.corpus.TextCorpus.out_of_fold`).
    seed : int, default=0
        Seed of that carve.
    drop_empty : bool, default=False
        Drop rows whose text is empty or missing, instead of refusing them.
    name : str, optional
        The collection's name in reports; defaults to the file or folder
        name (its parent folder's for files named ``train.*``).
    group_column : str, optional
        A column naming each text's group (an author, a product, a movie):
        a carved test set then takes whole groups.

    Returns
    -------
    TextCorpus
        Labels keep their type: strings, integers, or booleans (``true`` /
        ``false`` in a CSV).

    Raises
    ------
    DataError
        For any problem with the files, naming the file, row or column.

    Examples
    --------
    >>> data = load_texts("sst5/train.csv", test="sst5/test.csv", text_column="sentence")  # doctest: +SKIP
    >>> data.classes  # doctest: +SKIP
    ('negative', 'neutral', 'positive', 'very negative', 'very positive')
    """
    train = Path(train).expanduser()
    if not (0 <= test_size < 1):
        raise ValueError(f"The 'test_size' parameter of load_texts must be a float in [0, 1). Got {test_size!r}.")
    options = {"text_column": text_column, "label_column": label_column, "drop_empty": drop_empty}
    if train.is_dir():
        frames, digest = read_class_folders(train, encoding)
        options.update(text_column="text", label_column="label")
    else:
        frames = {"train": read_table(train, delimiter, encoding, (text_column, label_column))}
        digest = hashlib.sha256(f"train:{sha256_of(existing_file(train))}\n".encode())
    for role, path in (("test", test), ("validation", validation)):
        if path is not None:
            path = existing_file(Path(path).expanduser())
            frames[role] = read_table(path, delimiter, encoding, (text_column, label_column))
            digest.update(f"{role}:{sha256_of(path)}\n".encode())
    return from_frames(frames["train"], test=frames.get("test"), validation=frames.get("validation"),
                       name=name or dataset_name(train), source=str(train), sha256=digest.hexdigest(),
                       test_size=test_size, seed=seed, group_column=group_column, **options)


def from_frames(
    train: pd.DataFrame,
    *,
    test: pd.DataFrame | None = None,
    validation: pd.DataFrame | None = None,
    text_column: str = "text",
    label_column: str = "label",
    test_size: float = 0.2,
    seed: int = 0,
    drop_empty: bool = False,
    name: str = "texts",
    source: str = "DataFrame",
    sha256: str | None = None,
    group_column: str | None = None,
) -> TextCorpus:
    """A :class:`~imdb_baselines.corpus.TextCorpus` from pandas DataFrames, with the same checks as :func:`load_texts`.

    Examples
    --------
    >>> frame = pd.DataFrame({"text": ["good", "great", "fine", "bad", "awful", "poor"] * 2,
    ...                       "label": ["pos", "pos", "pos", "neg", "neg", "neg"] * 2})
    >>> from_frames(frame, test_size=0.5).classes
    ('neg', 'pos')
    """
    notes: list[str] = []
    frames = {"train": train, "test": test, "validation": validation}
    clean = {role: _clean(frame, role, source, text_column, label_column, drop_empty, notes)
             for role, frame in frames.items() if frame is not None}
    try:
        classes = sorted_classes(pd.concat([f["label"] for f in clean.values()]))
    except TypeError as error:
        raise DataError(f"{source}: {error}") from None
    found = sorted_classes(clean["train"]["label"])
    train_classes, order = set(found), category_order(train[label_column], found)
    if order is not None and order != found:
        notes.append(f"classes in the order of the label column's categories: {', '.join(map(str, order))}")
    for role in ("test", "validation"):
        unseen = [c for c in classes if role in clean and c not in train_classes and c in set(clean[role]["label"])]
        if unseen:
            raise DataError(f"The {role} set of {source} has labels that never occur in training: {unseen}. "
                            "A model cannot predict a class it never saw; remove those rows or add training "
                            "examples of them.")
    if len(train_classes) < 2:
        raise DataError(f"The training set of {source} has {len(train_classes)} class ({sorted(train_classes)}); "
                        "at least two are needed.")
    out_of_fold = "test" not in clean and not test_size
    if out_of_fold:  # every labelled text is scored by the folds' models that did not see it
        notes.append("no test set: every labelled text is scored by cross-validation, out of fold")
    elif "test" not in clean:
        if group_column is not None and group_column not in clean["train"].columns:
            raise DataError(f"{source} has no group column {group_column!r}; its columns: "
                            f"{listed_names(c for c in clean['train'].columns if c != 'id')}. Name one with "
                            "--group-column.")
        clean["train"], clean["test"] = _carve_test(clean["train"], test_size, seed, source, group_column)
        notes.append(f"test set carved from the training file: {test_size:.0%}, stratified, seed {seed}"
                     + (f", whole groups of {group_column!r}" if group_column else ""))
    digest = sha256 or _frames_digest(clean)
    return TextCorpus(train=clean["train"], test=clean["train"] if out_of_fold else clean["test"], unsup=None,
                      sha256=digest, source=source, name=name, validation=clean.get("validation"),
                      notes=tuple(notes), out_of_fold=out_of_fold, class_order=order)


def dataset_name(path: str | os.PathLike) -> str:
    """A collection's name from its training file: the file's stem, or its folder's for ``train.csv`` and the like.

    Examples
    --------
    >>> dataset_name("data/sst5/train.csv"), dataset_name("reviews.parquet")
    ('sst5', 'reviews')
    """
    path = Path(path)
    return path.parent.name if path.stem.lower() in ("train", "training", "data") else path.stem


def files_digest(roles: dict[str, str | os.PathLike | None]) -> str:
    """The checksum of a collection's tables: the sha256 of each local file under its role (train, test,
    validation); a remote path (``hdfs://``, ``s3a://``) is named rather than read."""
    digest = hashlib.sha256()
    for role, path in roles.items():
        if path is not None:
            local = "://" not in str(path) and Path(path).is_file()
            digest.update(f"{role}:{sha256_of(path) if local else path}\n".encode())
    return digest.hexdigest()


def _clean(frame: pd.DataFrame, role: str, source: str, text_column: str, label_column: str, drop_empty: bool,
           notes: list[str]) -> pd.DataFrame:
    """Columns ``id``, ``text``, ``label`` (+ the others), checked; rows named by their ids in errors."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"The {role} data must be a pandas DataFrame. Got {type(frame).__name__} instead.")
    where = f"the {role} data of {source}"
    if text_column == label_column:
        raise DataError(f"The text and the label column are both {text_column!r}; name two different columns "
                        "(--text-column / --label-column).")
    missing = [c for c in (text_column, label_column) if c not in frame.columns]
    if missing:
        raise DataError(f"{where} has no column {', '.join(map(repr, missing))}. Its columns are: "
                        f"{listed_names(frame.columns)}. Name the right ones with text_column / "
                        "label_column (--text-column / --label-column).")
    frame = frame.rename(columns={text_column: "text", label_column: "label"})
    ids = frame.index.astype(str) if frame.index.name == "id" else pd.Index(
        [f"{role}:{row}" for row in range(1, len(frame) + 1)])
    frame = frame.drop(columns=[c for c in ("id",) if c in frame.columns]).set_axis(ids, axis=0)
    texts = frame["text"]
    not_text = texts.map(lambda v: v is not None and not (isinstance(v, float) and pd.isna(v)) and not isinstance(
        v, str))
    if not_text.any():
        raise DataError(f"{where} has {int(not_text.sum())} text(s) that are not strings, e.g. row "
                        f"{ids[not_text.to_numpy()][0]}: {texts[not_text].iloc[0]!r}. Check --text-column.")
    empty = texts.map(lambda v: not isinstance(v, str) or not v.strip())
    if empty.any():
        rows = ", ".join(ids[empty.to_numpy()][:_SHOWN])
        if not drop_empty:
            raise DataError(f"{where} has {int(empty.sum())} empty or missing text(s) (rows {rows}"
                            f"{', ...' if empty.sum() > _SHOWN else ''}). Fill them in, or drop them with "
                            "drop_empty=True (--drop-empty).")
        notes.append(f"dropped {int(empty.sum())} empty text(s) from the {role} data")
        frame = frame[~empty.to_numpy()]
    no_label = frame["label"].map(is_missing_label)
    if no_label.any():
        rows = ", ".join(frame.index[no_label.to_numpy()][:_SHOWN])
        raise DataError(f"{where} has {int(no_label.sum())} row(s) without a label (empty, NA, NaN, null...; rows "
                        f"{rows}). Label them or remove them.")
    frame = frame.assign(label=class_labels(frame["label"], where, label_column, training=role == "train"))
    frame = frame.reset_index(names="id")
    return frame[["id", "text", "label", *[c for c in frame.columns if c not in ("id", "text", "label")]]]


def _carve_test(train: pd.DataFrame, test_size: float, seed: int, source: str,
                group_column: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    from imdb_baselines.corpus.splits import carve

    counts = train["label"].value_counts()
    n_test = int(-(-test_size * len(train) // 1))
    too_few = [shown_value(label) for label, n in counts.items() if n < 2]
    if too_few or n_test < len(counts):
        shown = ", ".join(too_few[:_SHOWN]) + (f" and {len(too_few) - _SHOWN:,} more" if len(too_few) > _SHOWN else "")
        raise DataError(f"{source} is too small to carve a stratified test set ({test_size:.0%} = {n_test:,} texts, "
                        f"{len(counts):,} classes; classes with one text: {shown or 'none'}). Give a "
                        "test file, a larger test_size, or more data.")
    keep, held = carve(train["label"].to_numpy(), test_size, seed,
                       None if group_column is None else train[group_column].to_numpy())
    return train.iloc[keep].reset_index(drop=True), train.iloc[held].reset_index(drop=True)


def _frames_digest(frames: dict[str, pd.DataFrame]) -> str:
    digest = hashlib.sha256()
    for role in sorted(frames):
        for row in frames[role][["id", "text", "label"]].itertuples(index=False):
            digest.update(f"{role}\0{row.id}\0{row.label!r}\0{row.text}\0".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()
