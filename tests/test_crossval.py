"""--cv: every model on K folds, with nothing of a fold's held-out texts in its preparation, tuning or fit."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import imdb_baselines
from imdb_baselines import corpus
from imdb_baselines.catalog import make_model, search_grid
from imdb_baselines.cli import compare as compare_cli
from imdb_baselines.evaluation.crossval import corrected_resampled_t_test, five_by_two_t_test
from imdb_baselines.modelfiles import load_model
from imdb_baselines.options import CompareOptions
from imdb_baselines.run.folds import cross_validate, fold_indices
from imdb_baselines.run.results import RunConfig
from imdb_baselines.run.tuning import tune
from tests.conftest import FIXTURES

SST, TREC, POLARITY = FIXTURES / "sst5", FIXTURES / "trec", FIXTURES / "polarity2k"


def _run(tmp_path, name, *argv) -> tuple:
    out = tmp_path / name
    assert compare_cli.main([*argv, "--bootstrap", "200", "--quiet", "--out", str(out)]) == 0
    return out, (out / "report.md").read_text(encoding="utf-8"), \
        json.loads((out / "results.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("tuned", [False, True], ids=["fixed", "tuned"])
def test_each_fold_answers_as_a_model_that_never_saw_its_held_out_texts(tuned):
    """A fold's predictions equal those of the model built, tokenized and tuned afresh on its training part only."""
    data = corpus.load_texts(POLARITY, test_size=0.0)
    texts, y = data.train["text"].tolist(), data.train["label"].to_numpy()
    prepared = corpus.prepare(texts, "minimal")  # every text, held-out ones included, prepared once
    grid = {"C": [0.1, 1.0], "ngram_range": [(1, 2), (1, 3)]}
    config = RunConfig(models=("nbsvm",), stopwords=("minimal",), out=None, cv=4, validation_size=0.0, tune=tuned,
                       grids={"nbsvm": grid})

    def build(settings):
        return make_model("nbsvm", stopwords="minimal", seed=0, settings=settings)

    folds = cross_validate(build, "nbsvm", prepared, y, config, classes=data.classes)
    assert len(folds) == 4
    held = np.sort(np.concatenate([fold.held for fold in folds]))
    assert held.tolist() == list(range(len(texts)))  # each text held out exactly once
    for fold, (train, test) in zip(folds, fold_indices(y, 4, seed=0)):
        assert not set(train) & set(fold.held) and fold.train_size == len(train)
        raw_train = [texts[i] for i in train]  # plain strings: tokenized here, from the training part alone
        settings = {}
        if tuned:
            search = tune(build, "nbsvm", raw_train, y[train], grid=search_grid("nbsvm", {}, grid), neural=False,
                          n_jobs=1)
            settings = search.best_params
            assert fold.tuned == settings
        alone = build(settings).fit(raw_train, y[train])
        assert alone.predict([texts[i] for i in test]).tolist() == fold.predictions.tolist()


def test_without_a_test_set_every_labelled_text_is_scored_out_of_fold(tmp_path):
    out, markdown, results = _run(tmp_path, "polarity", "--data", str(POLARITY), "--models",
                                  "naive_bayes,linear_svm,nbsvm", "--cv", "5")
    assert "No test set: each of the 40 labelled texts is scored once by the model of the 5-fold cross-validation " \
           "that did not see it" in markdown
    assert "## Cross-validation" in markdown and "5 stratified folds of every labelled text" in markdown
    assert "the corrected resampled t-test (Nadeau and Bengio, 2003)" in markdown
    assert "A plain paired t-test would treat the fold scores as independent" in markdown
    tests = results["cross_validation"]
    p, holm = tests["p_values"], tests["holm_p_values"]
    ranked = sorted((p[a][b], holm[a][b]) for a in p for b in p[a] if a < b)  # 3 pairs: Holm's 3, 2 and 1 times
    assert [h for _, h in ranked] == pytest.approx(np.maximum.accumulate(
        [min(1.0, factor * raw) for (raw, _), factor in zip(ranked, (3, 2, 1))]), rel=1e-5)
    assert "In brackets, the p-value adjusted by Holm's method for the 3 pairs compared here" in markdown
    # the best model's margin over each other one: the fold-by-fold mean difference, and Nadeau and Bengio's
    # interval, t(J - 1) times sqrt((1/J + n_test/n_train) S^2), written out here from the folds in results.json
    from scipy import stats

    models = tests["models"]
    fold_scores = {m: np.array([f["metrics"]["accuracy"] for f in entry["folds"]]) for m, entry in models.items()}
    leader = tests["leader"]
    assert leader == max(fold_scores, key=lambda m: fold_scores[m].mean())
    sizes = np.array([f["test_size"] for f in models[leader]["folds"]])
    ratio = sizes.mean() / (sizes.sum() - sizes.mean())
    for other, margin in tests["margins"].items():
        d = fold_scores[leader] - fold_scores[other]
        half = stats.t.ppf(0.975, 4) * np.sqrt((1 / 5 + ratio) * d.var(ddof=1))
        assert (margin["mean"], margin["ci_low"], margin["ci_high"]) == pytest.approx(
            (d.mean(), d.mean() - half, d.mean() + half), abs=2e-6)
        assert (margin["ci_low"] > 0) == (p[leader][other] < 0.05)  # the interval and the test share a variance
        assert f"| `{other}` | {100 * margin['mean']:+.2f} [{100 * margin['ci_low']:+.2f}, " \
               f"{100 * margin['ci_high']:+.2f}] | {holm[leader][other]:.2g} |" in markdown
    assert results["provenance"]["out_of_fold"] and results["provenance"]["split_sizes"]["test"] == 40
    folds = results["cross_validation"]["models"]["nbsvm"]["folds"]
    assert [f["test_size"] for f in folds] == [8] * 5
    predictions = pd.read_csv(out / "predictions.csv")
    assert len(predictions) == 40 and predictions["id"].is_unique
    # The out-of-fold accuracy is the folds' held-out texts scored once each: the mean of equal folds.
    table = pd.read_csv(out / "results.csv").set_index("model")
    for model in ("naive_bayes", "linear_svm", "nbsvm"):
        right = predictions[f"{model}_prediction"] == predictions["label"]
        assert table.loc[model, "accuracy"] == pytest.approx(right.mean(), abs=1e-4)
        fold_accuracies = [f["metrics"]["accuracy"] for f in results["cross_validation"]["models"][model]["folds"]]
        assert table.loc[model, "cv_accuracy_mean"] == pytest.approx(np.mean(fold_accuracies), abs=1e-4)
        assert table.loc[model, "cv_accuracy_ci_low"] < table.loc[model, "cv_accuracy_mean"] < \
            table.loc[model, "cv_accuracy_ci_high"]
    kept = load_model(out / "models" / "nbsvm")  # fitted on every text but its validation carve
    assert set(kept.predict(["a gripping , funny film", "dull and lifeless"])) <= {"neg", "pos"}


