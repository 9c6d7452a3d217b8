"""``python -m imdb_baselines.tracking REPORT``: log a report folder written without ``--track`` to MLflow."""

from __future__ import annotations

import argparse
import logging
import sys

from imdb_baselines.tracking import TrackingError, log_report


def main(argv: list[str] | None = None) -> int:
    """Log each report folder given; return the exit status (2 for a folder or store that cannot be used)."""
    parser = argparse.ArgumentParser(prog="python -m imdb_baselines.tracking", description=__doc__.split("``: ")[1])
    parser.add_argument("reports", nargs="+", metavar="REPORT", help="a report folder of imdb-compare")
    parser.add_argument("--tracking-uri", help="MLflow's tracking URI (default: sqlite:///<the report's parent "
                        "folder>/mlflow.db)")
    parser.add_argument("--experiment", help="the MLflow experiment (default: named after the data set)")
    parser.add_argument("--register", metavar="NAME", help="register each report's best model as NAME")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    for report in args.reports:
        try:
            run = log_report(report, tracking_uri=args.tracking_uri, experiment=args.experiment,
                             register=args.register)
        except TrackingError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(f"{report}: MLflow run {run}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
