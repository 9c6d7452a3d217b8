"""Exports that take raw text: every registered model to ONNX, the Keras models to SavedModel, checked on real text."""

import json

import numpy as np
import pandas as pd
import pytest

from imdb_baselines.catalog import is_neural, make_model, model_names, spec, uses_unlabelled
from imdb_baselines.cli import export
from imdb_baselines.corpus import TextPreprocessor
from imdb_baselines.exports import export_model, load_export
from imdb_baselines.modelfiles import ModelFileError, base_model, load_model, predict_texts, save_model
from imdb_baselines.storage import TargetError
from tests.conftest import FIXTURES

TINY = {"num_words": 400, "maxlen": 60, "embedding_dim": 8, "epochs": 1, "batch_size": 32, "verbose": 0}
TRICKY = [
    "Great<br /><br />It&#39;s FUN, it’s not a bad film!",  # tags, an entity apostrophe, a typographic one
    "'Quoted' words, a''b, don't, rock'n'roll and 3rd-rate 1970s movies",
    "!!! ... ???",  # marks alone
    "Wow&#33; Really&quest;&#X21; ... ,;: --",  # marks written as entities, then no token at all
    "Ünïcode café naïve résumé: ÉLAN",
    "The the THE of a an",  # nothing but stopwords (minimal list) and one word
    "A&E; and P&P fans &#61514; :) &amp;lt;3 &NotAnEntity;",  # unknown names, a symbol, a double escape
    "x " * 500,  # longer than maxlen
]


@pytest.fixture(scope="module")
def texts(fixture_splits):
    return list(fixture_splits.X_test) + TRICKY


@pytest.fixture(scope="module")
def saved(fixture_splits, fixture_corpus, tmp_path_factory):
    """Every registered model, fitted on the excerpt and saved as a comparison saves it."""
    folder = tmp_path_factory.mktemp("saved")
    paths = {}
    for name in model_names():
        if spec(name).kind == "stack":  # refused: test_stacking
            continue
        model = make_model(name, stopwords="minimal", seed=0, neural_overrides=TINY if is_neural(name) else None)
        if is_neural(name):
            extra = {"unlabelled": fixture_corpus.unsup["text"].tolist()} if uses_unlabelled(name) else {}
            model.fit(fixture_splits.X_train, fixture_splits.y_train,
                      validation_data=(fixture_splits.X_val, fixture_splits.y_val), **extra)
        else:
            model.fit(fixture_splits.X_train, fixture_splits.y_train)
        paths[name] = save_model(model, folder / name, name=name)
    return paths


def _agree(model, exported, texts, tolerance):
    outputs = exported.predict(texts)
    expected = predict_texts(model, texts)
    assert [str(e["label"]) for e in expected] == outputs["label"].tolist()
    chosen = outputs["probabilities"][np.arange(len(texts)), outputs["label_index"]]
    np.testing.assert_allclose(chosen, [e["probability"] for e in expected], atol=tolerance)
    scores = outputs["scores"] if outputs["scores"].ndim == 1 else outputs["scores"].max(axis=1)
    np.testing.assert_allclose(scores, [e["score"] for e in expected], atol=max(tolerance, 2e-6))


@pytest.mark.parametrize("name", [name for name in model_names() if spec(name).exports])  # the others: refused
def test_every_model_exports_to_onnx_and_agrees_with_python(saved, texts, tmp_path, name):
    folder = export_model(saved[name], "onnx", tmp_path / "export")
    description = json.loads((folder / "export.json").read_text())
    assert description["model"] == name and description["classes"] == [0, 1]
    exported = load_export(folder)
    model = load_model(saved[name])
    if not hasattr(model, "predict_proba"):  # an uncalibrated linear SVM / NBSVM: labels and margins only
        outputs = exported.predict(texts)
        assert outputs["label_index"].tolist() == np.searchsorted(model.classes_, model.predict(texts)).tolist()
        np.testing.assert_allclose(outputs["scores"], model.decision_function(texts), atol=1e-9)
        assert "probabilities" not in outputs
        return
    _agree(model, exported, texts, tolerance=1e-6)


@pytest.mark.parametrize("name", ["lstm", "fasttext"])
def test_keras_models_export_to_savedmodel_and_agree_with_python(saved, texts, tmp_path, name):
    exported = load_export(export_model(saved[name], "savedmodel", tmp_path / "export"))
    assert exported.format == "savedmodel"
    _agree(load_model(saved[name]), exported, texts, tolerance=1e-6)


