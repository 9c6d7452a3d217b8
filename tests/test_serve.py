"""The web service's JSON API on models a real comparison kept: every endpoint and every error."""

import json
import logging
import shutil
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from imdb_baselines.cli import serve
from imdb_baselines.modelfiles import ModelFileError
from imdb_baselines.serving import Limits, create_app, load_catalog

RAVE = "A moving, beautifully acted film. I loved every minute."
PAN = "The worst film ever, a waste of time and money."


@pytest.fixture(scope="module")
def catalog(kept_report):
    return load_catalog(kept_report)


@pytest.fixture(scope="module")
def client(catalog):
    return TestClient(create_app(catalog, Limits(max_chars=2_000, max_texts=8)))


def test_health_and_models_describe_every_kept_model(client, kept_report):
    assert client.get("/health").json() == {"status": "ok", "models": 3, "failed_to_load": []}
    models = {m["name"]: m for m in client.get("/models").json()["models"]}
    assert sorted(models) == ["fasttext", "naive_bayes", "nbsvm"]
    results = {r["model"]: r for r in json.loads((kept_report / "results.json").read_text())["results"]}
    for name, model in models.items():
        assert model["test_metrics"]["accuracy"]["value"] == results[name]["accuracy"]
        assert model["classes"] == [0, 1] and model["saved_bytes"] > 0 and model["settings"]
    assert models["nbsvm"]["probabilities"] == "margins scaled on the validation split"


def test_one_text_every_model_answers_with_label_probability_and_evidence(client):
    body = client.post("/predict", json={"text": RAVE, "explain": 3}).json()
    assert body["n_texts"] == 1
    answers = {a["model"]: a for a in body["answers"]}
    assert sorted(answers) == ["fasttext", "naive_bayes", "nbsvm"]
    for answer in answers.values():
        assert answer["status"] == 200 and len(answer["predictions"]) == 1
        prediction = answer["predictions"][0]
        assert prediction["label"] in (0, 1) and 0 <= prediction["probability"] <= 1
        assert 0 < answer["test_accuracy"] <= 1
    evidence = answers["nbsvm"]["predictions"][0]["explanation"]
    assert 0 < len(evidence["toward"]) <= 3 and all(c > 0 for _, c in evidence["toward"])
    assert all(any(word in RAVE.lower() for word in ngram.split()) for ngram, _ in evidence["toward"])
    assert "explanation" not in answers["fasttext"]["predictions"][0]  # no per-n-gram explanation for Keras


def test_a_batch_for_chosen_models_keeps_the_order_of_the_texts(client, catalog):
    body = client.post("/predict", json={"texts": [RAVE, PAN, RAVE], "models": ["nbsvm"]}).json()
    [answer] = body["answers"]
    labels = [p["label"] for p in answer["predictions"]]
    assert labels == catalog.models["nbsvm"].model.predict([RAVE, PAN, RAVE]).tolist()
    assert labels[0] == labels[2]


@pytest.mark.parametrize(("payload", "status", "message"), [
    ({"text": ""}, 422, "the text is empty"),
    ({"text": "   \n"}, 422, "the text is empty"),
    ({"texts": [RAVE, " "]}, 422, "texts [1] are empty"),
    ({"texts": []}, 422, "texts is an empty list"),
    ({"text": 42}, 422, "valid string"),
    ({"texts": [RAVE, None]}, 422, "valid string"),
    ({}, 422, "give either 'text'"),
    ({"text": RAVE, "texts": [RAVE]}, 422, "give either 'text'"),
    ({"text": RAVE, "colour": "red"}, 422, "Extra inputs"),
    ({"text": "x" * 2_001}, 422, "more than 2000 characters"),
    ({"texts": [RAVE] * 9}, 422, "at most 8 are accepted"),
    ({"text": RAVE, "models": ["nbsvm", "bert"]}, 404, "unknown model 'bert'; the models served are"),
    ({"text": RAVE, "explain": -1}, 422, "greater than or equal to 0"),
])
def test_bad_requests_are_refused_with_a_clear_message(client, payload, status, message):
    response = client.post("/predict", json=payload)
    assert response.status_code == status
    assert message in json.dumps(response.json())


