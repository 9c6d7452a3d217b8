"""The model catalogue, walked whole: every name's settings reach its estimator, and its grid is sound."""

import numpy as np
import pytest

from imdb_baselines.catalog import (
    CATALOG,
    DEFAULT_MODELS,
    defaults,
    make_model,
    model_names,
    models_on,
    parse_settings,
    resolved_settings,
    search_grid,
    spec,
)
from imdb_baselines.cli import compare

pytest.importorskip("tensorflow", reason="the neural entries need the neural extra")

NAMES = model_names()



def _another(value):
    """A valid value of the same kind that differs from ``value``."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, float):
        return value / 2 if value else 0.25
    if isinstance(value, int):
        return value + 1
    if isinstance(value, tuple) and all(isinstance(v, str) for v in value):  # a stack's members
        return tuple(reversed(value))
    if isinstance(value, tuple) and len(value) == 1:  # region sizes: one more
        return (*value, value[0] + 1)
    if isinstance(value, tuple):  # a range
        return (value[0], value[1] + 1)
    if isinstance(value, str):
        return {"svm": "logistic", "logistic": "svm", "post": "pre", "pre": "post"}.get(value)
    return None


def test_every_model_is_declared_once_with_what_the_tools_read():
    assert NAMES == list(CATALOG) and len(set(NAMES)) == len(NAMES)
    assert set(DEFAULT_MODELS) <= set(NAMES) and models_on("spark") == ("naive_bayes", "linear_svm", "nbsvm")
    for name in NAMES:
        entry = spec(name)
        assert entry.description and entry.kind in ("baseline", "ensemble", "neural", "stack")
        assert entry.grid or entry.no_grid, f"{name} has no grid and does not say why"
        assert set(entry.engines) <= {"local", "spark", "chunked"} and set(entry.exports) <= {"onnx", "savedmodel"}
    with pytest.raises(ValueError, match="Unknown model 'nbsvn'. Choose from: naive_bayes"):
        spec("nbsvn")


@pytest.mark.parametrize("name", NAMES)
def test_every_set_name_is_a_setting_that_reaches_the_estimator(name):
    """Each ``--set`` name is a parameter of the estimator's factory, and changing it changes the estimator."""
    before = make_model(name).get_params(deep=True)
    for key, value in defaults(name).items():
        other = _another(value)
        if other is None:  # None defaults (embeddings files, maxlen_quantile...) take values of their own kind
            continue
        after = make_model(name, settings={key: other}).get_params(deep=True)
        changed = [path for path in after if path in before and repr(after[path]) != repr(before[path])
                   and not hasattr(after[path], "get_params")]
        assert changed, f"{name}.{key}={other!r} reached no parameter of the estimator"
        if spec(name).is_neural:  # the estimator's own parameter, under the same name
            assert changed == [key]
        else:  # a factory's setting lands on a step's parameter of that name, or (ensemble) its members'
            assert any(path.split("__")[-1] in (key, "start", "C") for path in changed), (name, key, changed)


@pytest.mark.parametrize("name", NAMES)
def test_grids_use_set_names_and_never_search_what_the_user_fixed(name):
    grid = spec(name).grid or {}
    settings = defaults(name)
    for key, values in grid.items():
        assert key in settings, f"{name}'s grid names {key!r}, which --set does not take"
        assert len(values) >= 2 and all(type(v) is type(settings[key]) or settings[key] is None for v in values)
        fixed = parse_settings([f"{name}.{key}={values[-1]!r}".replace(" ", "")], [name])[name]
        assert key not in search_grid(name, fixed)
        assert set(search_grid(name, fixed)) == set(grid) - {key}


def test_fasttext_variants_can_be_tuned_and_read_one_maxlen_everywhere():
    for name in ("fasttext", "fasttext_trigrams", "fasttext_w2v"):
        assert search_grid(name) == {"learning_rate": [1e-3, 3e-3], "maxlen": [400, 800]}
        assert defaults(name)["maxlen"] == 800 == make_model(name).maxlen == resolved_settings(name)["maxlen"]


def test_the_tutorials_lstm_keeps_the_tutorials_settings():
    lstm = make_model("lstm")
    assert (lstm.num_words, lstm.maxlen, lstm.padding, lstm.truncating, lstm.embedding_dim, lstm.epochs,
            lstm.batch_size) == (10_000, 200, "post", "post", 128, 5, 64)
    shown = defaults("lstm")
    assert (shown["units"], shown["dense_units"], shown["dropout"], shown["recurrent_dropout"],
            shown["lstm_dropout"], shown["mask_zero"]) == (64, 64, 0.5, 0.2, 0.2, False)