@pytest.mark.parametrize("name", ["fasttext"])  # the networks are what a service keeps beside (serving/networks.py)
def test_weights_kept_beside_the_graph_answer_as_the_single_file(saved, texts, tmp_path, name):
    out = tmp_path / "external"
    assert export.main(["--model", str(saved[name]), "--format", "onnx", "--out", str(out), "--external-data"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [".imdb-baselines", "export.json", "model.onnx", "model.onnx.data"]
    assert json.loads((out / "export.json").read_text())["weights"] == "model.onnx.data"
    folder = export_model(saved[name], "onnx", tmp_path / "single")
    weights = (out / "model.onnx.data").stat().st_size
    assert weights > 0 and (out / "model.onnx").stat().st_size < (folder / "model.onnx").stat().st_size - weights / 2
    single = load_export(folder).predict(texts)
    beside = load_export(out).predict(texts)
    assert beside.keys() == single.keys()
    for key in single:
        np.testing.assert_array_equal(beside[key], single[key])


def test_the_graphs_tokens_are_the_shared_tokenizers(saved, texts):
    import onnxruntime

    from imdb_baselines.exports.onnx_keras import keras_ids_onnx

    clf = load_model(saved["lstm"])
    session = onnxruntime.InferenceSession(keras_ids_onnx(clf).SerializeToString())
    [ids] = session.run(None, {"text": np.asarray(texts, dtype=object)})
    np.testing.assert_array_equal(ids, clf._encode(texts))
    assert TextPreprocessor("minimal")(TRICKY[0]) == ["great", "it's", "fun", "it's", "not", "bad", "film", "!"]


def test_the_reasons_given_for_an_encoding_difference():
    from imdb_baselines.exports.parity import why_encoding_differs

    assert why_encoding_differs("Duvara Kars&#305;") == "the entity &#305; stands for 'ı', a letter or digit"
    assert "without its ';'" in why_encoding_differs("caf&eacute was fine")
    assert why_encoding_differs("A&E; and &#61514;") == "unexplained"


@pytest.mark.parametrize("wrapper", ["MarginCalibration", "CalibratedClassifierCV of version 0.2.0"])
def test_a_calibrated_multiclass_baseline_exports(wrapper, tmp_path):
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator

    from imdb_baselines.run.calibration import calibrate

    train = pd.read_csv(FIXTURES / "sst5" / "train.csv")
    test = pd.read_csv(FIXTURES / "sst5" / "test.csv")
    dev = pd.read_csv(FIXTURES / "sst5" / "dev.csv")
    text, label = train.columns[0], train.columns[1]
    model = make_model("nbsvm", stopwords="minimal", seed=0).fit(train[text].tolist(), train[label].tolist())
    calibrated = calibrate(model, dev[text].tolist(), dev[label].tolist()) if wrapper == "MarginCalibration" else \
        CalibratedClassifierCV(FrozenEstimator(model), method="sigmoid", cv=2).fit(dev[text].tolist(),
                                                                                  dev[label].tolist())
    path = save_model(calibrated, tmp_path / "model", name="nbsvm")
    exported = load_export(export_model(path, "onnx", tmp_path / "export"))
    assert len(exported.classes) == 5
    _agree(load_model(path), exported, test[text].tolist()[:100], tolerance=1e-6)


@pytest.mark.parametrize("data", ["sst5", "aclImdb"])
def test_a_plain_logistic_nbsvm_exports_its_own_probabilities(data, fixture_splits, tmp_path):
    if data == "sst5":
        train, test = (pd.read_csv(FIXTURES / "sst5" / f"{part}.csv") for part in ("train", "test"))
        X, y, texts = train.iloc[:, 0].tolist(), train.iloc[:, 1].tolist(), test.iloc[:100, 0].tolist()
    else:
        X, y, texts = fixture_splits.X_train, fixture_splits.y_train, fixture_splits.X_test
    model = make_model("nbsvm", stopwords="minimal", seed=0, settings={"loss": "logistic", "beta": 1.0}).fit(X, y)
    assert hasattr(model, "predict_proba")  # logistic loss, no interpolation: probabilities of its own
    path = save_model(model, tmp_path / "model", name="nbsvm")
    _agree(load_model(path), load_export(export_model(path, "onnx", tmp_path / "export")), texts, tolerance=1e-6)
    np.testing.assert_allclose([r["probability"] for r in predict_texts(model, texts)],
                               model.predict_proba(texts).max(axis=1), atol=1e-6)


def test_wrong_requests_are_refused_and_nothing_is_overwritten(saved, tmp_path, capsys):
    with pytest.raises(ValueError, match="only made of the Keras models"):
        export_model(saved["nbsvm"], "savedmodel", tmp_path / "a")
    with pytest.raises(ValueError, match="Unknown export format 'pmml'"):
        export_model(saved["nbsvm"], "pmml", tmp_path / "a")
    with pytest.raises(ModelFileError, match="not a saved model"):
        export_model(tmp_path, "onnx", tmp_path / "a")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    with pytest.raises(TargetError):
        export_model(saved["nbsvm"], "onnx", mine)
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    assert export.main(["--model", str(saved["nbsvm"]), "--format", "onnx", "--out", str(mine)]) == 2
    assert "nothing was changed" in capsys.readouterr().err
    with pytest.raises(ValueError, match="non-empty list"):
        load_export(export_model(saved["naive_bayes"], "onnx", tmp_path / "nb")).predict([])


def test_a_keras_model_is_not_exported_while_keras_runs_on_another_backend(saved, tmp_path, monkeypatch):
    import imdb_baselines.exports.files

    monkeypatch.setattr(imdb_baselines.exports.files, "keras_backend", lambda: "jax")
    for format in ("onnx", "savedmodel"):
        with pytest.raises(ValueError, match="traced by TensorFlow while Keras runs on 'jax'"):
            export_model(saved["fasttext"], format, tmp_path / format)
    assert list(tmp_path.iterdir()) == []
    assert export_model(saved["nbsvm"], "onnx", tmp_path / "nbsvm").is_dir()  # a baseline needs no Keras


def test_the_command_exports_checks_and_replaces_its_own_export(saved, tmp_path, capsys):
    out = tmp_path / "export"
    for _ in range(2):  # the second run replaces the first export
        assert export.main(["--model", str(saved["naive_bayes"]), "--format", "onnx", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "gives the model's label for 4" in printed and "Largest difference" in printed
    assert sorted(p.name for p in out.iterdir()) == [".imdb-baselines", "export.json", "model.onnx"]
    assert base_model(load_model(saved["naive_bayes"])) is not None


def test_models_a_comparison_kept_export_with_their_calibration(kept_report, texts, tmp_path):
    for name in ("nbsvm", "naive_bayes"):
        path = kept_report / "models" / name
        exported = load_export(export_model(path, "onnx", tmp_path / name))
        assert "probabilities" in exported.predict(texts[:2])
        _agree(load_model(path), exported, texts, tolerance=1e-6)


def test_the_command_checks_a_kept_model_on_its_runs_test_texts(kept_report, tmp_path, capsys):
    tested = len(pd.read_csv(kept_report / "predictions.csv", keep_default_na=False))
    assert export.main(["--model", str(kept_report / "models" / "nbsvm"), "--format", "onnx", "--out",
                        str(tmp_path / "nbsvm")]) == 0
    assert f"on {min(tested, 200)} of the run's test texts it gives the model's label for {min(tested, 200)}." \
        in capsys.readouterr().out


@pytest.mark.parametrize("format", ["onnx", "savedmodel"])
def test_a_word_in_no_ngram_does_not_pass_for_another_ngram(fixture_splits, tmp_path, format):
    """With a vocabulary larger than the words its n-grams use, a window holding a word above them all must find
    no n-gram, as in Python, rather than the n-gram whose key its own key equals."""
    settings = {**TINY, "num_words": 20_000, "maxlen": 400}
    model = make_model("fasttext", stopwords="minimal", seed=0, neural_overrides=settings)
    model.fit(fixture_splits.X_train, fixture_splits.y_train,
              validation_data=(fixture_splits.X_val, fixture_splits.y_val))
    base, _ = model.ngram_indexer_.int64_keys()
    texts = [*fixture_splits.X_test, *fixture_splits.X_val]
    words = model.encoder_.transform(texts)
    assert max(max(row) for row in words) >= base  # the case asked about: words above every n-gram's
    saved = save_model(model, tmp_path / "fasttext", name="fasttext")
    _agree(load_model(saved), load_export(export_model(saved, format, tmp_path / "export")), texts, tolerance=1e-6)