def test_one_model_failing_is_a_500_entry_and_the_others_answer(catalog, monkeypatch):
    client = TestClient(create_app(catalog))
    served = catalog.models["naive_bayes"]

    class Broken:  # a model that runs out of memory on the request, whichever way it is scored
        classes_ = served.model.classes_

        def predict_proba(self, texts):
            raise MemoryError("out of memory")

        decision_function = predict_proba

    monkeypatch.setattr(served, "model", Broken())
    answers = {a["model"]: a for a in client.post("/predict", json={"text": RAVE}).json()["answers"]}
    assert answers["naive_bayes"]["status"] == 500 and "MemoryError: out of memory" in answers["naive_bayes"]["error"]
    assert answers["nbsvm"]["status"] == 200 and answers["fasttext"]["status"] == 200


def test_the_report_and_its_figures(client, kept_report):
    report = client.get("/report").json()
    assert [row["model"] for row in report["leaderboard"]][0] in ("naive_bayes", "nbsvm", "fasttext")
    assert all(row["served"] for row in report["leaderboard"])
    p, holm = report["mcnemar_p_values"], report["mcnemar_holm_p_values"]
    assert p["nbsvm"]["naive_bayes"] <= holm["nbsvm"]["naive_bayes"] <= min(1.0, 3 * p["nbsvm"]["naive_bayes"]) + 1e-9
    assert "figures/confusion_matrices.png" in report["figures"]
    figure = client.get("/figures/confusion_matrices.png")
    assert figure.status_code == 200 and figure.content[:4] == b"\x89PNG"
    assert client.get("/figures/..%2Fresults.json").status_code == 404
    assert client.get("/figures/results.json").status_code == 404


def test_the_page_and_the_openapi_schema_are_served(client):
    page = client.get("/")
    assert page.status_code == 200 and "<textarea" in page.text and "/static/app.js" in page.text
    assert "http" not in page.text.replace("http-equiv", "")  # nothing loaded from outside the machine
    assert client.get("/static/app.js").status_code == 200
    assert "/predict" in client.get("/openapi.json").json()["paths"]


def test_a_model_that_fails_to_load_is_reported_and_the_others_serve(kept_report, tmp_path):
    copy = tmp_path / "report"
    shutil.copytree(kept_report, copy)
    (copy / "models" / "nbsvm" / "model.skops").write_bytes(b"tampered")
    catalog = load_catalog(copy)
    assert sorted(catalog.models) == ["fasttext", "naive_bayes"] and "changed after" in catalog.failures["nbsvm"]
    client = TestClient(create_app(catalog))
    assert client.get("/health").json()["failed_to_load"] == ["nbsvm"]
    response = client.post("/predict", json={"text": RAVE, "models": ["nbsvm"]})
    assert response.status_code == 404 and "nbsvm failed to load" in response.json()["detail"]


def test_nothing_received_is_logged(client, caplog):
    secret = "Zanzibarian marmalade reviews are my private business"
    with caplog.at_level(logging.DEBUG):
        assert client.post("/predict", json={"text": secret}).status_code == 200
    assert "Zanzibarian" not in caplog.text


def test_a_path_that_holds_no_models_is_one_clear_error(tmp_path, capsys):
    with pytest.raises(ModelFileError, match="neither a saved model"):
        load_catalog(tmp_path)
    assert serve.main([str(tmp_path)]) == 2
    assert "neither a saved model" in capsys.readouterr().err


def _served_through_onnx(folder, texts: list[str]) -> tuple[dict, dict, str]:
    """``imdb-serve FOLDER --keras-runtime onnx`` in a real process: its answer to ``texts``, its models by name, and
    the libraries its process has mapped."""
    from pathlib import Path

    import httpx

    from tests.servers import free_port, running_process

    started: list = []
    command = [sys.executable, "-m", "imdb_baselines.cli.serve", str(folder), "--port", str(free_port()),
               "--keras-runtime", "onnx", "--quiet"]
    with running_process(command, int(command[5]), timeout_s=600, started=started) as port:
        body = httpx.post(f"http://127.0.0.1:{port}/predict", json={"texts": texts}, timeout=60).json()
        models = {m["name"]: m for m in httpx.get(f"http://127.0.0.1:{port}/models").json()["models"]}
        libraries = Path(f"/proc/{started[0].pid}/maps").read_text()
    return body, models, libraries


