"""Skewed classes: the metrics that weigh every class alike, and --class-weight balanced in every model."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import imdb_baselines
from imdb_baselines.cli import compare as compare_cli
from imdb_baselines.options import CompareOptions
from tests.conftest import FIXTURES

MODELS = ["naive_bayes", "linear_svm", "nbsvm"]


def _skewed(frame: pd.DataFrame) -> pd.DataFrame:
    """All positive reviews and a quarter as many negative ones (4 to 1)."""
    positive = frame[frame["label"] == 1]
    return pd.concat([positive, frame[frame["label"] == 0].head(len(positive) // 4)])[["text", "label"]]


@pytest.fixture(scope="module")
def runs(fixture_corpus, tmp_path_factory):
    folder = tmp_path_factory.mktemp("skewed")
    train, test = _skewed(fixture_corpus.train), _skewed(fixture_corpus.test)
    boards = {weight: imdb_baselines.compare(train, test, models=MODELS, class_weight=weight, bootstrap=200,
                                             out=folder / str(weight)) for weight in (None, "balanced")}
    return folder, boards


def test_a_skewed_test_set_adds_balanced_accuracy_macro_f1_and_average_precision(runs):
    folder, boards = runs
    for board in boards.values():
        assert {"balanced_accuracy", "macro_f1", "average_precision", "balanced_accuracy_ci_low"} <= set(board.columns)
    markdown = (folder / "None" / "report.md").read_text(encoding="utf-8")
    assert "> **Skewed classes:** the test set's largest class, `1`, has 4.0 times the texts of the smallest, `0` " \
           "(40 against 10; more than 3 times counts as skewed)" in markdown
    assert "`--class-weight balanced` weighs the classes alike in training" in markdown
    assert "| Balanced accuracy [95% CI] |" in markdown
    predictions = pd.read_csv(folder / "None" / "predictions.csv")
    from sklearn.metrics import balanced_accuracy_score

    for model in MODELS:
        assert boards[None].loc[model, "balanced_accuracy"] == pytest.approx(
            balanced_accuracy_score(predictions["label"], predictions[f"{model}_prediction"]), abs=1e-4)


def test_balanced_class_weights_reach_every_model_and_the_report(runs):
    folder, boards = runs
    results = json.loads((folder / "balanced" / "results.json").read_text(encoding="utf-8"))
    assert {m: results["provenance"]["model_settings"][m]["class_weight"] for m in MODELS} == \
        dict.fromkeys(MODELS, "balanced")
    markdown = (folder / "balanced" / "report.md").read_text(encoding="utf-8")
    assert "Class weights: balanced (each class weighed inversely to its training frequency; Naive Bayes: equal " \
           "priors) for `naive_bayes`, `linear_svm`, `nbsvm`." in markdown
    assert "weighs the classes alike in training" not in markdown


def test_balanced_weights_move_every_baseline_toward_the_rare_class(fixture_corpus):
    from imdb_baselines.catalog import make_model

    train, test = _skewed(fixture_corpus.train), fixture_corpus.test["text"].tolist()
    scores = {}
    for weight in (None, "balanced"):
        for name in MODELS:
            model = make_model(name, settings={"class_weight": weight})
            model.fit(train["text"].tolist(), train["label"].to_numpy())
            scores[name, weight] = model.decision_function(test)
    # Naive Bayes: equal priors move every log odds by the log of the training classes' ratio, 40 to 10.
    np.testing.assert_allclose(scores["naive_bayes", None] - scores["naive_bayes", "balanced"], np.log(4.0))
    for name in ("linear_svm", "nbsvm"):  # errors on the rare class cost more: margins move toward it
        assert scores[name, "balanced"].mean() < scores[name, None].mean(), name
    ensemble = make_model("ensemble", settings={"class_weight": "balanced"})  # the members; not the stacker
    assert [member.steps[-1][1].class_weight for _, member in ensemble.estimators] == ["balanced"] * 3
    assert ensemble.final_estimator.class_weight is None


def test_class_weight_is_checked_before_any_data_and_refused_by_sparks_lbfgs(capsys):
    with pytest.raises(SystemExit):
        compare_cli.main(["--class-weight", "even"])
    assert "invalid choice: 'even'" in capsys.readouterr().err
    with pytest.raises(ValueError, match="--spark-solver lbfgs does not take --class-weight"):
        CompareOptions(models=("nbsvm",), engine="spark", class_weight="balanced", spark_solver="lbfgs").checked()
    for engine in ("spark", "chunked"):
        options = CompareOptions(models=("nbsvm",), engine=engine, class_weight="balanced").checked()
        assert options.settings["nbsvm"]["class_weight"] == "balanced"
    with pytest.raises(ValueError, match="'class_weight' parameter of NBSVMClassifier must be 'balanced', a dict"):
        imdb_baselines.compare(FIXTURES / "sst5" / "train.csv", models=["nbsvm"], settings={"nbsvm": {
            "class_weight": "even"}})


def test_a_keras_model_weighs_its_loss_by_class(fixture_corpus):
    from neural import KerasTextClassifier

    train = _skewed(fixture_corpus.train)
    losses = {}
    for weight in (None, "balanced"):
        model = KerasTextClassifier(model="fasttext", epochs=1, validation_size=0, class_weight=weight, seed=0,
                                    verbose=0).fit(train["text"].tolist(), train["label"].to_numpy())
        losses[weight] = model.history_["loss"][0]
    assert losses["balanced"] != pytest.approx(losses[None], rel=1e-3)  # the same seed: only the weights differ


def test_on_skewed_classes_not_learning_is_judged_by_balanced_accuracy():
    from imdb_baselines.evaluation.analysis import health_warnings

    # TREC's ABBR against the rest: 0.988 beats the majority's 0.982 by a little, and that little is ABBR found.
    assert health_warnings("naive_bayes", 0.988, None, 0.982, None, False, balanced=(0.667, None, 2)) == []
    [warning] = health_warnings("naive_bayes", 0.982, None, 0.982, None, False, balanced=(0.5, None, 2))
    assert warning.startswith("`naive_bayes` scores a balanced accuracy of 0.5000, no better than always answering "
                              "the most common class (0.5000)")
