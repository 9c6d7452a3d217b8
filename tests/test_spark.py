"""The Spark engine in local[2] mode: the local engine's split and tokens, the baselines on Spark ML, the report."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from imdb_baselines import corpus
from imdb_baselines.cli import compare
from imdb_baselines.run.results import RunConfig

pytest.importorskip("pyspark", reason="the Spark engine's tests need the spark extra")

from imdb_baselines.comparison import run_comparison  # noqa: E402
from imdb_baselines.run.spark import SparkEngine, SparkOptions  # noqa: E402
from imdb_baselines.run.spark.data import read_spark_data  # noqa: E402
from imdb_baselines.run.spark.preparation import TOKENS, add_tokens  # noqa: E402
from imdb_baselines.run.spark.session import spark_session  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
EXCERPT = corpus.DataSource(path=str(FIXTURES / "aclImdb"), excerpt=True)
TREC = corpus.DataSource(path=str(FIXTURES / "trec" / "train.jsonl"), test=str(FIXTURES / "trec" / "test.jsonl"),
                         text_column="question", label_column="coarse")
REPOSITORY = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def spark():
    session = spark_session(SparkOptions(master="local[2]", driver_memory="2g"))
    yield session
    session.stop()


def _local_splits(source: corpus.DataSource, stopwords: str = "minimal", **options) -> corpus.Splits:
    return corpus.make_splits(source.load(seed=0), validation_size=0.1, seed=0, stopwords=stopwords, **options)


def test_imdb_split_and_tokens_are_the_local_engines(spark):
    data = read_spark_data(spark, EXCERPT, stopwords="minimal")
    local = _local_splits(EXCERPT)
    assert data.splits.fingerprint == local.fingerprint
    assert data.splits.keys == local.keys
    assert data.splits.X_test == local.X_test
    for stopwords in ("minimal", "english"):
        tokens = add_tokens(data.frame, stopwords).where("split = 'test'").select("key", TOKENS).toPandas()
        by_key = dict(zip(tokens["key"], tokens[TOKENS].map(list)))
        prepare = corpus.TextPreprocessor(stopwords)
        assert [by_key[key] for key in local.keys["test"]] == [prepare(text) for text in local.X_test]
    counts = data.frame.groupBy("split").count().toPandas().set_index("split")["count"].to_dict()
    assert counts == local.sizes()


@pytest.mark.parametrize("kind", ["csv", "jsonl", "jsonl.gz", "parquet"])
def test_tables_read_by_spark_split_like_the_local_reader(spark, tmp_path, kind):
    if kind.startswith("jsonl"):
        train = FIXTURES / "trec" / "train.jsonl"
        if kind == "jsonl.gz":  # Spark decompresses it by its name, as the local reader does
            train = tmp_path / "train.jsonl.gz"
            train.write_bytes(gzip.compress((FIXTURES / "trec" / "train.jsonl").read_bytes()))
        source = corpus.DataSource(path=str(train), test=str(FIXTURES / "trec" / "test.jsonl"),
                                   text_column="question", label_column="coarse")
    elif kind == "csv":
        source = corpus.DataSource(path=str(FIXTURES / "sst5" / "train.csv"), text_column="sentence", test_size=0.25)
    else:
        frame = pd.read_csv(FIXTURES / "sst5" / "train.csv").rename(columns={"sentence": "text"})
        frame.loc[3, "text"] = "   "  # an empty text: dropped by both engines with drop_empty
        path = tmp_path / "reviews.parquet"
        frame.to_parquet(path)
        source = corpus.DataSource(path=str(path), test_size=0.3, drop_empty=True)
    data = read_spark_data(spark, source, seed=0)
    local = _local_splits(source)
    assert data.splits.fingerprint == local.fingerprint
    assert data.splits.classes == local.classes
    assert data.splits.X_test == local.X_test
    assert np.array_equal(data.splits.y_train, local.y_train) and np.array_equal(data.splits.y_test, local.y_test)
    assert data.corpus.notes == source.load(seed=0).notes


def test_bad_tables_are_refused_as_by_the_local_reader(spark, tmp_path):
    frame = pd.DataFrame({"review": ["a fine film", "", "dull", "great fun", "awful", "lovely"] * 3,
                          "label": ["pos", "neg", "neg", "pos", "neg", "pos"] * 3})
    path = tmp_path / "reviews.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(corpus.DataError, match="has no column 'text'.*'review'"):
        read_spark_data(spark, corpus.DataSource(path=str(path)))
    with pytest.raises(corpus.DataError, match="3 empty or missing text"):
        read_spark_data(spark, corpus.DataSource(path=str(path), text_column="review"))
    numbers = tmp_path / "numbers.parquet"
    pd.DataFrame({"text": [1, 2, 3, 4], "label": [0, 1, 0, 1]}).to_parquet(numbers)
    with pytest.raises(corpus.DataError, match="not strings"):
        read_spark_data(spark, corpus.DataSource(path=str(numbers)))
    with pytest.raises(corpus.DataError, match="cannot be read"):
        read_spark_data(spark, corpus.DataSource(path=str(tmp_path / "missing.parquet")))


@pytest.mark.parametrize("source", [EXCERPT, TREC], ids=["imdb-excerpt", "trec-six-classes"])
def test_baselines_on_spark_against_their_local_twins(spark, source):
    config = RunConfig(models=("naive_bayes", "linear_svm", "nbsvm"), stopwords=("minimal",), out=None,
                       data=source, n_resamples=0, save_models=False)
    spark_run = run_comparison(config, engine=SparkEngine(session=spark)).by_list["minimal"]

    local_run = run_comparison(config).by_list["minimal"]
    spark_results = {r.name: r for r in spark_run}
    for local in local_run:
        twin = spark_results[local.name]
        assert twin.status == "ok", twin.error
        agreement = np.mean(twin.predictions == local.predictions)
        if local.name == "naive_bayes":  # the same counts and smoothing: the same log odds
            np.testing.assert_allclose(twin.scores, local.scores, rtol=1e-7, atol=1e-7)
            np.testing.assert_allclose(twin.probabilities, local.probabilities, atol=1e-9)
        else:  # liblinear's objective minimised by its Newton method on Spark, and by its dual solver here
            # (NBSVM's local tolerance is liblinear's loose 0.1): the same margins to a few parts in a thousand
            assert agreement >= 0.975, (local.name, agreement)
            assert np.corrcoef(np.ravel(twin.scores), np.ravel(local.scores))[0, 1] > 0.99


def test_weighed_classes_on_spark_are_the_local_engines(spark, tmp_path):
    """``class_weight="balanced"`` on six uneven classes: Naive Bayes' equal priors and liblinear's per-class C."""
    questions = pd.concat([pd.read_json(FIXTURES / "trec" / f"{part}.jsonl", lines=True) for part in ("train", "test")])
    classes = sorted(set(questions["coarse"]))
    uneven = pd.concat([questions[questions["coarse"] == label].head(size)
                        for label, size in zip(classes, (28, 24, 20, 16, 12, 10))])
    uneven.to_csv(tmp_path / "questions.csv", index=False)
    source = corpus.DataSource(path=str(tmp_path / "questions.csv"), text_column="question", label_column="coarse",
                               test_size=0.3)

    def run(engine, class_weight):
        settings = {name: {"class_weight": class_weight} for name in ("naive_bayes", "linear_svm", "nbsvm")}
        settings["nbsvm"]["loss"] = "logistic"  # liblinear's dual solves it tightly at NBSVM's tolerance of 0.1
        config = RunConfig(models=("naive_bayes", "linear_svm", "nbsvm"), stopwords=("minimal",), out=None,
                           data=source, n_resamples=0, save_models=False, settings=settings)
        return {r.name: r for r in run_comparison(config, engine=engine).by_list["minimal"]}

    weighed, local, plain = run(SparkEngine(session=spark), "balanced"), run(None, "balanced"), run(None, None)
    np.testing.assert_allclose(weighed["naive_bayes"].scores, local["naive_bayes"].scores, rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(weighed["naive_bayes"].probabilities, local["naive_bayes"].probabilities, atol=1e-9)
    assert not np.allclose(local["naive_bayes"].scores, plain["naive_bayes"].scores, atol=1e-3)
    for name in ("linear_svm", "nbsvm"):
        assert weighed[name].status == "ok", weighed[name].error
        ours, theirs, unweighed = (np.ravel(run_[name].scores) for run_ in (weighed, local, plain))
        assert np.linalg.norm(ours - theirs) < 0.2 * np.linalg.norm(ours - unweighed), name


@pytest.mark.parametrize("class_weight", [None, "balanced"])
def test_hashed_naive_bayes_on_spark_is_the_local_engines(spark, class_weight):
    """Six classes of questions in 2^18 columns, most of them empty: Spark smooths them all, the local model only
    the filled ones, and the scores say which of the two the Spark engine fits."""
    settings = {"naive_bayes": {"hash_bits": 18, "class_weight": class_weight}}
    config = RunConfig(models=("naive_bayes",), stopwords=("minimal",), out=None, data=TREC, n_resamples=0,
                       save_models=False, settings=settings)
    (ours,), (theirs,) = (run_comparison(config, engine=engine).by_list["minimal"]
                          for engine in (SparkEngine(session=spark), None))
    assert ours.status == "ok", ours.error
    np.testing.assert_allclose(ours.scores, theirs.scores, rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(ours.probabilities, theirs.probabilities, atol=1e-9)
    assert ours.predictions.tolist() == theirs.predictions.tolist()
    if class_weight is None:  # no smoothing: Spark scores an empty column log(0), which the local model does not
        unsmoothed_config = RunConfig(models=("naive_bayes",), stopwords=("minimal",), out=None, data=TREC,
                                      n_resamples=0, save_models=False,
                                      settings={"naive_bayes": {"hash_bits": 18, "alpha": 0.0}})
        (unsmoothed,) = run_comparison(unsmoothed_config, engine=SparkEngine(session=spark)).by_list["minimal"]
        assert unsmoothed.status == "failed" and "alpha must be above 0 with hash_bits" in unsmoothed.error


def test_compare_engine_spark_writes_the_report(tmp_path, spark):
    out = tmp_path / "report"
    status = compare.main(["--engine", "spark", "--data", str(FIXTURES / "aclImdb"), "--excerpt", "--out", str(out),
                           "--models", "naive_bayes,nbsvm", "--bootstrap", "0", "--quiet", "--stopwords",
                           "minimal,none", "--set", "nbsvm.beta=0.5", "--spark-driver-memory", "2g", "--spark-solver",
                           "lbfgs"])
    assert status == 0
    results = json.loads((out / "results.json").read_text())
    provenance = results["provenance"]
    assert provenance["engine"]["engine"] == "spark" and provenance["engine"]["master"] == "local[2]"
    assert provenance["engine"]["linear_models"].startswith("Spark LinearSVC")
    assert provenance["fingerprints"]["minimal"] == _local_splits(EXCERPT).fingerprint
    assert provenance["model_settings"]["nbsvm"]["beta"] == 0.5
    assert {(r["model"], r["stopwords"]) for r in results["results"]} == {
        (m, s) for m in ("naive_bayes", "nbsvm") for s in ("minimal", "none")}
    report = (out / "report.md").read_text()
    assert '"engine": "spark"' in report and "## Stopword ablation" in report
    assert "Engine: Apache Spark" in report and "Linear models: Spark LinearSVC" in report
    assert "validation (set aside: the spark engine reads none of it)" in report
    assert "| not saved |" in report and "models/NAME" not in report
    assert "the SVMs' margins are not calibrated" in report
    predictions = pd.read_csv(out / "predictions.csv")
    assert len(predictions) == 80 and {"nbsvm_prediction", "naive_bayes_probability_1"} <= set(predictions.columns)
    assert not (out / "models").exists()


@pytest.mark.parametrize(("options", "message"), [
    (["--engine", "spark", "--models", "nbsvm,lstm"], "leave out lstm"),
    (["--engine", "spark", "--tune"], "does not take --tune"),
    (["--engine", "spark", "--group-column", "movie"], "does not take --group-column"),
    (["--engine", "spark", "--save-models"], "does not take --save-models"),
    (["--engine", "spark", "--set", "nbsvm.class_weight=balanced", "--spark-solver", "lbfgs"],
     "--spark-solver lbfgs does not take --set nbsvm.class_weight"),
    (["--engine", "spark", "--class-weight", "balanced", "--spark-solver", "lbfgs"],
     "--spark-solver lbfgs does not take --class-weight: Spark's L-BFGS fits have no per-class C"),
    (["--engine", "spark", "--spark-conf", "spark.executor.memory"], "KEY=VALUE"),
    (["--spark-conf", "spark.executor.memory=2g"], "need --engine spark"),
    (["--spark-driver-memory", "2g"], "need --engine spark"),
    (["--spark-solver", "lbfgs"], "need --engine spark"),
])
def test_compare_refuses_what_the_spark_engine_does_not_do(options, message, capsys):
    with pytest.raises(SystemExit) as stop:
        compare.main(options)
    assert stop.value.code == 2
    assert message in capsys.readouterr().err
    if "--group-column" in options:  # so its report's hints point at the engines that keep groups
        assert SparkEngine.keeps_groups is False


def test_the_local_engine_never_imports_pyspark(tmp_path):
    script = ("import sys, compare\n"
              f"status = compare.main(['--data', {str(FIXTURES / 'aclImdb')!r}, '--excerpt', '--models', "
              f"'naive_bayes', '--out', {str(tmp_path / 'r')!r}, '--bootstrap', '0', '--quiet'])\n"
              "assert status == 0, status\n"
              "spark = [m for m in sys.modules if m.startswith(('pyspark', 'imdb_baselines.run.spark'))]\n"
              "assert not spark, 'pyspark imported'\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPOSITORY, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_model_out_of_jvm_memory_is_reported_with_the_setting_to_raise(tmp_path, spark, monkeypatch):
    from imdb_baselines.run.spark import models

    def out_of_memory(self, frame, **options):
        raise RuntimeError("An error occurred while calling o412.fit.\n: java.lang.OutOfMemoryError: Java heap space")

    monkeypatch.setattr(models.SparkModel, "fit", out_of_memory)
    config = RunConfig(models=("naive_bayes",), stopwords=("minimal",), out=tmp_path / "r", data=EXCERPT,
                       n_resamples=0, save_models=False)
    run = run_comparison(config, engine=SparkEngine(session=spark))
    (result,) = run.by_list["minimal"]
    assert result.status == "failed" and "--spark-driver-memory" in result.error and "min_df" in result.error
    assert "naive_bayes" in (tmp_path / "r" / "report.md").read_text()


def test_newton_blocks_hold_each_partitions_rows_with_a_bias_column(spark):
    from pyspark.ml.linalg import DenseVector, SparseVector

    from imdb_baselines.run.spark.newton import to_blocks

    frame = spark.createDataFrame([(SparseVector(4, [1, 3], [2.0, 1.0]), 1), (DenseVector([0.0, 0.5, 0.0, 0.0]), 0),
                                   (SparseVector(4, [], []), 2)], ["features", "y"]).coalesce(1)
    blocks = to_blocks(frame, "features")
    try:
        ((matrix, labels),) = blocks.collect()
    finally:
        blocks.unpersist()
    assert matrix.toarray().tolist() == [[0, 2, 0, 1, 1], [0, 0.5, 0, 0, 1], [0, 0, 0, 0, 1]]
    assert labels.tolist() == [1, 0, 2]


def test_hashed_ngrams_on_spark_are_the_local_vectorizers_columns(spark):
    """Review by review, the same columns and counts (the models on them: the local-cluster test below)."""
    from baselines import NgramVectorizer
    from imdb_baselines.run.spark.preparation import HashedCounts

    data = read_spark_data(spark, EXCERPT, stopwords="minimal")
    local = _local_splits(EXCERPT)
    tokens = add_tokens(data.frame.where("split = 'test'"), "minimal")
    rows = HashedCounts((1, 3), 18, False, "counts").transform(tokens).select("key", "counts").toPandas()
    by_key = dict(zip(rows["key"], rows["counts"]))
    expected = NgramVectorizer(ngram_range=(1, 3), stopwords="minimal", hash_bits=18).fit(local.X_train) \
        .transform(local.X_test)
    for row, key in enumerate(local.keys["test"]):
        vector = by_key[key]
        assert vector.size == 1 << 18
        start, stop = expected.indptr[row], expected.indptr[row + 1]
        assert vector.indices.tolist() == expected.indices[start:stop].tolist()
        assert vector.values.tolist() == expected.data[start:stop].tolist()


_CLUSTER_RUN = """
import json, sys
from imdb_baselines.comparison import run_comparison
from imdb_baselines.run.spark import SparkEngine, SparkOptions
from imdb_baselines.run.spark.session import spark_session
from tests.test_spark import EXCERPT, _cluster_config

