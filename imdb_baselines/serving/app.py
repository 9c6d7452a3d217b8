"""The FastAPI application: a JSON API over the kept models and one page to try them side by side."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path  # Swagger UI's own files: /docs loads nothing from elsewhere

from imdb_baselines import corpus
from imdb_baselines.modelfiles import predict_texts
from imdb_baselines.serving.catalog import Catalog, load_catalog
from imdb_baselines.serving.guards import BodyLimit, HostCheck, SecurityHeaders, body_limit_bytes
from imdb_baselines.serving.memory import return_large_blocks
from imdb_baselines.serving.schemas import ModelAnswer, PredictRequest, PredictResponse

__all__ = ["Limits", "create_app", "app_from_environment"]

logger = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
#: The environment variables through which ``imdb-serve`` hands its settings to each worker process.
ENVIRONMENT = {"path": "IMDB_BASELINES_SERVE_PATH", "max_chars": "IMDB_BASELINES_SERVE_MAX_CHARS",
               "max_texts": "IMDB_BASELINES_SERVE_MAX_TEXTS", "hosts": "IMDB_BASELINES_SERVE_HOSTS",
               "trusted": "IMDB_BASELINES_SERVE_TRUSTED", "keras_runtime": "IMDB_BASELINES_SERVE_KERAS_RUNTIME"}


@dataclass(frozen=True)
class Limits:
    """What one request may hold.

    Attributes
    ----------
    max_chars : int
        Characters of one text (the longest IMDB review has 13,704).
    max_texts : int
        Texts in one request.
    """

    max_chars: int = 50_000
    max_texts: int = 256


def _check_request(request: PredictRequest, catalog: Catalog, limits: Limits) -> tuple[list[str], list[str]]:
    texts = request.all_texts
    if len(texts) > limits.max_texts:
        raise HTTPException(422, f"{len(texts)} texts in one request; at most {limits.max_texts} are accepted. "
                                 "Send them in smaller batches.")
    too_long = [i for i, text in enumerate(texts) if len(text) > limits.max_chars]
    if too_long:
        raise HTTPException(422, f"texts {too_long[:10]} have more than {limits.max_chars} characters, the limit "
                                 "of one text.")
    names = request.models if request.models is not None else list(catalog.models)
    unknown = [n for n in names if n not in catalog.models]
    if unknown or not names:
        failed = f" ({', '.join(catalog.failures)} failed to load)" if catalog.failures else ""
        raise HTTPException(404, f"unknown model {', '.join(map(repr, unknown)) or '(none given)'}; the models "
                                 f"served are {', '.join(catalog.models)}{failed}")
    return texts, names


def _answer(catalog: Catalog, name: str, texts: list[str], explain: int) -> ModelAnswer:
    served = catalog.models[name]
    accuracy = served.description["test_metrics"].get("accuracy", {}).get("value")
    try:
        rows = predict_texts(served.model, texts, explain if served.linear else 0, adapter=served.adapter)
    except Exception as error:  # one model's failure must not take the others' answers with it
        logger.exception("Model %s failed on a request of %d texts", name, len(texts))
        return ModelAnswer(model=name, status=500, error=f"{type(error).__name__}: {error}", test_accuracy=accuracy)
    return ModelAnswer(model=name, predictions=rows, test_accuracy=accuracy)


def _leaderboard(catalog: Catalog) -> dict[str, Any]:
    report = catalog.report or {}
    keys = ("model", "accuracy", "accuracy_ci_low", "accuracy_ci_high", "f1", "f1_ci_low", "f1_ci_high",
            "macro_f1", "roc_auc", "fit_s", "predict_s", "model_mib", "stopwords")
    rows = [{k: row.get(k) for k in keys} for row in report.get("results", [])]
    provenance = report.get("provenance", {})
    lists = (provenance.get("settings") or {}).get("stopwords") or [row["stopwords"] for row in rows[:1]]
    kept_list = lists[0] if lists else None  # the models kept, and calibrated, are the first list's
    for row in rows:  # a stopword ablation's other lists are rows of the report, not models served here
        kept = row["stopwords"] == kept_list
        row["served"] = kept and row["model"] in catalog.models
        row["brier"] = report.get("calibration", {}).get(row["model"], {}).get("brier") if kept else None
    names = corpus.class_names(catalog.dataset)
    return {"dataset": catalog.dataset, "classes": provenance.get("classes") or catalog.classes,
            "class_names": {str(label): name for label, name in names.items()},  # what a code means, for people
            "texts_are": "review" if catalog.dataset == corpus.IMDB_NAME else "text", "examples": catalog.examples,
            "leaderboard": rows,
            "mcnemar_p_values": report.get("mcnemar_p_values"),
            "mcnemar_holm_p_values": report.get("mcnemar_holm_p_values"),
            "figures": [f"figures/{n}" for n in catalog.figures], "command": provenance.get("command")}


def create_app(catalog: Catalog, limits: Limits = Limits(), *, hosts: tuple[str, ...] | None = None) -> FastAPI:
    """The application serving ``catalog``'s models.

    Parameters
    ----------
    catalog : Catalog
        Loaded models (see :func:`imdb_baselines.serving.load_catalog`).
    limits : Limits
        Caps on each request; a body too large to hold them is refused with 413 before it is read whole.
    hosts : tuple of str, optional
        The Host names requests must be addressed to (``imdb_baselines.serving.guards.LOOPBACK_HOSTS`` for a service on
        this machine only, against DNS rebinding); None: any.

    Returns
    -------
    fastapi.FastAPI
    """
    app = FastAPI(title="imdb-baselines", version="1", description="Every kept model answers the same text: its "
                  "label, probability and evidence, next to its measured test accuracy.", docs_url=None,
                  redoc_url=None)
    app.state.catalog, app.state.limits = catalog, limits

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    @app.get("/health")
    def health() -> dict[str, Any]:
        """Whether the service is up, and how many models answer."""
        return {"status": "ok", "models": len(catalog.models), "failed_to_load": sorted(catalog.failures)}

    @app.get("/models")
    def models() -> dict[str, Any]:
        """Each served model's settings, test metrics with 95 % intervals and saved size."""
        return {"models": [m.description for m in catalog.models.values()], "failed_to_load": catalog.failures,
                "limits": {"max_chars": limits.max_chars, "max_texts": limits.max_texts}}

    @app.get("/report")
    def report() -> dict[str, Any]:
        """The comparison's leaderboard (empty when serving a single model)."""
        return _leaderboard(catalog)

    @app.get("/figures/{name}", include_in_schema=False)
    def figure(name: str) -> FileResponse:
        if name not in catalog.figures:
            raise HTTPException(404, f"no figure {name!r}; the report has {', '.join(catalog.figures) or 'none'}")
        return FileResponse(catalog.figures[name], media_type="image/png")

    @app.post("/predict", response_model=PredictResponse, response_model_exclude_none=True)
    def predict(request: PredictRequest) -> PredictResponse:
        """Every asked model's label, probability and (linear models, if asked) n-gram evidence for each text."""
        texts, names = _check_request(request, catalog, limits)
        started = time.perf_counter()
        answers = [_answer(catalog, name, texts, request.explain) for name in names]
        logger.debug("Answered %d texts (%d characters) with %d models in %.1f ms", len(texts),
                     sum(map(len, texts)), len(names), 1000 * (time.perf_counter() - started))
        return PredictResponse(n_texts=len(texts), answers=answers)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=app.openapi_url, title="imdb-baselines: the JSON API",
                                   swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-assets/swagger-ui.css",
                                   swagger_favicon_url="/docs-assets/favicon-32x32.png")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/docs-assets", StaticFiles(directory=swagger_ui_path), name="docs-assets")
    app.add_middleware(BodyLimit, max_bytes=body_limit_bytes(limits.max_texts, limits.max_chars))
    app.add_middleware(SecurityHeaders)
    if hosts is not None:
        app.add_middleware(HostCheck, hosts=hosts)  # outermost: a foreign Host gets nothing else
    return app


def app_from_environment() -> FastAPI:
    """The application for a worker process started by ``imdb-serve --workers N`` (settings from the environment)."""
    limits = Limits(max_chars=int(os.environ.get(ENVIRONMENT["max_chars"], Limits.max_chars)),
                    max_texts=int(os.environ.get(ENVIRONMENT["max_texts"], Limits.max_texts)))
    hosts, trusted = os.environ.get(ENVIRONMENT["hosts"]), os.environ.get(ENVIRONMENT["trusted"])
    return_large_blocks()  # before the models load: their freed copies must not stay resident
    catalog = load_catalog(os.environ[ENVIRONMENT["path"]], tuple(trusted.split(",")) if trusted else (),
                           keras_runtime=os.environ.get(ENVIRONMENT["keras_runtime"], "keras"))
    return create_app(catalog, limits, hosts=tuple(hosts.split(",")) if hosts else None)