def test_a_fixed_setting_stays_fixed_through_tune(tmp_path, fixture_corpus):
    """``--set nbsvm.C=0.5 --tune``: the report's grid has no C, and the model kept uses C=0.5."""
    out = tmp_path / "r"
    from tests.conftest import FIXTURE_ROOT

    status = compare.main(["--data", str(FIXTURE_ROOT), "--excerpt", "--models", "nbsvm,ensemble", "--tune",
                           "--set", "nbsvm.C=0.5", "--set", "ensemble.span=100", "--bootstrap", "0", "--quiet",
                           "--out", str(out)])
    assert status == 0
    import json

    tuning = json.loads((out / "results.json").read_text(encoding="utf-8"))["tuning"]
    assert all("C" not in row["params"] for row in tuning["nbsvm"]["grid"])
    assert all("span" not in row["params"] for row in tuning["ensemble"]["grid"])
    assert {row["params"]["final_C"] for row in tuning["ensemble"]["grid"]} == {0.1, 1.0}
    from imdb_baselines.modelfiles import base_model, load_model

    kept = base_model(load_model(out / "models" / "nbsvm"))
    assert kept.named_steps["classifier"].C == 0.5
    ensemble = load_model(out / "models" / "ensemble")
    assert ensemble.named_estimators_["ending"].named_steps["span"].start == -100
    assert np.isfinite(tuning["nbsvm"]["best_score"])


def test_adding_a_model_as_the_guide_shows(monkeypatch):
    """docs/adding-a-model.md's code runs as written: one factory, one catalogue entry, and the model runs."""
    import re
    import sys
    import types
    from pathlib import Path

    guide = (Path(__file__).resolve().parents[1] / "docs" / "adding-a-model.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", guide, flags=re.S)
    assert len(blocks) == 3
    module = types.ModuleType("guide_model")
    monkeypatch.setitem(sys.modules, "guide_model", module)
    monkeypatch.setattr("imdb_baselines.catalog.entries.CATALOG", dict(CATALOG))
    import imdb_baselines.catalog as catalog_package

    monkeypatch.setattr(catalog_package, "CATALOG", catalog_package.entries.CATALOG)
    for block in blocks:
        exec(compile(block, "docs/adding-a-model.md", "exec"), module.__dict__)
    assert "logistic_regression" in catalog_package.model_names()


def test_the_catalogue_promises_only_what_each_kind_of_model_can_export():
    from imdb_baselines.modelfiles.adapters import EnsembleAdapter, KerasAdapter, LinearAdapter, StackAdapter

    kinds = {"baseline": LinearAdapter(), "ensemble": EnsembleAdapter(), "neural": KerasAdapter(),
             "stack": StackAdapter()}
    for name in NAMES:
        assert set(spec(name).exports) <= set(kinds[spec(name).kind].exports), name


def test_the_reference_figures_shipped_with_the_package_match_the_committed_report():
    import json
    from pathlib import Path

    from imdb_baselines.reference import FIGURES, summarize

    report = Path(__file__).resolve().parents[1] / "reports" / "reference" / "results.json"
    expected = summarize(json.loads(report.read_text(encoding="utf-8")))
    assert json.loads(FIGURES.read_text(encoding="utf-8")) == json.loads(json.dumps(expected)), (
        "regenerate with: python -m imdb_baselines.reference reports/reference/results.json")


def test_a_reference_figure_of_an_earlier_form_of_a_model_says_which_settings_it_ran_without():
    from imdb_baselines.reference import settings_since

    assert settings_since("nbsvm", {"C": 1.0, "ngram_range": (1, 3)}) == []  # as the reference ran it
    assert settings_since("nbsvm", {"C": 0.3, "beta": 0.25}) == ["C=0.3"]
    assert settings_since("ensemble_region_cnn", {"members": ("ensemble", "region_cnn_unlabelled")}) == []
    assert settings_since("ensemble_region_cnn", {"a_later_setting": True}) == ["a_later_setting=True"]
    assert settings_since("bilstm", {"epochs": 4}) == []  # not in the reference: no figure to qualify


def test_the_neural_extra_is_keras_with_the_backend_keras_runs_on(monkeypatch):
    import importlib.util
    import sys

    from imdb_baselines.catalog import missing_extra

    assert missing_extra("lstm") is None and missing_extra("nbsvm") is None  # Keras on TensorFlow, installed
    if importlib.util.find_spec("openvino") is not None:
        pytest.skip("OpenVINO is installed: no Keras backend here is missing")
    monkeypatch.delitem(sys.modules, "keras", raising=False)  # Keras not loaded yet: KERAS_BACKEND decides
    monkeypatch.setenv("KERAS_BACKEND", "openvino")
    assert missing_extra("lstm") == "neural" and missing_extra("ensemble_region_cnn") == "neural"
    assert missing_extra("nbsvm") is None


@pytest.mark.parametrize(("blocked", "backend", "message"), [
    ("keras", "tensorflow",
     "The Keras models need keras, which is not installed: pip install 'imdb-baselines[neural]'"),
    ("jax", "jax", "The Keras models need jax, which is not installed: pip install keras jax (KERAS_BACKEND=jax)"),
])
def test_a_keras_model_without_its_libraries_names_what_to_install(blocked, backend, message):
    import os
    import subprocess
    import sys

    script = ("import importlib.abc, sys\n"
              "class Missing(importlib.abc.MetaPathFinder):\n"   # as if the library were not installed
              "    def find_spec(self, name, path, target=None):\n"
              f"        if name.split('.')[0] == {blocked!r}:\n"
              "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
              "sys.meta_path.insert(0, Missing())\n"
              "from neural import KerasTextClassifier\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "KERAS_BACKEND": backend})
    assert done.returncode == 1 and done.stderr.strip().splitlines()[-1] == f"ModuleNotFoundError: {message}"