def test_five_by_two_folds_use_dietterichs_test_and_two_jobs_change_nothing(tmp_path):
    common = ["--data", str(TREC / "train.jsonl"), "--test", str(TREC / "test.jsonl"), "--text-column", "question",
              "--label-column", "coarse", "--models", "naive_bayes,nbsvm", "--cv", "2", "--cv-repeats", "5"]
    _, markdown, one = _run(tmp_path, "one", *common)
    _, _, two = _run(tmp_path, "two", *common, "--jobs", "2")
    assert "Paired test of accuracy over the folds: the 5×2 cv paired t-test (Dietterich, 1998)" in markdown
    assert "of the training data, drawn 5 times" in markdown
    assert "| Model | 1.1 | 1.2 | 2.1 | 2.2 | 3.1 | 3.2 | 4.1 | 4.2 | 5.1 | 5.2 |" in markdown
    assert not one["provenance"]["out_of_fold"] and one["provenance"]["split_sizes"]["test"] == 48

    def fold_metrics(results):
        return {m: [f["metrics"] for f in entry["folds"]] for m, entry in results["cross_validation"]["models"].items()}

    assert fold_metrics(one) == fold_metrics(two)
    assert one["cross_validation"]["p_values"] == two["cross_validation"]["p_values"]
    assert "Dietterich's test has no interval of its own" in markdown  # the margin, without an interval
    assert set(one["cross_validation"]["margins"]["naive_bayes"]) == {"mean"}
    # The test-set figures are the plain run's: cross-validation comes on top of it.
    _, _, plain = _run(tmp_path, "plain", *common[:-4])
    assert [r["accuracy"] for r in plain["results"]] == [r["accuracy"] for r in one["results"]]


def test_python_takes_cv_and_a_dataframe_without_a_test_set(tmp_path):
    frame = pd.read_csv(SST / "train.csv")
    board = imdb_baselines.compare(frame, models=["naive_bayes", "nbsvm"], text_column="sentence", cv=3,
                                   bootstrap=0, out=tmp_path / "sst")
    assert {"cv_accuracy_mean", "cv_macro_f1_std", "cv_accuracy_ci_high"} <= set(board.columns)
    results = json.loads((tmp_path / "sst" / "results.json").read_text(encoding="utf-8"))
    assert results["provenance"]["out_of_fold"] and results["provenance"]["split_sizes"]["test"] == len(frame)
    assert results["cross_validation"]["folds"] == 3


