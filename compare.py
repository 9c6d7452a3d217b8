"""Compare classical bag-of-words baselines with Keras models on IMDB."""

from __future__ import annotations

import argparse
import logging
import sys

import corpus

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Load the corpus and print its summary."""
    parser = argparse.ArgumentParser(prog="imdb-compare", description=__doc__)
    parser.add_argument("--data", help="aclImdb_v1.tar.gz or an extracted aclImdb folder")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        print(corpus.load_imdb(args.data).summary())
    except (FileNotFoundError, corpus.ImdbDataError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
