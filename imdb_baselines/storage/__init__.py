"""Writing without losing anything: owned folders, locks, atomic replacement, atomic files."""

from imdb_baselines.storage.files import atomic_file, file_lock, remove_stale_parts
from imdb_baselines.storage.folders import OwnedFolder, TargetError, write_folder
from imdb_baselines.storage.hooks import pause_point
from imdb_baselines.storage.markers import MARKER, read_marker, write_marker

__all__ = [
    "MARKER",
    "OwnedFolder",
    "TargetError",
    "atomic_file",
    "file_lock",
    "pause_point",
    "read_marker",
    "remove_stale_parts",
    "write_folder",
    "write_marker",
]