@pytest.mark.parametrize(("options", "message"), [
    ({"cv": 1}, "--cv must be an int in [2, 50]"),
    ({"cv_repeats": 3}, "--cv-repeats needs --cv"),
    ({"cv": 5, "jobs": 0}, "--jobs must be an int in [1, 64]"),
    ({"cv": 5, "repeats": 3, "data": str(POLARITY)}, "use --cv-repeats"),
    ({"cv": 5, "engine": "spark", "models": ("naive_bayes",)}, "--engine spark does not take --cv"),
])
def test_cross_validation_options_are_checked_before_any_data_is_read(options, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        CompareOptions(**options).checked()


def test_too_few_texts_of_a_class_for_the_folds_is_one_line(tmp_path, capsys):
    status = compare_cli.main(["--data", str(POLARITY), "--models", "nbsvm", "--cv", "25", "--quiet",
                               "--out", str(tmp_path / "out")])
    assert status == 2
    assert "--cv 25 needs at least 25 texts of each class to divide, and class 'neg' has 20" in \
        capsys.readouterr().err


def test_the_fold_tests_match_their_published_formulas():
    from scipy import stats

    a, b = np.array([0.81, 0.84, 0.80, 0.86, 0.83]), np.array([0.80, 0.81, 0.80, 0.82, 0.80])
    d = a - b
    t = d.mean() / np.sqrt((1 / 5 + 1 / 4) * d.var(ddof=1))  # 5 folds: n_test / n_train = 1/4
    assert corrected_resampled_t_test(a, b, 0.25) == pytest.approx(2 * stats.t.sf(abs(t), 4))
    plain = stats.ttest_rel(a, b).pvalue
    assert corrected_resampled_t_test(a, b, 0.25) > plain  # the correction widens the plain test's variance
    first, second = np.arange(10) / 100 + 0.8, np.full(10, 0.8)
    pairs = (first - second).reshape(5, 2)
    s2 = ((pairs - pairs.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
    t = pairs[0, 0] / np.sqrt(s2.mean())
    assert five_by_two_t_test(first, second) == pytest.approx(2 * stats.t.sf(abs(t), 5))


def test_tuning_inside_the_folds_searches_the_grid_and_metric_asked_for(tmp_path):
    _, markdown, results = _run(
        tmp_path, "sst5", "--data", str(SST / "train.csv"), "--test", str(SST / "test.csv"), "--text-column",
        "sentence", "--models", "nbsvm", "--cv", "3", "--tune", "--tune-metric", "macro_f1", "--grid",
        "nbsvm.C=0.1,10", "--grid", "nbsvm.ngram_range=(1,2)", "--set", "nbsvm.loss=svm")
    tuning = results["tuning"]["nbsvm"]
    assert tuning["metric"] == "macro_f1"
    assert {(row["params"]["C"], tuple(row["params"]["ngram_range"])) for row in tuning["grid"]} == \
        {(0.1, (1, 2)), (10.0, (1, 2))}
    assert all("loss" not in row["params"] for row in tuning["grid"])  # fixed with --set, never searched
    assert tuning["best_score"] == pytest.approx(max(row["mean"] for row in tuning["grid"]), abs=1e-4)
    folds = results["cross_validation"]["models"]["nbsvm"]["folds"]
    assert len(folds) == 3 and all(f["tuned"]["C"] in (0.1, 10.0) for f in folds)
    assert "(cross-validated macro F1 " in markdown and "| C | beta | min_df | ngram_range | macro F1 |" in markdown


def test_the_tuning_metrics_are_scikit_learns():
    from sklearn import metrics

    from imdb_baselines.run.tuning import fold_score

    data = corpus.load_texts(POLARITY, test_size=0.5)
    X, y = data.train["text"].tolist(), data.train["label"].to_numpy()
    X_test, y_test = data.test["text"].tolist(), data.test["label"].to_numpy()
    bayes = make_model("naive_bayes", stopwords="minimal").fit(X, y)
    assert fold_score(bayes, X_test, y_test, "log_loss") == pytest.approx(
        metrics.log_loss(y_test, bayes.predict_proba(X_test), labels=bayes.classes_))
    assert fold_score(bayes, X_test, y_test, "roc_auc") == pytest.approx(
        metrics.roc_auc_score(y_test == "pos", bayes.predict_proba(X_test)[:, 1]))
    svm = make_model("linear_svm", stopwords="minimal").fit(X, y)
    assert fold_score(svm, X_test, y_test, "macro_f1") == pytest.approx(
        metrics.f1_score(y_test, svm.predict(X_test), average="macro"))
    assert fold_score(svm, X_test, y_test, "roc_auc") == pytest.approx(
        metrics.roc_auc_score(y_test == "pos", svm.decision_function(X_test)))
    assert 0 < fold_score(svm, X_test, y_test, "log_loss") < np.log(2)  # margins at their best scale beat a coin


def test_grid_and_tune_metric_are_checked_before_any_data_is_read():
    for options, message in (({"tune": False, "grid": ["nbsvm.C=1"], "models": ("nbsvm",)},
                              "--tune-metric and --grid need a search: leave out --no-tune"),
                             ({"tune": True, "tune_metric": "brier"}, "--tune-metric must be one of"),
                             ({"tune": True, "grid": ["nbsvm.C=x"], "models": ("nbsvm",)},
                              r"--grid: nbsvm.C must be like 1.0 \(float\); got 'x'"),
                             ({"tune": True, "grid": ["nbsvm.C=1"], "settings": ["nbsvm.C=2"], "models": ("nbsvm",)},
                              "--grid and --set both give nbsvm.C")):
        with pytest.raises(ValueError, match=message):
            CompareOptions(**options).checked()
