"""The error of a folder that is not a loadable saved model."""

__all__ = ["ModelFileError"]


class ModelFileError(ValueError):
    """A folder that is not a loadable saved model: missing, tampered with, or from an unknown format."""
