"""Where a comparison's texts come from: IMDB (the default) or the user's own files, as one configuration."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from pathlib import Path

from imdb_baselines.corpus.dataset import TextCorpus
from imdb_baselines.corpus.errors import DataError
from imdb_baselines.corpus.files import load_texts
from imdb_baselines.corpus.imdb import REVIEWS_PER_CLASS, load_imdb
from imdb_baselines.corpus.tables import TABLES_READ, not_a_table, split_roles, table_kind

__all__ = ["DataSource", "drop_shared_texts", "shared_texts"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DataSource:
    """The data of a run: IMDB, or a table or folder of the user's labelled texts."""

    path: str | None = None  # IMDB archive or aclImdb folder, or the user's table / class folders; None: IMDB
    test: str | None = None  # the user's test table (used as given); None: carve test_size from path
    validation: str | None = None  # the user's validation table (used as given); None: carve from train
    text_column: str = "text"  # the text column of the user's tables
    label_column: str = "label"  # the label column of the user's tables
    delimiter: str | None = None  # CSV delimiter; None: detected
    encoding: str = "utf-8"  # encoding of the user's files
    test_size: float = 0.2  # share carved for testing when there is no test table; 0: none (out-of-fold scores)
    drop_empty: bool = False  # drop rows with empty or missing texts instead of refusing them
    drop_duplicates: bool = False  # drop training texts that also occur, exactly, in the test set
    excerpt: bool = False  # IMDB: accept a balanced excerpt in the aclImdb layout
    class_order: tuple[str, ...] | None = None  # the classes' order in reports (e.g. a scale); None: sorted
    group_column: str | None = None  # a column naming each text's group (IMDB: movie), kept on one side of a split

    @property
    def dataset_name(self) -> str:
        """A short name of the data for default run names: ``imdb``, or the file or folder's name.

        Examples
        --------
        >>> DataSource().dataset_name, DataSource(path="data/trec/train.jsonl").dataset_name
        ('imdb', 'trec-train')
        """
        if self.is_imdb:
            return "imdb"
        path = Path(self.path.rstrip("/\\"))
        stem = path.name.split(".")[0] if path.suffix else path.name
        parent = path.parent.name if path.suffix else ""
        name = f"{parent}-{stem}" if parent and parent not in (".", "..") else stem
        return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.") or "data"

    @property
    def is_imdb(self) -> bool:
        """IMDB unless the path is a table, a folder that is not aclImdb, or user-data options are set."""
        if self.path is None:
            return True
        path = Path(self.path)
        if self.test or self.validation or table_kind(path) is not None:
            return False
        if path.is_dir():
            return path.name == "aclImdb" or (path / "aclImdb").is_dir()
        return True  # an archive: the official aclImdb_v1.tar.gz

    def load(self, *, seed: int = 0, include_unsup: bool = False) -> TextCorpus:
        """Read the data (``seed`` is that of a carved test set; ``include_unsup``: IMDB's unlabelled reviews too)."""
        if self.path is not None and not Path(self.path).expanduser().exists():
            raise DataError(f"{self.path} does not exist. Give IMDB's aclImdb_v1.tar.gz or its aclImdb folder, "
                            f"{TABLES_READ}, or a folder with one sub-folder per class.")
        if self.is_imdb and self.path is not None and Path(self.path).expanduser().is_file() and \
                not self.path.lower().endswith((".tar.gz", ".tgz")):
            raise DataError(not_a_table(self.path, imdb=True))
        if self.is_imdb:
            data = load_imdb(self.path, reviews_per_class=None if self.excerpt else REVIEWS_PER_CLASS,
                             include_unsup=include_unsup)
        else:
            data = load_texts(self.path, test=self.test, validation=self.validation, text_column=self.text_column,
                              label_column=self.label_column, delimiter=self.delimiter, encoding=self.encoding,
                              test_size=self.test_size, seed=seed, drop_empty=self.drop_empty,
                              group_column=self.group_column)
        data = drop_shared_texts(data) if self.drop_duplicates else data
        return self.ordered(data)

    def tables_beside(self) -> list[str]:
        """Warnings for a test or validation table that sits beside the training table and was not given.

        SST-5 ships ``train.csv``, ``dev.csv`` and ``test.csv`` side by side; a run given only ``--data
        sst5/train.csv`` carves its test and validation sets from the training file and never reads the others.

        Returns
        -------
        list of str
            One warning per table beside :attr:`path` whose name says it holds the test or validation split
            (:func:`~imdb_baselines.corpus.tables.split_roles`) and which ``test`` or ``validation`` did not name.
        """
        path = Path(self.path) if self.path else None
        if path is None or table_kind(path) is None or not path.is_file():
            return []
        beside = sorted(p for p in path.parent.iterdir() if p.is_file() and table_kind(p) is not None
                        and p.resolve() != path.resolve())
        roles, warnings = split_roles(beside), []
        for flag, given, use in (("--test", self.test, "scores the models on it"),
                                 ("--validation", self.validation, "uses it as given")):
            table = roles[flag]
            if table is not None and given is None:
                warnings.append(f"`{table.name}` sits beside `{path.name}` and was not read: `{flag} {table}` {use}.")
        return warnings

    def ordered(self, data: TextCorpus) -> TextCorpus:
        """``data`` with :attr:`class_order` applied (checked against its classes)."""
        if self.class_order is None:
            return data
        data = replace(data, class_order=tuple(self.class_order))
        data.classes  # noqa: B018 - checks that the order names each class once
        return data


def shared_texts(data: TextCorpus) -> int:
    """How many test texts occur, character for character, in the training (or validation) texts."""
    if data.out_of_fold:  # no test set: each text is scored by models that never saw it
        return 0
    seen = set(data.train["text"])
    if data.validation is not None:
        seen |= set(data.validation["text"])
    return int(data.test["text"].isin(seen).sum())


def drop_shared_texts(data: TextCorpus) -> TextCorpus:
    """The corpus without the training and validation texts that also occur in the test set (which stays whole)."""
    test_texts = set(data.test["text"])
    train = data.train[~data.train["text"].isin(test_texts)].reset_index(drop=True)
    validation = None if data.validation is None else \
        data.validation[~data.validation["text"].isin(test_texts)].reset_index(drop=True)
    dropped = len(data.train) - len(train) + (0 if validation is None else len(data.validation) - len(validation))
    logger.info("Dropped %d training/validation texts that also occur in the test set", dropped)
    note = f"dropped {dropped} training/validation text(s) that also occur in the test set"
    return replace(data, train=train, validation=validation, notes=(*data.notes, note))
