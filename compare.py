"""Compare classical bag-of-words baselines with Keras models on IMDB or your own texts, and write a report.

The entry point of a checkout: ``python compare.py --help``. Installed, the same
command is ``imdb-compare`` (:mod:`imdb_baselines.cli.compare`).
"""

import sys

from imdb_baselines.cli.compare import main

if __name__ == "__main__":
    sys.exit(main())
