"""Serve kept models over HTTP: a JSON API (``/predict``, ``/models``, ``/report``, ``/health``) and one page.

The models of a report folder (or one saved model) load once at start; a model that fails to load is
reported and the others are served. Nothing the service receives is written to disk or logged.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

__all__ = ["main"]

MAX_PORT = 65535

_EXAMPLES = """\
examples:
  imdb-serve reports/demo                           # http://127.0.0.1:8000/
  imdb-serve reports/demo/models/nbsvm --port 8080
  imdb-serve reports/demo --host 0.0.0.0 --workers 2
  imdb-serve reports/demo --keras-runtime onnx      # the Keras models in onnxruntime: no TensorFlow in memory
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="imdb-serve", description="Serve kept models: a JSON API and a page to "
                                     "try them side by side.", epilog=_EXAMPLES, allow_abbrev=False,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", help="a report folder with saved models (REPORT/models/*) or one saved model")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine "
                        "only)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes, each with its own copy of the "
                        "models (default 1)")
    parser.add_argument("--max-chars", type=int, default=50_000, help="characters of one text (default 50000)")
    parser.add_argument("--max-texts", type=int, default=256, help="texts in one request (default 256)")
    parser.add_argument("--timeout-keep-alive", type=int, default=5, help="seconds an idle connection stays open "
                        "(default 5)")
    parser.add_argument("--trust", action="append", default=[], metavar="TYPE", help="load this type too "
                        "(module.Class, repeatable): your own estimator's classes, which a saved model is refused "
                        "for until you vouch for them")
    parser.add_argument("--keras-runtime", choices=("keras", "onnx"), default="keras", help="what answers the Keras "
                        "models: Keras itself (default), or their ONNX graphs in onnxruntime, converted once and "
                        "cached, so that the service holds no TensorFlow (about 690 MiB less)")
    parser.add_argument("--quiet", action="store_true", help="warnings and errors only")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Start the service; return the exit status when it stops."""
    parser = _parser()
    args = parser.parse_args(argv)
    for option in ("workers", "max_chars", "max_texts", "timeout_keep_alive"):
        if getattr(args, option) < 1:
            parser.error(f"--{option.replace('_', '-')} must be a positive number")
    if not 0 <= args.port <= MAX_PORT:
        parser.error(f"--port must be in [0, {MAX_PORT}] (0: any free port). Got {args.port} instead.")
    try:
        import uvicorn

        from imdb_baselines.serving import Limits, create_app, load_catalog
        from imdb_baselines.serving.app import ENVIRONMENT
        from imdb_baselines.serving.guards import LOOPBACK_HOSTS, IdleClosingH11Protocol, is_loopback
        from imdb_baselines.serving.memory import return_large_blocks
    except ImportError as error:
        print(f"error: the service needs FastAPI, uvicorn and Swagger UI's files ({error.name} is missing): "
              "pip install 'imdb-baselines[serve]'", file=sys.stderr)
        return 2
    from imdb_baselines.modelfiles import ModelFileError

    level = logging.WARNING if args.quiet else logging.INFO
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s")
    return_large_blocks()  # before the models load: their freed copies must not stay resident
    try:
        catalog = load_catalog(args.path, args.trust, keras_runtime=args.keras_runtime)  # a bad path: one line here
    except ModelFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    limits = Limits(max_chars=args.max_chars, max_texts=args.max_texts)
    hosts = LOOPBACK_HOSTS if is_loopback(args.host) else None  # on this machine only: refuse rebound names
    if hosts is None:
        logging.getLogger("imdb-serve").warning(
            "Listening on %s: the service is reachable from other machines, with no authentication. Put it "
            "behind a proxy that authenticates, or use --host 127.0.0.1.", args.host)
    options = {"host": args.host, "port": args.port, "log_level": "warning" if args.quiet else "info",
               "timeout_keep_alive": args.timeout_keep_alive, "server_header": False, "http": IdleClosingH11Protocol}
    if args.workers == 1:
        uvicorn.run(create_app(catalog, limits, hosts=hosts), **options)
    else:
        del catalog  # each worker loads its own
        os.environ.update({ENVIRONMENT["path"]: os.path.abspath(args.path),
                           ENVIRONMENT["max_chars"]: str(args.max_chars),
                           ENVIRONMENT["max_texts"]: str(args.max_texts),
                           ENVIRONMENT["hosts"]: ",".join(hosts or ()),
                           ENVIRONMENT["trusted"]: ",".join(args.trust),
                           ENVIRONMENT["keras_runtime"]: args.keras_runtime})
        uvicorn.run("imdb_baselines.serving.app:app_from_environment", factory=True, workers=args.workers, **options)
    return 0


if __name__ == "__main__":
    sys.exit(main())
