"""The user's own scikit-learn estimators in the race: the same splits, folds, metrics, tests, report and files."""

from __future__ import annotations

import json
import sys

import pandas as pd
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

import imdb_baselines
from imdb_baselines.cli import compare as compare_cli
from imdb_baselines.cli import predict as predict_cli
from imdb_baselines.modelfiles import ModelFileError, load_model
from imdb_baselines.options import CompareOptions
from tests.conftest import FIXTURES

SST = FIXTURES / "sst5"

FACTORY = '''
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.pipeline import make_pipeline


def make_forest():
    return make_pipeline(CountVectorizer(), RandomForestClassifier(n_estimators=20, random_state=0))
'''


@pytest.fixture(scope="module")
def raced(tmp_path_factory):
    out = tmp_path_factory.mktemp("own") / "sst5"
    train, test = pd.read_csv(SST / "train.csv"), pd.read_csv(SST / "test.csv")
    pipeline = make_pipeline(TfidfVectorizer(ngram_range=(1, 2)), LogisticRegression(C=10, max_iter=1000))
    board = imdb_baselines.compare(train, test, text_column="sentence", models=["nbsvm", ("tfidf_lr", pipeline)],
                                   cv=3, bootstrap=200, out=out)
    return out, board, pipeline


def test_a_python_estimator_gets_every_section_of_the_report(raced):
    out, board, pipeline = raced
    assert set(board.index) == {"nbsvm", "tfidf_lr"} and not hasattr(pipeline[-1], "coef_")  # fitted on clones
    markdown = (out / "report.md").read_text(encoding="utf-8")
    for section in ("## Results", "## Cross-validation", "## Calibration", "## Per class", "## Cost",
                    "## Paired significance (McNemar)", "## Agreement"):
        part = markdown.split(section, 1)[1].split("\n## ", 1)[0]
        assert "`tfidf_lr`" in part, section
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert "TfidfVectorizer(ngram_range=(1, 2))" in results["provenance"]["model_settings"]["tfidf_lr"]["estimator"]
    assert len(results["cross_validation"]["models"]["tfidf_lr"]["folds"]) == 3
    assert results["calibration"]["tfidf_lr"]["probabilities"] == "the model's own"
    predictions = pd.read_csv(out / "predictions.csv")
    kept = load_model(out / "models" / "tfidf_lr")  # scikit-learn's own types only: no trust needed
    assert kept.predict(predictions["text"].tolist()).tolist() == predictions["tfidf_lr_prediction"].tolist()
    assert board.loc["tfidf_lr", "accuracy"] == pytest.approx(
        (predictions["tfidf_lr_prediction"] == predictions["label"]).mean(), abs=1e-4)


@pytest.fixture(scope="module")
def forest(tmp_path_factory):
    """A report with a random forest from a factory in the current folder (``--estimator``)."""
    folder = tmp_path_factory.mktemp("forest")
    (folder / "my_models.py").write_text(FACTORY, encoding="utf-8")
    out = folder / "report"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)  # imported from the current folder
        assert compare_cli.main(["--data", str(FIXTURES / "polarity2k"), "--models", "naive_bayes", "--estimator",
                                 "forest=my_models:make_forest", "--bootstrap", "0", "--quiet", "--out",
                                 str(out)]) == 0
    return out


def test_a_factory_from_the_command_line_is_saved_and_loaded_only_when_trusted(forest, capsys):
    out = forest
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert {row["model"] for row in results["results"]} == {"naive_bayes", "forest"}
    with pytest.raises(ModelFileError, match=r"holds types this package does not load: sklearn\.tree\._tree\.Tree"):
        load_model(out / "models" / "forest")
    forest = load_model(out / "models" / "forest", trusted=["sklearn.tree._tree.Tree"])
    assert set(forest.predict(["a moving and beautiful film", "a dull mess"])) <= {"pos", "neg"}
    capsys.readouterr()
    assert predict_cli.main(["--model", str(out / "models" / "forest"), "--trust", "sklearn.tree._tree.Tree",
                             "--format", "jsonl", "a moving and beautiful film"]) == 0
    answer = json.loads(capsys.readouterr().out.splitlines()[0])
    assert answer["predictions"]["forest"]["label"] in ("pos", "neg")


def test_imdb_serve_answers_with_a_trusted_estimator_in_each_worker(forest):
    import httpx

    from imdb_baselines.serving import load_catalog
    from tests.servers import free_port, running_process

    untrusted = load_catalog(forest)  # the forest is refused; naive_bayes alone would be served
    assert set(untrusted.models) == {"naive_bayes"} and "sklearn.tree._tree.Tree" in untrusted.failures["forest"]
    port = free_port()
    command = [sys.executable, "-m", "imdb_baselines.cli.serve", str(forest), "--port", str(port), "--workers", "2",
               "--trust", "sklearn.tree._tree.Tree", "--quiet"]
    with running_process(command, port):
        answer = httpx.post(f"http://127.0.0.1:{port}/predict", json={"text": "a moving and beautiful film"},
                            timeout=30).json()
    assert {a["model"] for a in answer["answers"]} == {"naive_bayes", "forest"}


@pytest.mark.parametrize(("estimators", "message"), [
    ({"nbsvm": LogisticRegression()}, "not be a catalogue model's"),
    ({"my model": LogisticRegression()}, "must be letters, digits"),
    ({"words": TfidfVectorizer()}, "needs fit and predict_proba or decision_function"),
    (["no_colon"], "is not \\[NAME=\\]module:factory"),
    (["missing_module_xyz:make"], "No module named 'missing_module_xyz'"),
])
def test_an_estimator_that_cannot_race_is_refused_before_any_data_is_read(estimators, message):
    with pytest.raises(ValueError, match=message):
        CompareOptions(models=("naive_bayes",), estimators=estimators).checked()


def test_spark_runs_the_catalogues_baselines_only():
    with pytest.raises(ValueError, match="--engine spark runs naive_bayes, linear_svm, nbsvm; leave out mine"):
        CompareOptions(engine="spark", models=("nbsvm",), estimators={"mine": LogisticRegression()}).checked()


def test_a_model_past_the_time_limit_is_named_and_the_others_go_on(tmp_path, capsys):
    import time

    out = tmp_path / "report"
    started = time.perf_counter()
    status = compare_cli.main(["--data", str(FIXTURES / "aclImdb"), "--excerpt", "--models", "fasttext,naive_bayes",
                               "--epochs", "500", "--time-limit", "4", "--bootstrap", "0", "--quiet",
                               "--out", str(out)])
    assert status == 0 and time.perf_counter() - started < 120
    assert "fasttext (minimal): timed out: stopped after 4 s (--time-limit 4)" in capsys.readouterr().err
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "- `fasttext` (minimal): timed out: stopped after 4 s (--time-limit 4)" in markdown
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert [row["model"] for row in results["results"]] == ["naive_bayes"]
    assert not (out / "models" / "fasttext").exists() and (out / "models" / "naive_bayes").is_dir()


def test_the_time_limit_is_checked_before_any_data_is_read():
    with pytest.raises(ValueError, match=r"--time-limit must be a number of seconds in \(0, 604800\]"):
        CompareOptions(time_limit=0).checked()
    with pytest.raises(ValueError, match="--engine spark does not take --time-limit"):
        CompareOptions(engine="spark", models=("nbsvm",), time_limit=60).checked()
