"""The package's code shipped to Spark executors that run in other processes or on other machines.

The Spark engine tokenizes and hashes in Python UDFs, so every executor must import
:mod:`imdb_baselines` (and :mod:`baselines`, :mod:`neural`). Executors started by a cluster manager
(``local-cluster``, ``spark://``, YARN, Kubernetes) have their own Python, where this package is usually not
installed; :func:`ship_package` builds one zip of the three import packages and hands it to Spark
(``SparkContext.addPyFile``), which puts it first on every executor's ``sys.path``. The zip is cached under
the package's cache folder by the digest of its content, so it is built once per version of the code.
The executors still need the package's dependencies (numpy, scipy, scikit-learn, pandas, pyarrow).
"""

from __future__ import annotations

import hashlib
import io
import logging
import zipfile
from pathlib import Path

from imdb_baselines.storage.files import atomic_file

__all__ = ["PACKAGES", "package_archive", "ship_package"]

logger = logging.getLogger(__name__)

PACKAGES = ("imdb_baselines", "baselines", "neural")  # the import packages one install provides
_SKIPPED_SUFFIXES = (".pyc", ".pyo")


def _package_files() -> list[tuple[str, Path]]:
    """(name in the archive, file) for every file of the three packages, in a fixed order."""
    import importlib

    files = []
    for name in PACKAGES:
        root = Path(importlib.import_module(name).__file__).parent
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix not in _SKIPPED_SUFFIXES:
                files.append((f"{name}/{path.relative_to(root).as_posix()}", path))
    return files


def package_archive(folder: Path | None = None) -> Path:
    """The zip of :data:`PACKAGES` executors import, built (once per content) in ``folder``.

    Parameters
    ----------
    folder : Path, optional
        Where the archives are kept (default: ``spark/`` in the package's cache folder,
        :func:`imdb_baselines.corpus.imdb.default_cache_dir`).

    Returns
    -------
    Path
        ``imdb_baselines-<digest>.zip``; its entries have fixed dates, so the same code gives the same bytes.
    """
    from imdb_baselines.corpus.imdb import default_cache_dir

    folder = Path(folder) if folder is not None else default_cache_dir() / "spark"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, path in _package_files():
            entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, path.read_bytes())
    content = buffer.getvalue()
    target = folder / f"imdb_baselines-{hashlib.sha256(content).hexdigest()[:16]}.zip"
    if not target.is_file():  # named by its content: a file of that name already holds these bytes
        with atomic_file(target) as out:
            out.write(content)
        logger.info("Built %s for the Spark executors (%d KiB)", target, len(content) // 1024)
    return target


def ship_package(session) -> Path:
    """Add :func:`package_archive` to ``session``'s Python path on every executor; return the archive."""
    archive = package_archive()
    session.sparkContext.addPyFile(str(archive))
    return archive
