"""Shared fixtures: the small real excerpt of IMDB, and an isolated cache folder."""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

import pytest

from imdb_baselines import corpus

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_ROOT = FIXTURES / "aclImdb"
FIXTURE_PER_CLASS = 40


def pytest_collection_modifyitems(config, items):
    if os.environ.get("IMDB_DATA"):
        return
    skip = pytest.mark.skip(reason="set IMDB_DATA to the full aclImdb_v1.tar.gz to run")
    for item in items:
        if "full_data" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def session_cache(tmp_path_factory):
    """Module- and session-scoped fixtures write their caches (word vectors...) here, never in the user's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IMDB_BASELINES_HOME", str(tmp_path_factory.mktemp("session-cache")))
        yield


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory, monkeypatch):
    """Every test gets its own empty cache folder; IMDB_DATA is only seen by full-data tests."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("IMDB_BASELINES_HOME", str(cache))
    return cache


@pytest.fixture(scope="session")
def fixture_corpus() -> corpus.TextCorpus:
    return corpus.load_imdb(FIXTURE_ROOT, reviews_per_class=FIXTURE_PER_CLASS, include_unsup=True)


@pytest.fixture(scope="session")
def fixture_splits(fixture_corpus) -> corpus.Splits:
    return corpus.make_splits(fixture_corpus, validation_size=0.2, seed=0)


@pytest.fixture
def fixture_archive(tmp_path) -> Path:
    """The fixture packed as a .tar.gz in the official layout."""
    path = tmp_path / "aclImdb_v1.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        archive.add(FIXTURE_ROOT, arcname="aclImdb")
    return path


@pytest.fixture(scope="session")
def full_data() -> str:
    return os.environ["IMDB_DATA"]


@pytest.fixture(scope="session")
def kept_report(tmp_path_factory) -> Path:
    """A comparison on the excerpt that kept its models: two baselines and a Keras model (one epoch)."""
    from imdb_baselines.cli import compare

    out = tmp_path_factory.mktemp("kept") / "report"
    assert compare.main(["--data", str(FIXTURE_ROOT), "--excerpt", "--models", "naive_bayes,nbsvm,fasttext",
                         "--epochs", "1", "--bootstrap", "0", "--quiet", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (Debian's, through Playwright)."""
    from playwright.sync_api import sync_playwright

    from tests.servers import chromium_path

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=["--no-sandbox"])
        yield browser
        browser.close()
