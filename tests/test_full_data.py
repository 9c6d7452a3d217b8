"""Checks on the full IMDB archive (marked full_data; CI runs them when the shared copy is present)."""

import numpy as np
import pytest

from baselines import top_features
from imdb_baselines import corpus
from imdb_baselines.catalog import make_model, model_names, spec

pytestmark = pytest.mark.full_data

# Test accuracy each default baseline must reach on the official split (issue targets, "must" column; the
# ensemble scored 0.9212 trained on 22,500 reviews, benchmarks/ensemble_members.py).
MUST = {"naive_bayes": 0.865, "linear_svm": 0.905, "nbsvm": 0.915, "ensemble": 0.919}


@pytest.fixture(scope="module")
def imdb(full_data):
    return corpus.load_imdb(full_data)


def test_default_baselines_reach_their_targets(imdb):
    X, y = corpus.prepare(imdb.train["text"].tolist()), imdb.train["label"].to_numpy()
    X_test, y_test = corpus.prepare(imdb.test["text"].tolist()), imdb.test["label"].to_numpy()
    models = {name: make_model(name).fit(X, y) for name in model_names()
              if spec(name).kind in ("baseline", "ensemble")}
    accuracy = {name: float((m.predict(X_test) == y_test).mean()) for name, m in models.items()}
    print(accuracy)
    for name, floor in MUST.items():
        assert accuracy[name] >= floor, name
    table = top_features(models["nbsvm"], n=40)
    positive = table.loc[table.polarity == "positive", "feature"].tolist()
    negative = table.loc[table.polarity == "negative", "feature"].tolist()
    # reviewers' own scores ("7 10", "3 out 10") and sentiment words and phrases lead both lists
    assert {"excellent", "highly recommended", "10 10", "must see"} <= set(positive)
    assert {"worst", "waste", "unwatchable", "2 10", "not worth"} <= set(negative)


def test_splits_are_identical_across_calls_and_balanced(imdb):
    a = corpus.make_splits(imdb, seed=0)
    b = corpus.make_splits(imdb, seed=0)
    assert a.fingerprint == b.fingerprint and a.sizes() == {"train": 22_500, "validation": 2_500, "test": 25_000}
    assert a.y_val.sum() == 1_250 and not set(a.keys["validation"]) & set(a.keys["train"])


def test_fasttext_learns_in_one_epoch(imdb):

    splits = corpus.make_splits(imdb, seed=0)
    clf = make_model("fasttext", neural_overrides={"epochs": 1, "verbose": 0})
    clf.fit(splits.X_train, splits.y_train, validation_data=(splits.X_val, splits.y_val))
    accuracy = float((clf.predict(splits.X_test) == splits.y_test).mean())
    print(f"fasttext, one epoch: test accuracy {accuracy:.4f}, {clf.history_['epoch_time'][0]:.0f} s")
    assert accuracy > 0.8 and np.isfinite(clf.history_["val_loss"][0])


def test_exports_agree_with_their_models_on_the_whole_test_set(imdb, full_data, tmp_path):
    """A real comparison keeps NBSVM (calibrated), fastText and the tutorial's LSTM (one epoch each); every
    export gives the model's label on at least 99.9 % of the 25,000 test reviews, and the same probability
    within 1e-4 wherever the in-graph encoding is Python's."""
    from imdb_baselines.cli import compare
    from imdb_baselines.exports import export_model, load_export
    from imdb_baselines.exports.parity import agreement
    from imdb_baselines.modelfiles import load_model

    report = tmp_path / "report"
    assert compare.main(["--data", full_data, "--models", "nbsvm,fasttext,lstm", "--epochs", "1", "--bootstrap",
                         "0", "--quiet", "--out", str(report)]) == 0
    reviews = imdb.test["text"].tolist()
    for name, formats in (("nbsvm", ["onnx"]), ("fasttext", ["onnx", "savedmodel"]), ("lstm", ["onnx", "savedmodel"])):
        model = load_model(report / "models" / name)
        for fmt in formats:
            exported = load_export(export_model(report / "models" / name, fmt, tmp_path / f"{name}-{fmt}"))
            row = agreement(model, exported, reviews)
            print(name, fmt, {k: v for k, v in row.items() if k != "encoding_differs_examples"})
            assert row["agreement"] >= 0.999, (name, fmt)
            assert row["max_probability_difference_same_encoding"] <= 1e-4, (name, fmt)
            assert row["encoding_differs"] <= 25, (name, fmt, row["encoding_differs_examples"])



@pytest.fixture(scope="module")
def both_engines(full_data, tmp_path_factory):
    """The three baselines on the full data with each engine (results.json of each), and Spark's test tokens."""
    pytest.importorskip("pyspark", reason="the spark extra is not installed")
    import json

    from imdb_baselines.cli import compare
    from imdb_baselines.run.spark.data import read_spark_data
    from imdb_baselines.run.spark.preparation import TOKENS, add_tokens
    from imdb_baselines.run.spark.session import SparkOptions, spark_session

    session = spark_session(SparkOptions("local[2]"))
    data = read_spark_data(session, corpus.DataSource(path=full_data))
    tokens = add_tokens(data.frame, "minimal").where("split = 'test'").select("key", TOKENS).toPandas()
    by_key = dict(zip(tokens["key"], tokens[TOKENS].map(list)))
    spark_tokens = [by_key[key] for key in data.splits.keys["test"]]
    data.frame.unpersist()
    runs = {}
    for engine in ("local", "spark"):
        out = tmp_path_factory.mktemp(engine)
        options = ["--engine", "spark"] if engine == "spark" else ["--no-save-models"]
        assert compare.main(["--data", full_data, "--models", "naive_bayes,linear_svm,nbsvm", "--bootstrap", "0",
                             "--quiet", "--out", str(out), *options]) == 0
        runs[engine] = json.loads((out / "results.json").read_text())
    accuracy = {e: {r["model"]: r["accuracy"] for r in runs[e]["results"]} for e in runs}
    print(accuracy)
    return {"texts": data.splits.X_test, "tokens": spark_tokens, "runs": runs, "accuracy": accuracy}


def test_spark_engine_splits_and_tokenizes_as_the_local_engine(both_engines):
    prepare = corpus.TextPreprocessor("minimal")
    differing = [i for i, (text, tokens) in enumerate(zip(both_engines["texts"], both_engines["tokens"]))
                 if tokens != prepare(text)]
    assert len(both_engines["tokens"]) == 25_000 and not differing, differing[:5]
    runs = both_engines["runs"]
    assert runs["local"]["provenance"]["fingerprints"] == runs["spark"]["provenance"]["fingerprints"]
    assert runs["spark"]["provenance"]["engine"]["engine"] == "spark"


def test_spark_baselines_match_their_local_twins(both_engines):
    local, spark = both_engines["accuracy"]["local"], both_engines["accuracy"]["spark"]
    assert spark["naive_bayes"] == pytest.approx(local["naive_bayes"], abs=1e-4)  # the same model
    assert abs(spark["linear_svm"] - local["linear_svm"]) <= 0.002  # the same objective, solved by liblinear's Newton
    assert abs(spark["nbsvm"] - local["nbsvm"]) <= 0.005
