"""A labelled text collection, whatever it came from: IMDB, a CSV, JSON Lines, Parquet or a folder per class."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["TextCorpus", "category_order", "class_order_hints", "label_spelling_hints", "plain_label", "sorted_classes"]


def plain_label(value):
    """A label as a plain Python value (a numpy scalar becomes its int, float, bool or str).

    Examples
    --------
    >>> plain_label(np.int64(1)), plain_label("pos")
    (1, 'pos')
    """
    return value.item() if isinstance(value, np.generic) else value


def sorted_classes(labels) -> tuple:
    """The distinct labels in a fixed order: sorted, and numbers written as text in numeric order; labels of
    mixed types are an error.

    Examples
    --------
    >>> sorted_classes(["pos", "neg", "pos"])
    ('neg', 'pos')
    >>> sorted_classes([True, False])
    (False, True)
    >>> sorted_classes(["10", "2", "1"])  # a scale written as text keeps its numeric order
    ('1', '2', '10')
    """
    values = pd.unique(pd.Series(labels, dtype=object).dropna())
    kinds = {"bool" if isinstance(v, (bool, np.bool_)) else "number" if isinstance(v, (int, float, np.number))
             else "text" for v in values}
    if len(kinds) > 1:
        raise TypeError(f"Labels mix {' and '.join(sorted(kinds))} values: {sorted(map(repr, values))[:6]}. "
                        "Use one kind of label (all strings, all integers or all booleans).")
    if kinds == {"text"} and all(_NUMBER.fullmatch(str(v).strip()) for v in values):
        return tuple(plain_label(v) for v in sorted(values, key=lambda v: (float(str(v)), str(v))))
    return tuple(plain_label(v) for v in sorted(values))


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


#: The IMDB collection's name, as reports and saved models record it.
IMDB_NAME = "IMDB sentiment"
#: What IMDB's labels mean (Maas et al.: 1 for a rating of 7 or more, 0 for 4 or less).
IMDB_CLASS_NAMES = {0: "negative", 1: "positive"}


def class_names(dataset: str | None) -> dict:
    """Readable names of a data set's labels where the labels are codes (IMDB's 0 and 1), else ``{}``.

    Examples
    --------
    >>> class_names("IMDB sentiment")[1], class_names("trec-train")
    ('positive', {})
    """
    return dict(IMDB_CLASS_NAMES) if dataset == IMDB_NAME else {}


def shown_label(label, dataset: str | None) -> str:
    """A label as people read it: IMDB's ``1`` is ``positive``; other labels are their own names.

    Examples
    --------
    >>> shown_label(0, "IMDB sentiment"), shown_label("HUM", "trec-train")
    ('negative', 'HUM')
    """
    return class_names(dataset).get(label, str(label))


def ordered_classes(classes: tuple, order) -> tuple:
    """``classes`` in the order the user gave (``--class-order``), each name matched to its label.

    Raises
    ------
    DataError
        If the order does not name every class exactly once.

    Examples
    --------
    >>> ordered_classes(("negative", "neutral", "positive"), ["positive", "neutral", "negative"])
    ('positive', 'neutral', 'negative')
    >>> ordered_classes((0, 1, 2), ["2", "1", "0"])
    (2, 1, 0)
    """
    from imdb_baselines.corpus.errors import DataError

    by_name = {str(c): c for c in classes}
    names = [str(name).strip() for name in order]
    unknown = [n for n in names if n not in by_name]
    missing = [str(c) for c in classes if str(c) not in names]
    if unknown or missing or len(set(names)) != len(names):
        raise DataError(f"--class-order must name each class of the data once: {', '.join(map(str, classes))}. "
                        + (f"Not classes: {', '.join(unknown)}. " if unknown else "")
                        + (f"Missing: {', '.join(missing)}." if missing else "Named twice." if not unknown else ""))
    return tuple(by_name[n] for n in names)


def category_order(labels: pd.Series, classes: tuple) -> tuple | None:
    """``classes`` in the order of an ordered categorical label column (one that Parquet or a DataFrame carries:
    the scale is then the data's own), else ``None``.

    Examples
    --------
    >>> scale = pd.Categorical(["good", "bad"], categories=["bad", "fine", "good"], ordered=True)
    >>> category_order(pd.Series(scale), ("bad", "good")), category_order(pd.Series(["good", "bad"]), ("bad", "good"))
    (('bad', 'good'), None)
    >>> category_order(pd.Series(pd.Categorical([5, 1], categories=[5, 1], ordered=True)), (1, 5))
    (5, 1)
    """
    dtype = labels.dtype
    if not (isinstance(dtype, pd.CategoricalDtype) and dtype.ordered):
        return None
    by_name = {str(c): c for c in classes}
    order = tuple(by_name[str(c)] for c in dtype.categories if str(c) in by_name)
    return order if len(order) == len(classes) else None


#: Words that grade a class ("very negative" beside "negative"): classes named so are a scale.
_GRADES = frozenset({"very", "strongly", "somewhat", "slightly", "extremely", "highly", "mildly", "fairly", "mostly"})


def class_order_hints(classes: tuple, class_order: tuple | None = None) -> list[str]:
    """A warning when the classes look like a graded scale ("very negative" beside "negative") and no
    ``--class-order`` was given: sorted by name, the scale is scattered across the report's tables and matrices.

    Examples
    --------
    >>> class_order_hints(("negative", "neutral", "positive", "very negative", "very positive"))[0][:61]
    'The classes look like a graded scale (`very negative` beside '
    >>> class_order_hints(("ABBR", "DESC", "HUM")), class_order_hints(("negative", "very negative"), ("very negative",
    ...                                                                                              "negative"))
    ([], [])
    """
    if class_order is not None:
        return []
    named = {tuple(re.split(r"[\s_-]+", c.strip().lower())): c for c in classes if isinstance(c, str)}
    graded = [(c, named[words[1:]]) for words, c in named.items()
              if len(words) > 1 and words[0] in _GRADES and words[1:] in named]
    if not graded:
        return []
    (example, base), listed = graded[0], ", ".join(map(str, classes))
    return [f"The classes look like a graded scale (`{example}` beside `{base}`), but they are shown sorted by "
            "name, so the report's tables and confusion matrices do not follow the scale: name them in the scale's "
            f"order with `--class-order` (they are: {listed})."]


def label_spelling_hints(classes: tuple) -> list[str]:
    """A warning for classes that differ only in letter case or spaces (``positive`` and ``positive ``, ``Negative``
    and ``negative``): each is kept as a class of its own, which a mistyped label in a file rarely means.

    Examples
    --------
    >>> label_spelling_hints(("Negative", "negative", "positive", "positive "))[0][:120]
    "Classes that differ only in letter case or spaces are kept apart: 'Negative' and 'negative'; 'positive' and \
'positive '."
    >>> label_spelling_hints(("neg", "pos")), label_spelling_hints((0, 1))
    ([], [])
    """
    spellings: dict[str, list[str]] = {}
    for label in classes:
        if isinstance(label, str):
            spellings.setdefault(" ".join(label.split()).casefold(), []).append(label)
    clashes = [" and ".join(map(repr, group)) for group in spellings.values() if len(group) > 1]
    if not clashes:
        return []
    return [f"Classes that differ only in letter case or spaces are kept apart: {'; '.join(clashes)}. If each "
            "group means one class, write its labels alike in the data; every model now treats them as different "
            "classes."]


@dataclass(frozen=True)
class TextCorpus:
    """Train and test texts with labels, and where they came from.

    The frames have the columns ``id`` (unique within the corpus), ``text``
    and ``label``, plus any extra columns of the source (IMDB keeps
    ``rating``). Label values keep their own names and types (strings,
    integers or booleans) everywhere, reports and predictions included.
    """

    train: pd.DataFrame  # labelled training texts
    test: pd.DataFrame  # labelled test texts, for the final evaluation only
    unsup: pd.DataFrame | None  # unlabelled texts (IMDB's train/unsup), if asked for
    sha256: str  # checksum of the source files
    source: str  # where the texts were read from
    name: str = IMDB_NAME  # the collection's name, for report titles
    validation: pd.DataFrame | None = None  # a validation set given with the data (used as is)
    notes: tuple[str, ...] = field(default_factory=tuple)  # how the split was made, what was dropped...
    class_order: tuple | None = None  # the classes in the order the user gave; None: sorted_classes
    out_of_fold: bool = False  # no test set: ``test`` is ``train`` itself, scored out of fold by cross-validation

    @property
    def classes(self) -> tuple:
        """The training labels in their fixed order: the user's (``class_order``), else sorted."""
        found = sorted_classes(self.train["label"])
        return ordered_classes(found, self.class_order) if self.class_order is not None else found

    def summary(self) -> str:
        """A few lines describing the corpus, for the command line and reports."""
        lines = [f"{self.name} from {self.source} (sha256 {self.sha256[:16]}…)"]
        for split in ("train", "validation", "test", "unsup"):
            frame = getattr(self, split)
            if frame is None or (split == "test" and self.out_of_fold):
                continue
            counts = frame["label"].value_counts()
            classes = "" if split == "unsup" else "  " + "  ".join(
                f"{label}: {int(counts.get(label, 0)):,}" for label in self.classes)
            length = frame["text"].str.len()
            lines.append(f"  {split:<10} {len(frame):>7,} texts{classes}  median {int(length.median()):,} characters")
        lines += [f"  {note}" for note in self.notes]
        return "\n".join(lines)
