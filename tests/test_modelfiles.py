"""Models kept in folders: every registered model round-trips, and anything else is refused."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from imdb_baselines import corpus
from imdb_baselines.catalog import is_neural, make_model, model_names, spec, uses_unlabelled
from imdb_baselines.cli import compare
from imdb_baselines.modelfiles import MANIFEST, ModelFileError, base_model, load_model, read_manifest, save_model
from imdb_baselines.storage import TargetError
from tests.conftest import FIXTURE_ROOT


@pytest.fixture(scope="module")
def texts(fixture_corpus):
    return (fixture_corpus.train["text"].tolist(), fixture_corpus.train["label"].to_numpy(),
            fixture_corpus.test["text"].tolist())


@pytest.mark.parametrize("name", model_names())
def test_every_registered_model_round_trips(name, texts, fixture_corpus, tmp_path):
    X, y, X_test = texts
    model = make_model(name, stopwords="minimal", seed=0, neural_overrides={"epochs": 1, "verbose": 0})
    model.fit(X, y, **({"unlabelled": fixture_corpus.unsup["text"].tolist()} if uses_unlabelled(name) else {}))
    path = save_model(model, tmp_path / name, name=name, details={"split_fingerprint": "abc"})
    restored = load_model(path)
    method = "decision_function" if hasattr(model, "decision_function") else "predict_proba"
    # baselines keep float32 weights: a review's score is a sum of a few hundred of them, each rounded at 6e-8
    tolerance = 1e-6 if is_neural(name) else 1e-4
    np.testing.assert_allclose(getattr(restored, method)(X_test), getattr(model, method)(X_test), rtol=tolerance,
                               atol=tolerance)
    assert restored.predict(X_test).tolist() == model.predict(X_test).tolist()
    manifest = read_manifest(path)
    assert manifest["name"] == name and manifest["classes"] == [0, 1] and manifest["split_fingerprint"] == "abc"
    assert manifest["kind"] == {"neural": "keras", "stack": "stack"}.get(spec(name).kind, "skops")


def test_a_comparison_keeps_its_models_and_they_predict_what_the_report_says(tmp_path):
    out = tmp_path / "report"
    assert compare.main(["--data", str(FIXTURE_ROOT), "--excerpt", "--models", "naive_bayes,nbsvm,fasttext",
                         "--epochs", "1", "--bootstrap", "0", "--quiet", "--save-models", "--calibration",
                         "--out", str(out)]) == 0
    predictions = pd.read_csv(out / "predictions.csv")
    assert sorted(p.name for p in (out / "models").iterdir()) == ["fasttext", "naive_bayes", "nbsvm"]
    for name in ("naive_bayes", "nbsvm", "fasttext"):
        model = load_model(out / "models" / name)
        labels = base_model(model).predict(predictions["text"].tolist())
        assert labels.tolist() == predictions[f"{name}_prediction"].tolist()
        assert np.allclose(model.predict_proba(predictions["text"].tolist()).sum(axis=1), 1.0)
        manifest = read_manifest(out / "models" / name)
        results = json.loads((out / "results.json").read_text(encoding="utf-8"))
        assert manifest["split_fingerprint"] == results["provenance"]["fingerprints"]["minimal"]
        assert manifest["test_metrics"]["accuracy"] == pytest.approx(
            np.mean(predictions[f"{name}_prediction"] == predictions["label"]))
        assert "scikit-learn" in manifest["versions"] and "stopwords=minimal" in manifest["text_preparation"]
    second = tmp_path / "lean"
    assert compare.main(["--data", str(FIXTURE_ROOT), "--excerpt", "--models", "naive_bayes", "--bootstrap", "0",
                         "--quiet", "--no-save-models", "--out", str(second)]) == 0
    assert not (second / "models").exists()


def test_folders_that_are_not_models_are_refused(texts, tmp_path):
    X, y, _ = texts
    with pytest.raises(ModelFileError, match="no such folder"):
        load_model(tmp_path / "missing")
    (tmp_path / "notes").mkdir()
    with pytest.raises(ModelFileError, match="has no manifest.json"):
        load_model(tmp_path / "notes")
    path = save_model(make_model("nbsvm", stopwords="minimal", seed=0).fit(X, y), tmp_path / "nbsvm", name="nbsvm")
    manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    (path / MANIFEST).write_text(json.dumps({**manifest, "format": 99}), encoding="utf-8")
    with pytest.raises(ModelFileError, match="saved in model format 99"):
        load_model(path)
    (path / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    data = bytearray((path / "model.skops").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (path / "model.skops").write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="changed after the model was saved"):
        load_model(path)
    (tmp_path / "notes" / "thesis.tex").write_text("mine", encoding="utf-8")
    with pytest.raises(TargetError, match="did not write"):
        save_model(make_model("naive_bayes", stopwords="minimal", seed=0).fit(X, y), tmp_path / "notes",
                   name="naive_bayes")
    assert [p.name for p in (tmp_path / "notes").iterdir()] == ["thesis.tex"]


def test_a_skops_file_with_a_foreign_type_is_refused(tmp_path):
    import hashlib

    import skops.io
    from sklearn.pipeline import Pipeline

    from baselines import make_naive_bayes

    path = save_model(make_naive_bayes().fit(["a good film", "a bad film"], [1, 0]), tmp_path / "odd", name="odd")
    skops.io.dump(Pipeline([("encoder", corpus.SequenceEncoder().fit(["a good film"]))]), path / "model.skops")
    manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    manifest["files"]["model.skops"] = hashlib.sha256((path / "model.skops").read_bytes()).hexdigest()
    (path / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    foreign = "holds types this package does not load: imdb_baselines.corpus.sequences.Sequence"
    with pytest.raises(ModelFileError, match=foreign):
        load_model(path)


def test_the_provenance_records_the_run_wide_neural_settings_that_ran(kept_report):
    provenance = json.loads((kept_report / "results.json").read_text(encoding="utf-8"))["provenance"]
    assert provenance["model_settings"]["fasttext"]["epochs"] == 1  # the run's --epochs 1, not the default 5
    manifest = json.loads((kept_report / "models" / "fasttext" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["params"]["epochs"] == 1


def test_models_saved_by_version_0_1_0_load_and_answer_as_they_did():
    """Folders saved before the modules moved into imdb_baselines name ``corpus.text`` types; they still load.

    Every text ends in "?", which their tokenizer (version 1) drops: they keep tokenizing as they were trained.
    """
    import json

    from imdb_baselines.modelfiles import load_model, predict_texts

    folder = Path(__file__).parent / "fixtures" / "saved_before_package"
    then = json.loads((folder / "predictions.json").read_text(encoding="utf-8"))
    for name in ("nbsvm", "ensemble", "lstm"):
        answers = predict_texts(load_model(folder / name), then["texts"])
        assert [a["label"] for a in answers] == [p["label"] for p in then["predictions"][name]], name
        assert [round(a["probability"], 6) for a in answers] == [p["probability"] for p in then["predictions"][name]]


def test_saved_baselines_keep_float32_weights_and_nothing_only_fitting_needs(texts, tmp_path):
    import pickle

    X, y, X_test = texts
    for name in ("nbsvm", "naive_bayes", "linear_svm"):
        model = make_model(name, stopwords="minimal", seed=0).fit(X, y)
        before = pickle.dumps(model)
        path = save_model(model, tmp_path / name, name=name)
        assert pickle.dumps(model) == before  # the model in memory is untouched
        restored = load_model(path)
        classifier = base_model(restored).steps[-1][1]
        weights = classifier.coef_ if hasattr(classifier, "coef_") else classifier.feature_log_prob_
        assert weights.dtype == np.float32
        assert not hasattr(classifier, "r_") and not hasattr(classifier, "feature_count_")
        assert restored.predict(X_test).tolist() == model.predict(X_test).tolist()
        assert (path / "model.skops").stat().st_size < len(before) / 2, name


def test_saved_keras_models_leave_the_optimizer_behind(texts, tmp_path):
    import zipfile

    import h5py

    X, y, X_test = texts
    model = make_model("fasttext", stopwords="minimal", seed=0, neural_overrides={"epochs": 1, "verbose": 0})
    model.fit(X, y)
    path = save_model(model, tmp_path / "fasttext", name="fasttext")
    with zipfile.ZipFile(path / "model.keras") as archive:
        archive.extract("model.weights.h5", tmp_path)
        assert not json.loads(archive.read("config.json")).get("compile_config")
    with h5py.File(tmp_path / "model.weights.h5") as weights:
        assert "optimizer" not in weights and "layers" in weights
    restored = load_model(path)
    np.testing.assert_array_equal(restored.predict_proba(X_test), model.predict_proba(X_test))
    assert model.model_.optimizer is not None  # the fitted model keeps training state in memory


def test_models_of_one_comparison_loaded_together_hold_their_vocabulary_once(kept_report):
    """Naive Bayes and NBSVM count the same n-grams of the same texts: loaded side by side, one copy serves both."""
    first, second = (load_model(kept_report / "models" / name) for name in ("naive_bayes", "nbsvm"))
    ours, theirs = (model.named_steps["vectorizer"] if hasattr(model, "named_steps") else
                    model.estimator.named_steps["vectorizer"] for model in (first, second))
    assert all(a is b for a, b in zip(ours.keys_, theirs.keys_)) and ours.words_ is theirs.words_
    assert not ours.keys_[0].flags.writeable
    texts = ["A moving, beautifully acted film.", "Dull and far too long."]
    assert ours.word_index_ is theirs.word_index_
    again = load_model(kept_report / "models" / "nbsvm")  # answers as if loaded alone
    assert again.predict(texts).tolist() == second.predict(texts).tolist()
