"""The benchmarks' JSON results files: written atomically, never over a file a benchmark did not write.

Each file holds ``{"written_by": "imdb-baselines benchmarks", "script": ..., "results": ...}``; a figure is a PNG
whose ``Source`` text chunk says the same. A target that
exists and is not such a file (a user's own file, or one written before the files were marked) is refused with
a message that names it, before the benchmark runs (:func:`results_target`) and again when it writes; nothing
is left half-written, because the file is renamed into place whole.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from imdb_baselines.storage import atomic_file

__all__ = ["RESULTS", "WRITTEN_BY", "figure_target", "read_results", "results_target", "write_figure",
           "write_results"]

#: The folder the benchmarks write to unless told otherwise (ignored by git).
RESULTS = Path(__file__).resolve().parent / "results"
WRITTEN_BY = "imdb-baselines benchmarks"


def write_results(path: str | os.PathLike, results: Any, *, default=None) -> Path:
    """Write ``results`` as JSON to ``path``, replacing it atomically only if a benchmark wrote it.

    Parameters
    ----------
    path : path
        The results file; its folder is made if missing.
    results : object
        What the benchmark measured, as JSON values (``default`` converts the rest, as ``json.dump`` takes it).

    Returns
    -------
    Path

    Raises
    ------
    SystemExit
        If ``path`` exists and is not a results file a benchmark wrote.
    """
    path = results_target(path)
    document = {"written_by": WRITTEN_BY, "script": Path(sys.argv[0]).name, "results": results}
    with atomic_file(path, "w", encoding="utf-8") as out:
        json.dump(document, out, indent=1, default=default)
        out.write("\n")
    return path


def read_results(path: str | os.PathLike) -> Any:
    """What :func:`write_results` wrote to ``path``.

    Raises
    ------
    SystemExit
        If ``path`` is missing or is not a results file a benchmark wrote.
    """
    path = Path(path)
    if not path.is_file():
        raise SystemExit(f"{path}: no such results file.")
    return _own(path)["results"]


def _own(path: Path) -> dict:
    """The document at ``path`` if a benchmark wrote it; otherwise refuse it."""
    try:
        document = json.loads(path.read_text(encoding="utf-8")) if path.is_file() and not path.is_symlink() else None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        document = None
    if not (isinstance(document, dict) and document.get("written_by") == WRITTEN_BY and "results" in document):
        raise SystemExit(f"{path} exists and is not a results file written by a benchmark; it is left as it is. "
                         "Choose another --out, or move it away.")
    return document


def results_target(path: str | os.PathLike) -> Path:
    """``path`` as a results file's target, checked before the benchmark runs: absent, or written by a benchmark.

    Raises
    ------
    SystemExit
        If ``path`` exists and is not a results file a benchmark wrote.
    """
    path = Path(path)
    if path.exists() or path.is_symlink():
        _own(path)
    return path


def figure_target(path: str | os.PathLike) -> Path:
    """``path`` as a figure's target, checked before the benchmark runs: absent, or a PNG a benchmark drew.

    Raises
    ------
    SystemExit
        If ``path`` exists and is not a PNG whose ``Source`` text chunk is :data:`WRITTEN_BY`.
    """
    path = Path(path)
    if path.exists() or path.is_symlink():
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(path) as image:
                source = image.info.get("Source") if image.format == "PNG" and not path.is_symlink() else None
        except (OSError, UnidentifiedImageError):
            source = None
        if source != WRITTEN_BY:
            raise SystemExit(f"{path} exists and is not a figure drawn by a benchmark; it is left as it is. "
                             "Move it away to draw the figure there.")
    return path


def write_figure(figure, path: str | os.PathLike, **savefig_args) -> Path:
    """Save a Matplotlib ``figure`` as a PNG at ``path``, marked as a benchmark's and replaced atomically.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
    path : path
        The figure's file; only a PNG a benchmark drew is replaced.
    **savefig_args
        Passed to ``figure.savefig`` (``dpi``, ...).

    Returns
    -------
    Path

    Raises
    ------
    SystemExit
        If ``path`` exists and is not a figure a benchmark drew.
    """
    path = figure_target(path)
    with atomic_file(path, "wb") as out:
        figure.savefig(out, format="png", metadata={"Source": WRITTEN_BY}, **savefig_args)
    return path