session = spark_session(SparkOptions(master="local-cluster[2,1,1024]", driver_memory="1g"))
try:
    def where(_):
        import os
        import imdb_baselines
        yield imdb_baselines.__file__, os.getpid()
    places = session.sparkContext.parallelize(range(4), 4).mapPartitions(where).collect()
    run = run_comparison(_cluster_config(), engine=SparkEngine(session=session)).by_list["minimal"]
    json.dump({"places": places, "executors": session.sparkContext._jsc.sc().getExecutorMemoryStatus().size(),
               "results": {r.name: {"status": r.status, "accuracy": r.metrics.get("accuracy"),
                                    "predictions": [int(p) for p in r.predictions]} for r in run}},
              open(sys.argv[1], "w"))
finally:
    session.stop()
"""


def _cluster_config() -> RunConfig:
    return RunConfig(models=("naive_bayes",), stopwords=("minimal",), out=None, data=EXCERPT, n_resamples=0,
                     save_models=False, settings={"naive_bayes": {"hash_bits": 18}})


def test_executors_in_their_own_processes_import_the_shipped_package_and_agree_with_local_mode(spark, tmp_path):
    """local-cluster: two executor JVMs with Python workers of their own, started as a cluster manager would."""
    out, home = tmp_path / "cluster.json", tmp_path / "home"
    env = {**os.environ, "IMDB_BASELINES_HOME": str(home), "PYTHONPATH": str(REPOSITORY)}
    subprocess.run([sys.executable, "-c", _CLUSTER_RUN, str(out)], cwd=REPOSITORY, env=env, check=True, timeout=600)
    cluster = json.loads(out.read_text())
    (archive,) = (home / "spark").glob("imdb_baselines-*.zip")
    assert cluster["executors"] == 3  # the driver and two executors
    assert all(path.startswith(f"./{archive.name}/imdb_baselines/") for path, _ in cluster["places"])
    assert len({pid for _, pid in cluster["places"]}) >= 2
    local = {r.name: r for r in run_comparison(_cluster_config(), engine=SparkEngine(session=spark))
             .by_list["minimal"]}
    engine = {r.name: r for r in run_comparison(_cluster_config()).by_list["minimal"]}  # the local engine's twin
    for name, result in cluster["results"].items():
        assert result["status"] == "ok"
        assert result["accuracy"] == local[name].metrics["accuracy"] == engine[name].metrics["accuracy"], name
        assert result["predictions"] == local[name].predictions.tolist() == engine[name].predictions.tolist()
