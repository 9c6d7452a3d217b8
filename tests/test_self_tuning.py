"""The baselines' automatic search: when it runs, what it keeps, and what the report says."""

from __future__ import annotations

import json

from imdb_baselines import corpus
from imdb_baselines.catalog import make_model, search_grid
from imdb_baselines.cli import compare as compare_cli
from imdb_baselines.run import tuning
from imdb_baselines.run.results import RunConfig
from tests.conftest import FIXTURES

SST, TREC = FIXTURES / "sst5", FIXTURES / "trec"


def _run(tmp_path, name, *argv) -> tuple[str, dict]:
    out = tmp_path / name
    assert compare_cli.main([*argv, "--bootstrap", "0", "--no-save-models", "--quiet", "--out", str(out)]) == 0
    return (out / "report.md").read_text(encoding="utf-8"), json.loads((out / "results.json").read_text("utf-8"))


def test_a_small_training_set_is_not_searched_and_the_report_says_why(tmp_path):
    markdown, results = _run(tmp_path, "small", "--data", str(TREC / "train.jsonl"), "--test",
                             str(TREC / "test.jsonl"), "--text-column", "question", "--label-column", "coarse",
                             "--models", "naive_bayes,nbsvm")
    for name in ("naive_bayes", "nbsvm"):
        search = results["tuning"][name]
        assert search["automatic"] and not search["grid"] and search["best_params"] == {}
        assert search["note"] == ("not searched: 108 training texts are too few to tell its settings apart by "
                                  "cross-validation (at least 1,000)")
    assert "## Tuning\n" in markdown and "`nbsvm`: not searched: 108 training texts are too few" in markdown
    assert "![Test accuracy against fit time](accuracy_vs_fit_time.png)" in markdown  # nothing searched
    assert "No grid was searched on this training set, so the fixed defaults were kept" in markdown
    assert "Each grid was searched" not in markdown
    assert results["provenance"]["model_settings"]["nbsvm"]["C"] == 1.0  # the defaults, untouched


def test_no_tune_leaves_out_the_search_and_its_section(tmp_path):
    markdown, results = _run(tmp_path, "off", "--data", str(TREC / "train.jsonl"), "--test", str(TREC / "test.jsonl"),
                             "--text-column", "question", "--label-column", "coarse", "--models", "nbsvm", "--no-tune")
    assert results["tuning"] == {} and "## Tuning" not in markdown


def test_a_grid_too_costly_for_the_training_tokens_is_left_to_tune():
    texts = corpus.load_texts(TREC / "train.jsonl", text_column="question", label_column="coarse", test_size=0.0)
    X = corpus.prepare(texts.train["text"].tolist() * 10)  # 1,200 texts: enough to search
    tokens = len(X.ids)
    assert tuning.automatic_refusal("naive_bayes", search_grid("naive_bayes"), X) == ""
    assert tuning.automatic_refusal("nbsvm", {"C": [1.0]}, X[:999]).startswith("999 training texts are too few")
    assert tuning.automatic_refusal("nbsvm", {}, X) == "every setting of its grid is fixed with --set"
    budget = tuning.AUTOMATIC_TOKEN_FITS
    try:
        tuning.AUTOMATIC_TOKEN_FITS = 9 * 4 * tokens - 1  # Naive Bayes's 9 candidates × 5 folds × 4/5 of the tokens
        assert tuning.automatic_refusal("naive_bayes", search_grid("naive_bayes"), X) == (
            f"its 9 candidates × 5 folds over {tokens:,} training tokens ({9 * 4 * tokens / 1e6:,.0f} M token-fits) "
            f"exceed the automatic budget of {tuning.AUTOMATIC_TOKEN_FITS / 1e6:,.0f} M; --tune searches it")
    finally:
        tuning.AUTOMATIC_TOKEN_FITS = budget


def test_an_automatic_search_keeps_the_defaults_unless_the_folds_tell_the_best_apart(fixture_splits):
    X, y = corpus.prepare(fixture_splits.X_train), fixture_splits.y_train

    def build(settings):
        return make_model("nbsvm", settings=settings)

    # C = 1.001 answers as the default C = 1 does: listed first, it wins the tie, and only the plain search keeps it
    plain = tuning.tune(build, "nbsvm", X, y, grid={"C": [1.001, 1.0]}, neural=False, default={"C": 1.0})
    automatic = tuning.tune(build, "nbsvm", X, y, grid={"C": [1.001, 1.0]}, neural=False, default={"C": 1.0},
                            automatic=True)
    assert plain.grid[0]["mean"] == plain.grid[1]["mean"] == round(plain.default_score, 4)
    assert plain.best_params == {"C": 1.001} and not plain.note
    assert automatic.best_params == {"C": 1.0} and automatic.automatic
    assert automatic.note == ("kept the defaults: the best candidate (C=1.001) beat them by 0.0000, within the "
                              "standard error of the fold-by-fold difference (0.0000)")


def test_the_run_searches_a_cheap_grid_by_itself_and_fits_the_settings_it_chose(tmp_path, monkeypatch):
    monkeypatch.setattr(tuning, "AUTOMATIC_MIN_TEXTS", 50)  # the fixture's 120 questions stand in for a real set
    markdown, results = _run(tmp_path, "auto", "--data", str(TREC / "train.jsonl"), "--test",
                             str(TREC / "test.jsonl"), "--text-column", "question", "--label-column", "coarse",
                             "--models", "naive_bayes,linear_svm",
                             "--set", "linear_svm.min_df=1", "--grid", "linear_svm.C=0.1,1")
    bayes, svm = results["tuning"]["naive_bayes"], results["tuning"]["linear_svm"]
    assert bayes["automatic"] and len(bayes["grid"]) == 9 and bayes["folds"] == 5
    assert {tuple(row["params"]) for row in svm["grid"]} == {("C", "ngram_range")}  # min_df fixed, C's grid given
    assert len(svm["grid"]) == 6 and svm["default_params"] == {"C": 1.0, "ngram_range": [1, 2]}
    settings = results["provenance"]["model_settings"]
    for name, search in (("naive_bayes", bayes), ("linear_svm", svm)):
        chosen = {key: tuple(value) if isinstance(value, list) else value
                  for key, value in search["best_params"].items()}
        assert {key: settings[name][key] for key in chosen} == {
            key: list(value) if isinstance(value, tuple) else value for key, value in chosen.items()}
        assert f"`{name}`: {len(search['grid'])} candidates × 5 folds" in markdown
    assert "The baselines' grids that are cheap on this training set were searched without `--tune`" in markdown
    # the cost of a model is its search too: its own column beside the (short) fit of the chosen settings
    cost = markdown.split("## Cost")[1].split("\n\n")[1].splitlines()
    assert cost[0].startswith("| Model | Search s | Fit s |")
    for name, search in (("naive_bayes", bayes), ("linear_svm", svm)):
        row = next(line for line in cost if line.startswith(f"| `{name}` |")).split(" | ")
        assert row[1] == f"{search['seconds']:.1f}" and row[2] == "< 0.1"  # a few questions fit in milliseconds
    # and the figure of accuracy against cost places each model at its search and fit together
    assert "![Test accuracy against search and fit time](accuracy_vs_fit_time.png)" in markdown


def test_the_automatic_search_leaves_the_neural_models_and_the_ensemble_to_tune():
    config = RunConfig(models=("fasttext", "ensemble"), stopwords=("minimal",), out=None, tune=None)
    for name in config.models:
        assert tuning.search(make_model, name, ["a long enough text"] * 5000, None, config) is None
