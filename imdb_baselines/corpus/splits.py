"""Train / validation / test splits, identical for every model, with a fingerprint.

The official test split is kept whole and used only for the final
evaluation; validation data is carved from the training split (stratified,
seeded), so that nothing tunes or early-stops on test reviews.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field, replace
from numbers import Integral, Real
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from imdb_baselines.corpus.dataset import TextCorpus
from imdb_baselines.corpus.errors import DataError
from imdb_baselines.corpus.labels import shown_value
from imdb_baselines.corpus.text import Stopwords, TextPreprocessor

__all__ = ["MIN_TRAIN_PER_CLASS", "Splits", "carve", "make_splits", "review_keys", "sample_corpus",
           "split_fingerprint", "splits_under"]

#: Fewest training reviews of each class left after the validation carve.
MIN_TRAIN_PER_CLASS = 5


@dataclass(frozen=True)
class Splits:
    """Texts and labels of the three splits every model sees."""

    X_train: list[str]  # training texts (train minus the validation carve)
    y_train: np.ndarray  # their labels (for IMDB 1 = positive)
    X_val: list[str]  # validation texts: carved from train, or the validation set given with the data
    y_val: np.ndarray  # their labels
    X_test: list[str]  # test texts: final evaluation only
    y_test: np.ndarray  # their labels
    keys: dict[str, list[str]]  # text keys per split, in order (IMDB: "pos/ID" / "neg/ID")
    text_settings: str  # the shared text preparation (tokenizer, stopword list)
    seed: int  # seed of the validation carve
    fingerprint: str  # sha256 over the ordered keys of each split and text_settings
    classes: tuple = ()  # the training labels in their fixed order
    out_of_fold: bool = False  # no test set: the "test" texts are every labelled text, scored by cross-validation
    groups: dict[str, np.ndarray] = field(default_factory=dict)  # per split, each text's group (--group-column)
    group_column: str | None = None  # the column the groups come from; None: no groups

    def group_counts(self) -> dict[str, int]:
        """Distinct groups per split, and how many groups the training side (training and validation) shares
        with the test set (``shared``); empty without groups."""
        if not self.groups:
            return {}
        counts = {name: len(set(values.tolist())) for name, values in self.groups.items()}
        seen = set(self.groups["train"].tolist()) | set(self.groups["validation"].tolist())
        counts["shared"] = 0 if self.out_of_fold else len(seen & set(self.groups.get("test", np.empty(0)).tolist()))
        return counts

    def sizes(self) -> dict[str, int]:
        """Number of reviews per split."""
        return {name: len(keys) for name, keys in self.keys.items()}


def review_keys(frame: pd.DataFrame) -> list[str]:
    """Unique keys of the texts: IMDB's ``pos/ID`` or ``neg/ID`` (its ids repeat across classes), else the ids."""
    if "rating" not in frame.columns:
        return frame["id"].astype(str).tolist()
    kinds = np.where(frame["label"].to_numpy() == 1, "pos", "neg")
    return [f"{kind}/{rid}" for kind, rid in zip(kinds, frame["id"].tolist())]


