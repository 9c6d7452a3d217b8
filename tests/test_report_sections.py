"""The report's analysis sections, each checked against what predictions.csv holds."""

import json
import re

import numpy as np
import pandas as pd
import pytest

from imdb_baselines.cli import compare
from imdb_baselines.evaluation.analysis import confidence, excerpt
from tests.conftest import FIXTURE_ROOT

MODELS = ["naive_bayes", "linear_svm", "nbsvm", "cnn"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("sections") / "report"
    status = compare.main(["--data", str(FIXTURE_ROOT), "--excerpt", "--models", ",".join(MODELS), "--epochs", "1",
                           "--repeats", "2", "--bootstrap", "200", "--quiet", "--calibration",
                           "--out", str(out)])
    assert status == 0
    markdown = (out / "report.md").read_text(encoding="utf-8")
    return out, markdown, pd.read_csv(out / "predictions.csv"), json.loads((out / "results.json").read_text())


def _section(markdown, title):
    return markdown.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_predictions_carry_the_test_texts(run):
    out, _, predictions, _ = run
    texts = {path.name.split("_")[0]: path.read_text(encoding="utf-8")
             for path in (FIXTURE_ROOT / "test" / "pos").iterdir()}
    row = predictions[predictions["id"].str.startswith("pos/")].iloc[0]
    assert row["text"] == texts[row["id"].split("/")[1]]


def test_agreement_matches_the_predictions(run):
    _, markdown, predictions, _ = run
    section = _section(markdown, "Agreement")
    expected = np.mean(predictions["nbsvm_prediction"] == predictions["linear_svm_prediction"])
    row = next(line for line in section.splitlines() if line.startswith("| `linear_svm` |"))
    assert f"{expected:.3f}" in row.split("|")[5]  # columns: cnn, linear_svm, naive_bayes, nbsvm


def test_length_buckets_match_the_predictions(run):
    _, markdown, predictions, _ = run
    words = predictions["text"].str.split().str.len()
    low, high = np.quantile(words, [1 / 3, 2 / 3]).astype(int)
    section = _section(markdown, "Where it is hard: accuracy by length")
    assert f"short (≤ {low} words)" in section and f"long (> {high} words)" in section
    for model in MODELS:
        right = predictions[f"{model}_prediction"] == predictions["label"]
        row = next(line for line in section.splitlines() if line.startswith(f"| `{model}` |"))
        cells = [c.strip() for c in row.split("|")[2:5]]
        expected = [right[words <= low].mean(), right[(words > low) & (words <= high)].mean(),
                    right[words > high].mean()]
        assert cells == [f"{v:.4f}" for v in expected], model


def test_confident_mistakes_are_the_most_confident_wrong_predictions(run):
    _, markdown, predictions, _ = run
    section = _section(markdown, "Where each model goes wrong")
    for model in ("naive_bayes", "nbsvm"):
        block = section.split(f"### `{model}`\n", 1)[1].split("\n### ", 1)[0]
        listed = re.findall(r"true `(\d)`, predicted `(\d)` \(score ([+-][\d.]+), `([^`]+)`\): “(.*)”", block)
        assert len(listed) == 4  # two per true class
        wrong = predictions[predictions[f"{model}_prediction"] != predictions["label"]]
        for true, predicted, score, key, text in listed:
            row = predictions.set_index("id").loc[key]
            assert (int(true), int(predicted)) == (row["label"], row[f"{model}_prediction"]) != (row["label"],) * 2
            assert float(score) == pytest.approx(row[f"{model}_score"], abs=5e-4 + 1e-9)  # shown to 3 decimals
            assert excerpt(row["text"]) == text
            same_class = wrong[wrong["label"] == int(true)]
            top = np.sort(confidence(same_class[f"{model}_score"].to_numpy()))[::-1][:2]
            assert abs(float(score)) >= top[-1] - 5e-4
    predicted = predictions[[f"{m}_prediction" for m in MODELS]].to_numpy()
    everyone = (predicted != predictions[["label"]].to_numpy()).all(axis=1)
    assert f"### Wrong for every model: {int(everyone.sum()):,} test texts" in section


def test_what_the_linear_models_learned(run):
    _, markdown, _, results = run
    section = _section(markdown, "What the linear models learned")
    assert set(results["top_features"]) == {"naive_bayes", "linear_svm", "nbsvm"}  # not the cnn
    first = results["top_features"]["nbsvm"][0]
    assert first["polarity"] == "positive" and f"{first['feature']} ({first['weight']:+.2f})" in section


def test_training_variance_and_health_warnings(run):
    _, markdown, _, results = run
    section = _section(markdown, "Training variance")
    assert "| `naive_bayes` | deterministic: the seed changes nothing |" in section
    assert len(results["seed_accuracies"]["cnn"]) == 2 and "naive_bayes" not in results["seed_accuracies"]
    assert markdown.index("> **Warning:** `cnn` scores 0.5000 on 80 texts, no better than always answering the most "
                          "common class") < markdown.index("## Results")
    assert results["warnings"] and "has not learned" in results["warnings"][0]


def test_sort_orders_the_leaderboard(tmp_path, capsys):
    out = tmp_path / "sorted"
    assert compare.main(["--data", str(FIXTURE_ROOT), "--excerpt", "--models", "naive_bayes,nbsvm,linear_svm",
                         "--bootstrap", "0", "--quiet", "--sort", "model_mib", "--out", str(out)]) == 0
    table = pd.read_csv(out / "results.csv")
    assert table["model_mib"].tolist() == sorted(table["model_mib"])
    headline = _section((out / "report.md").read_text(encoding="utf-8"), "Results")
    order = re.findall(r"^\| `(\w+)` \|", headline, flags=re.M)
    assert order == table["model"].tolist() and "Sorted by model_mib." in headline
    with pytest.raises(SystemExit):
        compare.main(["--sort", "speed"])
    assert "--sort must be one of accuracy" in capsys.readouterr().err


def test_calibration_brier_scores_match_the_probabilities(run):
    from sklearn.metrics import brier_score_loss

    _, markdown, predictions, results = run
    section = _section(markdown, "Calibration")
    for model in ("naive_bayes", "linear_svm", "nbsvm", "cnn"):
        expected = brier_score_loss(predictions["label"], predictions[f"{model}_probability_1"])
        assert results["calibration"][model]["brier"] == pytest.approx(expected, abs=1e-6)
        assert f"| `{model}` | {expected:.4f} |" in section
    assert results["calibration"]["nbsvm"]["probabilities"] == results["calibration"]["linear_svm"]["probabilities"] \
        == "margins scaled on the validation split"
    assert results["calibration"]["naive_bayes"]["probabilities"] == "the model's own"
    assert "![Calibration (reliability diagram)](calibration.png)" in markdown
    assert "each text's most probable class is its label" in section


def test_every_model_gives_its_label_the_largest_probability(run):
    """One answer per model: the label in predictions.csv (and the metrics) is the most probable class."""
    _, _, predictions, results = run
    for model in ("naive_bayes", "linear_svm", "nbsvm", "cnn"):
        columns = [f"{model}_probability_{label}" for label in (0, 1)]
        most_probable = np.asarray([0, 1])[predictions[columns].to_numpy().argmax(axis=1)]
        assert (most_probable == predictions[f"{model}_prediction"].to_numpy()).all(), model


@pytest.mark.parametrize("wrapper", ["MarginCalibration", "CalibratedClassifierCV of version 0.2.0"])
def test_calibrated_probabilities_from_margins_equal_predict_proba(wrapper, fixture_splits):
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator

    from baselines import make_linear_svm, make_naive_bayes
    from imdb_baselines import corpus
    from imdb_baselines.modelfiles import probabilities_from_scores
    from imdb_baselines.run.calibration import calibrate

    model = make_linear_svm().fit(fixture_splits.X_train, fixture_splits.y_train)
    calibrated = calibrate(model, fixture_splits.X_val, fixture_splits.y_val) if wrapper == "MarginCalibration" \
        else CalibratedClassifierCV(FrozenEstimator(model), method="sigmoid", cv=2).fit(fixture_splits.X_val,
                                                                                      fixture_splits.y_val)
    X_test = corpus.prepare(fixture_splits.X_test)
    np.testing.assert_allclose(probabilities_from_scores(calibrated, model.decision_function(X_test)),
                               calibrated.predict_proba(fixture_splits.X_test), atol=1e-12)
    bayes = make_naive_bayes().fit(fixture_splits.X_train, fixture_splits.y_train)  # its posterior, from its odds
    np.testing.assert_allclose(probabilities_from_scores(bayes, bayes.decision_function(X_test)),
                               bayes.predict_proba(X_test), atol=1e-12)
    assert probabilities_from_scores(model, model.decision_function(X_test)) is None
