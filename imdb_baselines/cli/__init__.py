"""The command lines: ``imdb-compare``, ``imdb-predict``, ``imdb-serve`` and ``imdb-export``.

Each parses its options into the configuration the Python API takes and calls the package.
"""