def make_splits(
    corpus: TextCorpus,
    *,
    validation_size: float | int = 0.1,
    seed: int = 0,
    stopwords: str | Path | Stopwords | None = None,
    group_column: str | None = None,
) -> Splits:
    """Carve a stratified, seeded validation set from train; keep test whole.

    Parameters
    ----------
    corpus : TextCorpus
        The loaded reviews.
    validation_size : float or int, default=0.1
        Fraction (0 <= f < 1) or number of training reviews held out for
        validation; 0 holds out none. Ignored when the corpus comes with its
        own validation set, which is used as it is.
    seed : int, default=0
        Seed of the carve: the same seed gives the same splits.
    stopwords : str, path, Stopwords or None, default=None
        The shared stopword list; it enters the fingerprint.
    group_column : str, optional
        A column of the corpus naming each text's group (IMDB's ``movie``): the validation carve then takes
        whole groups (:func:`carve`), and each split's groups are kept for the folds.

    Returns
    -------
    Splits

    Raises
    ------
    DataError
        If the data is too small for the split: the validation carve cannot
        hold one review of each class, a class keeps fewer than
        :data:`MIN_TRAIN_PER_CLASS` training reviews, or the test split
        lacks a class.

    Examples
    --------
    >>> splits = make_splits(load_imdb(), seed=0)  # doctest: +SKIP
    >>> splits.sizes()  # doctest: +SKIP
    {'train': 22500, 'validation': 2500, 'test': 25000}
    """
    _check_validation_size(validation_size, len(corpus.train))
    if corpus.validation is not None:
        validation_size = 0  # the validation set given with the data is used as it is
    _check_enough_reviews(corpus, validation_size)
    train = corpus.train
    _check_group_column(corpus, group_column)
    if corpus.validation is not None:
        val = corpus.validation
    elif validation_size:
        keep, held = carve(train["label"].to_numpy(), validation_size, seed,
                           train[group_column].to_numpy() if group_column else None)
        train, val = train.iloc[keep], train.iloc[held]
    else:
        val = train.iloc[:0]
    keys = {"train": review_keys(train), "validation": review_keys(val), "test": review_keys(corpus.test)}
    settings = TextPreprocessor(stopwords).settings
    return Splits(
        X_train=train["text"].tolist(),
        y_train=train["label"].to_numpy(),
        X_val=val["text"].tolist(),
        y_val=val["label"].to_numpy(),
        X_test=corpus.test["text"].tolist(),
        y_test=corpus.test["label"].to_numpy(),
        keys=keys,
        text_settings=settings,
        seed=seed,
        fingerprint=split_fingerprint(keys, settings),
        classes=corpus.classes,
        out_of_fold=corpus.out_of_fold,
        groups={} if not group_column else {name: frame[group_column].astype(str).to_numpy()
                                            for name, frame in (("train", train), ("validation", val),
                                                                ("test", corpus.test))},
        group_column=group_column,
    )


def carve(labels: np.ndarray, size: float | int, seed: int, groups: np.ndarray | None = None) -> tuple[np.ndarray,
                                                                                                      np.ndarray]:
    """Positions kept and held out by a stratified, seeded carve of ``size`` (a share, or a count); both sorted.

    Without ``groups``, scikit-learn's ``train_test_split``. With ``groups``, a carve of about ``size`` that
    takes whole groups: the first fold of ``StratifiedGroupKFold`` with ``round(1 / share)`` folds, shuffled
    with ``seed``. The test carve of the user's data, the validation carve and each fold's carve use it.

    Examples
    --------
    >>> labels, groups = np.array([0, 1] * 10), np.repeat(np.arange(10), 2)
    >>> keep, held = carve(labels, 0.2, seed=0, groups=groups)
    >>> len(held), set(groups[keep]) & set(groups[held])
    (4, set())
    >>> [len(part) for part in carve(labels, 0.25, seed=0)]
    [15, 5]
    """
    positions = np.arange(len(labels))
    if groups is None:
        keep, held = train_test_split(positions, test_size=size, random_state=seed, stratify=labels)
        return np.sort(keep), np.sort(held)
    from sklearn.model_selection import StratifiedGroupKFold

    groups = np.asarray(groups).astype(str)
    share = size / len(labels) if isinstance(size, Integral) else float(size)
    folds = int(min(max(2, round(1 / share)), len(set(groups.tolist()))))
    keep, held = next(StratifiedGroupKFold(folds, shuffle=True, random_state=seed).split(positions, labels, groups))
    return np.sort(keep), np.sort(held)


def _check_group_column(corpus: TextCorpus, column: str | None) -> None:
    """The group column exists in every split of the corpus and names a group for every text."""
    if column is None:
        return
    for name, frame in (("training", corpus.train), ("test", corpus.test), ("validation", corpus.validation)):
        if frame is None:
            continue
        if column not in frame.columns:
            extra = [c for c in frame.columns if c not in ("id", "text", "label")]
            raise DataError(f"The {name} texts of {corpus.source} have no group column {column!r}; their other "
                            f"columns: {', '.join(map(repr, extra)) or 'none'}. Name one with --group-column.")
        missing = frame[column].isna() | (frame[column].astype(str).str.strip() == "")
        if missing.any():
            raise DataError(f"{int(missing.sum())} {name} text(s) of {corpus.source} have no value in the group "
                            f"column {column!r}, e.g. {frame['id'][missing.to_numpy()].iloc[0]}: give every text "
                            "its group.")


def split_fingerprint(keys: dict[str, list[str]], text_settings: str) -> str:
    """The sha256 over each split's ordered keys and the text preparation: equal fingerprints, equal splits.

    Examples
    --------
    >>> split_fingerprint({"train": ["a"], "validation": [], "test": ["b"]}, "tokenizer=v1")[:12]
    '2853cc99dd8b'
    """
    digest = hashlib.sha256()
    for name, split_keys in keys.items():
        digest.update(f"{name}:{','.join(split_keys)}\n".encode())
    digest.update(text_settings.encode())
    return digest.hexdigest()


