"""The web service: the kept models behind a FastAPI app, and one page to try them side by side.

Needs the ``serve`` extra (``pip install imdb-baselines[serve]``): FastAPI and uvicorn.
"""

from imdb_baselines.serving.app import Limits, app_from_environment, create_app
from imdb_baselines.serving.catalog import Catalog, ServedModel, load_catalog

__all__ = ["Catalog", "Limits", "ServedModel", "app_from_environment", "create_app", "load_catalog"]