def test_keras_models_answer_through_onnx_in_a_server_without_tensorflow(kept_report):
    """``imdb-serve --keras-runtime onnx``: a real server whose process never loads TensorFlow answers as Keras."""
    import numpy as np

    from imdb_baselines.modelfiles import load_model

    texts = [RAVE, PAN, "An odd film. Some of it works, some of it does not."]
    body, models, libraries = _served_through_onnx(kept_report, texts)
    assert models["fasttext"]["runtime"] == "onnxruntime" and models["nbsvm"]["runtime"] == "python"
    assert "tensorflow" not in libraries and "onnxruntime" in libraries
    answers = {a["model"]: a["predictions"] for a in body["answers"]}
    keras = load_model(kept_report / "models" / "fasttext")
    expected = keras.predict_proba(texts)
    assert [p["label"] for p in answers["fasttext"]] == keras.predict(texts).tolist()
    np.testing.assert_allclose([p["probability"] for p in answers["fasttext"]], expected.max(axis=1), atol=1e-5)
    assert [p["label"] for p in answers["nbsvm"]] == load_model(kept_report / "models" / "nbsvm").predict(
        texts).tolist()


def test_an_unknown_keras_runtime_is_refused(kept_report):
    with pytest.raises(ValueError, match="keras_runtime must be one of keras, onnx"):
        load_catalog(kept_report, keras_runtime="tensorrt")


_FREED_BLOCKS = """
import sys
from pathlib import Path

from imdb_baselines.serving.memory import return_large_blocks


def resident_mib():
    line = next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


if sys.argv[1] == "returned":
    assert return_large_blocks()
first = bytearray(8 << 20)
del first  # glibc's own setting now serves blocks up to 8 MiB from the heap
before = resident_mib()
blocks, kept = [], []
for _ in range(256):
    blocks.append(bytearray(1 << 20))
    kept.append(bytearray(4096))  # small blocks of the heap between them, as a loaded model leaves
del blocks
print(round(resident_mib() - before))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_large_blocks_freed_by_the_service_go_back_to_the_system():
    """256 MiB freed in 1 MiB blocks: held on by default, returned once the service has set the allocator."""
    kept = {mode: int(subprocess.run([sys.executable, "-c", _FREED_BLOCKS, mode], capture_output=True, text=True,
                                     check=True).stdout) for mode in ("default", "returned")}
    assert kept["default"] > 200 and kept["returned"] < 32, kept


def test_a_stacks_keras_member_answers_through_onnx_in_a_server_without_tensorflow(fixture_splits, tmp_path):
    """A stack of NBSVM and fastText, kept and served with ``--keras-runtime onnx``: its Keras member is exported
    alone (``member=``) and answered by onnxruntime, so the service's process never loads TensorFlow, and the
    stack answers as it does in Python."""
    import numpy as np

    from imdb_baselines.catalog.stacking import ValidationStack
    from imdb_baselines.exports import export_model, load_export
    from imdb_baselines.modelfiles import save_model

    s = fixture_splits
    stack = ValidationStack(("nbsvm", "fasttext"), stopwords="minimal", neural_overrides={"epochs": 1, "verbose": 0})
    stack.fit(list(s.X_train), s.y_train, validation_data=(list(s.X_val), s.y_val))
    folder = save_model(stack, tmp_path / "stack", name="nbsvm_fasttext")
    texts = [RAVE, PAN, "An odd film. Some of it works, some of it does not.", *list(s.X_test)[:20]]

    exported = load_export(export_model(folder, "onnx", tmp_path / "member", member="fasttext"))
    member = dict(stack.members_)["fasttext"]
    np.testing.assert_allclose(exported.predict(texts)["probabilities"], member.predict_proba(texts), atol=1e-5)
    with pytest.raises(ModelFileError, match="holds no member 'lstm' \\(its members: nbsvm, fasttext\\)"):
        export_model(folder, "onnx", tmp_path / "none", member="lstm")
    assert not (tmp_path / "none").exists()

    body, models, libraries = _served_through_onnx(folder, texts)
    assert models["nbsvm_fasttext"]["runtime"] == "python, its Keras members in onnxruntime"
    assert "tensorflow" not in libraries and "onnxruntime" in libraries
    answers = body["answers"][0]["predictions"]
    assert [p["label"] for p in answers] == stack.predict(texts).tolist()
    np.testing.assert_allclose([p["probability"] for p in answers], stack.predict_proba(texts).max(axis=1),
                               atol=1e-5)

    # loaded again here (its member's graph cached by the server): the stack's files are checked once, not again
    # for its Keras member
    from pathlib import Path

    from imdb_baselines.modelfiles import read_manifest
    from imdb_baselines.serving import catalog, networks

    checked: list = []

    def counted(path):
        checked.append(Path(path))
        return read_manifest(path)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(catalog, "read_manifest", counted)
        patch.setattr(networks, "read_manifest", counted)
        served = catalog.load_catalog(folder, keras_runtime="onnx").models["nbsvm_fasttext"]
    assert checked == [folder] and served.description["runtime"] == "python, its Keras members in onnxruntime"