def _check_validation_size(size: float | int, n_train: int) -> None:
    ok = (
        isinstance(size, Integral) and not isinstance(size, bool) and 0 <= size < n_train
    ) or (isinstance(size, Real) and not isinstance(size, Integral) and 0.0 <= size < 1.0)
    if not ok:
        raise ValueError(
            "The 'validation_size' parameter of make_splits must be a float in [0, 1) or "
            f"an int in [0, {n_train}). Got {size!r} instead."
        )


_SHOWN = 5  # classes named in an error; the rest are counted


def _check_enough_reviews(corpus: TextCorpus, validation_size: float | int) -> None:
    """Raise :class:`DataError` before any model trains if the split would leave a class too few texts."""
    train_counts = corpus.train["label"].value_counts().sort_index()
    test_counts = corpus.test["label"].value_counts()
    n_train, n_classes = len(corpus.train), len(train_counts)
    n_val = math.ceil(validation_size * n_train) if isinstance(validation_size, float) else int(validation_size)
    problems = []
    if n_val and n_val < n_classes:
        problems.append(f"a validation carve of {n_val} text(s) cannot hold one of each of the {n_classes} "
                        "classes: raise the validation size or set it to 0")
    short = [(label, count, count - math.ceil(count * n_val / n_train)) for label, count in train_counts.items()]
    short = [entry for entry in short if entry[2] < MIN_TRAIN_PER_CLASS]
    for label, count, kept in short[:_SHOWN]:
        problems.append(f"class {shown_value(label)} has {count} training text(s), {kept} left after the validation "
                        f"carve; at least {MIN_TRAIN_PER_CLASS} are needed")
    if len(short) > _SHOWN:
        problems.append(f"{len(short) - _SHOWN:,} more classes have too few")
    missing = sorted(set(train_counts.index) - set(test_counts.index))
    if missing:
        problems.append(f"the test split has no text of class(es) {missing}")
    if problems:
        raise DataError(f"Too few texts for this split of {corpus.source}: " + "; ".join(problems)
                        + ". Use more data (a larger --sample) or a smaller --validation-size.")


def sample_corpus(corpus: TextCorpus, n: int, *, seed: int = 0) -> TextCorpus:
    """A stratified subsample of ``n`` texts per split (class shares kept; half of each of two balanced classes).

    Parameters
    ----------
    corpus : TextCorpus
        The full corpus.
    n : int
        Texts per split, at least 4; at most the split's size.
    seed : int, default=0
        Seed of the draw.

    Returns
    -------
    TextCorpus
        Rows in the original order; ``unsup`` is dropped.
    """
    if isinstance(n, bool) or not isinstance(n, Integral) or n < 4:
        raise ValueError(f"The 'n' parameter of sample_corpus must be an int >= 4. Got {n!r} instead.")
    largest = max(len(frame) for frame in (corpus.train, corpus.test, corpus.validation) if frame is not None)
    if n >= largest:
        raise DataError(f"A sample of {n:,} texts per split is no sample: the largest split of {corpus.name} holds "
                        f"{largest:,}. Ask for fewer, or leave the sample out to use all the texts.")

    def draw(frame: pd.DataFrame | None) -> pd.DataFrame | None:
        if frame is None:
            return None
        groups = list(frame.groupby("label"))
        balanced = len({len(group) for _, group in groups}) == 1
        parts = [group.sample(min(n // len(groups) if balanced else max(1, round(n * len(group) / len(frame))),
                                  len(group)), random_state=seed) for _, group in groups]
        return pd.concat(parts).sort_index().reset_index(drop=True)

    train = draw(corpus.train)
    return replace(corpus, train=train, test=train if corpus.out_of_fold else draw(corpus.test),
                   validation=draw(corpus.validation), unsup=None,
                   source=f"{corpus.source} (stratified sample of {n} per split, seed {seed})")


def splits_under(splits: Splits, stopwords: str | Path | Stopwords | None) -> Splits:
    """The same split under another stopword list: the keys, labels and carve unchanged, the fingerprint naming
    the list (engines that split once and prepare the texts per list use it)."""
    settings = TextPreprocessor(stopwords).settings
    return replace(splits, text_settings=settings, fingerprint=split_fingerprint(splits.keys, settings))
