"""The web service's JSON API on models a real comparison kept: every endpoint and every error."""

import json
import logging
import shutil

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
