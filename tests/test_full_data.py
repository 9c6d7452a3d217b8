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
    models = {name: make_model(name) for name in model_names() if spec(name).kind in ("baseline", "ensemble")}
    models["ensemble"].set_params(n_jobs=2)  # its members' fold fits two at a time: the same fits, in half the time
    models = {name: model.fit(X, y) for name, model in models.items()}
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


@pytest.fixture(scope="module")
def local_run(full_data, tmp_path_factory):
    """One local comparison on the full data, its models kept: Naive Bayes, NBSVM, fastText and the tutorial's LSTM
    (one epoch each). Returns its folder and its results.json."""
    import json

    from imdb_baselines.cli import compare

    out = tmp_path_factory.mktemp("local") / "report"
    assert compare.main(["--data", full_data, "--models", "naive_bayes,nbsvm,fasttext,lstm", "--epochs",
                         "1", "--bootstrap", "0", "--quiet", "--out", str(out)]) == 0
    return out, json.loads((out / "results.json").read_text())


def test_fasttext_learns_in_one_epoch(local_run):
    _, results = local_run
    accuracy = next(r["accuracy"] for r in results["results"] if r["model"] == "fasttext")
    history = results["histories"]["fasttext"]
    print(f"fasttext, one epoch: test accuracy {accuracy:.4f}, {history['epoch_time'][0]:.0f} s")
    assert accuracy > 0.8 and len(history["val_loss"]) == 1 and np.isfinite(history["val_loss"][0])


def test_exports_agree_with_their_models_on_the_whole_test_set(imdb, local_run, tmp_path):
    """The comparison's kept NBSVM (calibrated), fastText and LSTM: every export gives the model's label on at least
    99.9 % of the 25,000 test reviews, and the same probability within 1e-4 wherever the in-graph encoding is
    Python's."""
    from imdb_baselines.exports import export_model, load_export
    from imdb_baselines.exports.parity import agreement
    from imdb_baselines.modelfiles import load_model, predict_texts

    models = local_run[0] / "models"
    reviews = imdb.test["text"].tolist()
    for name, formats in (("nbsvm", ["onnx"]), ("fasttext", ["onnx", "savedmodel"]), ("lstm", ["onnx", "savedmodel"])):
        model = load_model(models / name)
        expected = [row for i in range(0, len(reviews), 1000) for row in predict_texts(model, reviews[i:i + 1000])]
        for fmt in formats:
            exported = load_export(export_model(models / name, fmt, tmp_path / f"{name}-{fmt}"))
            row = agreement(model, exported, reviews, expected)
            print(name, fmt, {k: v for k, v in row.items() if k != "encoding_differs_examples"})
            assert row["agreement"] >= 0.999, (name, fmt)
            assert row["max_probability_difference_same_encoding"] <= 1e-4, (name, fmt)
            assert row["encoding_differs"] <= 25, (name, fmt, row["encoding_differs_examples"])


@pytest.fixture(scope="module")
def both_engines(full_data, local_run, tmp_path_factory):
    """Naive Bayes and NBSVM on the full data with Spark (results.json) beside the local run, and Spark's test tokens.

    The linear SVM's parity is left to the fixtures' checks (``test_spark.py``, two and six classes): on Spark it
    runs the Newton solver NBSVM runs here, over TF-IDF n-grams, and would add about a hundred seconds."""
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
    out = tmp_path_factory.mktemp("spark")
    assert compare.main(["--data", full_data, "--models", "naive_bayes,nbsvm", "--bootstrap", "0", "--quiet",
                         "--out", str(out), "--engine", "spark"]) == 0
    runs = {"local": local_run[1], "spark": json.loads((out / "results.json").read_text())}
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
    assert abs(spark["nbsvm"] - local["nbsvm"]) <= 0.005  # liblinear's objective, minimised by its Newton method
