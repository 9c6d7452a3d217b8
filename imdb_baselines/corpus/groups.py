"""Signs that texts come in groups the split does not know about: a column of repeated ids, or shared openings.

Texts from one source (a movie's reviews, an author's posts, one product's questions) resemble each other more
than texts from different sources. If a source lies on both sides of a split, the held-out score rewards
remembering the source, not the task; ``--group-column`` keeps each group on one side.
"""

from __future__ import annotations

import pandas as pd

from imdb_baselines.corpus.dataset import TextCorpus

__all__ = ["PREFIX_CHARACTERS", "group_hints"]

#: Texts whose first this many characters are identical count as sharing an opening (templates, one thread).
PREFIX_CHARACTERS = 60
#: The share of texts that must share an opening, or repeat a column's value, before the report says so.
_SHARE = 0.05
_FEWEST = 10  # and at least this many texts
_SHOWN = 80  # characters of an example opening


def group_hints(data: TextCorpus, used: str | None = None, *, keeps_groups: bool = True) -> list[str]:
    """Warnings about group structure the run does not use (none for the column ``used``).

    A column other than the text, label and ids whose values repeat (at least two texts per value on average,
    more than one value) looks like a group id; so do many texts that open with the same
    :data:`PREFIX_CHARACTERS` characters. Each warning says how to keep a group on one side: ``--group-column``,
    or, where the run's engine keeps no groups (``keeps_groups=False``: Spark), the engines that do.

    Examples
    --------
    >>> from imdb_baselines.corpus import from_frames
    >>> frame = pd.DataFrame({"text": [f"review {i} of a film" for i in range(40)], "label": ["a", "b"] * 20,
    ...                       "author": [f"critic {i % 8}" for i in range(40)]})
    >>> group_hints(from_frames(frame, test_size=0.25))[0][:64]
    "Column 'author' repeats 8 values over 40 texts, like a group id:"
    """
    frames = [frame for frame in (data.train, data.validation, None if data.out_of_fold else data.test)
              if frame is not None]
    every = pd.concat(frames, ignore_index=True)
    if "text" not in every.columns or not len(every):
        return []
    hints = []
    for column in every.columns:
        if column in ("id", "text", "label", "rating", used):
            continue
        values = every[column].dropna().astype(str)
        distinct = values.nunique()
        if 1 < distinct <= len(values) / 2 and len(values) >= _FEWEST:
            keep = (f"`--group-column {column}` keeps each on one side" if keeps_groups else
                    f"the local and chunked engines keep each on one side with `--group-column {column}` (this "
                    "engine does not)")
            hints.append(f"Column {column!r} repeats {distinct:,} values over {len(values):,} texts, like a group "
                         f"id: texts that share a value may sit on both sides of the split. If they come from one "
                         f"source, {keep}.")
    long = every["text"][every["text"].str.len() > 2 * PREFIX_CHARACTERS].str[:PREFIX_CHARACTERS]
    shared = long[long.duplicated(keep=False)]
    if len(shared) >= max(_FEWEST, _SHARE * len(every)):
        example = shared.value_counts().index[0]
        hints.append(f"{len(shared):,} texts ({len(shared) / len(every):.0%}) open with the same "
                     f"{PREFIX_CHARACTERS} characters as another text (e.g. \"{example[:_SHOWN]}…\"): they may come "
                     "from one source or template. If a column names their source, `--group-column` keeps each "
                     "source on one side of the split" + ("." if keeps_groups else " on the local and chunked "
                                                          "engines (this engine does not)."))
    return hints
