"""The chunked engine: tables read a chunk at a time, split as the local engine, the baselines fitted from chunks."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.svm import LinearSVC

from baselines.nbsvm import NBSVMClassifier
from imdb_baselines import corpus
from imdb_baselines.catalog import make_model
from imdb_baselines.cli import compare
from imdb_baselines.comparison import run_comparison
from imdb_baselines.modelfiles import load_model
from imdb_baselines.options import CompareOptions
from imdb_baselines.run.chunked import ChunkedEngine, fitting, tables
from imdb_baselines.run.chunked.fitting import ChunkedFit, chunked_fit
from imdb_baselines.run.chunked.tables import read_chunked
from imdb_baselines.run.results import RunConfig

FIXTURES = Path(__file__).parent / "fixtures"
EXCERPT = corpus.DataSource(path=str(FIXTURES / "aclImdb"), excerpt=True)
TREC = corpus.DataSource(path=str(FIXTURES / "trec" / "train.jsonl"), test=str(FIXTURES / "trec" / "test.jsonl"),
                         text_column="question", label_column="coarse")
HASHED = {"naive_bayes": {"hash_bits": 20}, "linear_svm": {"hash_bits": 20}, "nbsvm": {"hash_bits": 20}}


@pytest.fixture(scope="module")
def reviews():
    """The IMDB excerpt's split, with its training texts cut into chunks of 13 reviews."""
    splits = corpus.make_splits(EXCERPT.load(seed=0), validation_size=0.1, seed=0, stopwords="minimal")
    return splits


def _chunks(texts, labels, size=13):
    labels = np.asarray(labels)
    return ((texts[start:start + size], labels[start:start + size]) for start in range(0, len(texts), size))


def _local_splits(source: corpus.DataSource, **options) -> corpus.Splits:
    return corpus.make_splits(source.load(seed=0), validation_size=0.1, seed=0, stopwords="minimal", **options)


def test_naive_bayes_from_chunks_is_the_local_fit(reviews):
    local = make_model("naive_bayes", stopwords="minimal", settings=HASHED["naive_bayes"])
    local.fit(reviews.X_train, reviews.y_train)
    chunked = chunked_fit(make_model("naive_bayes", stopwords="minimal", settings=HASHED["naive_bayes"]),
                          _chunks(reviews.X_train, reviews.y_train), reviews.classes)
    np.testing.assert_allclose(chunked.predict_proba(reviews.X_test), local.predict_proba(reviews.X_test), atol=1e-12)


@pytest.mark.parametrize("name", ["linear_svm", "nbsvm"])
def test_svms_from_chunks_minimise_liblinears_objective(reviews, name, tmp_path):
    """The TF-IDF weights and NBSVM's ratios are exact; the weights are liblinear's up to the solvers' tolerance."""
    local = make_model(name, stopwords="minimal", settings=HASHED[name]).fit(reviews.X_train, reviews.y_train)
    chunked = chunked_fit(make_model(name, stopwords="minimal", settings=HASHED[name]),
                          _chunks(reviews.X_train, reviews.y_train), reviews.classes, spool_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []  # the rows kept on disk are gone
    classifier = chunked.steps[-1][1]
    assert type(classifier) is type(local.steps[-1][1]) and isinstance(classifier, (LinearSVC, NBSVMClassifier))
    if name == "linear_svm":
        np.testing.assert_allclose(chunked.named_steps["tfidf"].idf_, local.named_steps["tfidf"].idf_, rtol=1e-12)
    else:
        np.testing.assert_allclose(classifier.r_, local.steps[-1][1].r_, rtol=1e-12)
    ours, theirs = chunked.decision_function(reviews.X_test), local.decision_function(reviews.X_test)
    assert np.mean(np.sign(ours) == np.sign(theirs)) >= 0.95
    assert np.corrcoef(ours, theirs)[0, 1] > 0.99
    accuracy = [np.mean(model.predict(reviews.X_test) == reviews.y_test) for model in (chunked, local)]
    assert abs(accuracy[0] - accuracy[1]) <= 0.05, accuracy


def test_more_classes_one_against_the_rest():
    data = TREC.load(seed=0)
    texts, labels = data.train["text"].tolist(), data.train["label"].to_numpy()
    classes = tuple(sorted(set(labels)))
    for name in ("naive_bayes", "linear_svm", "nbsvm"):
        model = chunked_fit(make_model(name, stopwords="minimal", settings=HASHED[name]), _chunks(texts, labels),
                            classes)
        assert tuple(model.classes_) == classes
        assert model.decision_function(data.test["text"].tolist()).shape == (len(data.test), len(classes))
        assert np.mean(model.predict(data.test["text"].tolist()) == data.test["label"].to_numpy()) > 0.4, name


@pytest.mark.parametrize("name, settings", [("linear_svm", {}), ("nbsvm", {"loss": "logistic"})])
def test_weighed_classes_from_chunks_are_the_local_fit(name, settings):
    """``class_weight="balanced"`` on six uneven classes of questions: liblinear's per-class C, not the plain fit."""
    questions = pd.concat([pd.read_json(FIXTURES / "trec" / f"{part}.jsonl", lines=True) for part in ("train", "test")])
    classes = sorted(set(questions["coarse"]))
    uneven = pd.concat([questions[questions["coarse"] == label].head(size)
                        for label, size in zip(classes, (28, 20, 12, 8, 5, 3))])
    texts, labels = uneven["question"].tolist(), uneven["coarse"].to_numpy()

    def local(class_weight):
        model = make_model(name, stopwords="minimal",
                           settings={**HASHED[name], **settings, "class_weight": class_weight})
        model.steps[-1][1].set_params(tol=1e-8, max_iter=1_000_000)  # liblinear solved to its minimum
        return model.fit(texts, labels).decision_function(questions["question"].tolist())

    chunked = chunked_fit(make_model(name, stopwords="minimal", settings={**HASHED[name], **settings,
                                                                          "class_weight": "balanced"}),
                          _chunks(texts, labels), classes).decision_function(questions["question"].tolist())
    weighed, plain = local("balanced"), local(None)
    assert np.linalg.norm(chunked - weighed) < 0.01 * np.linalg.norm(weighed)
    assert np.linalg.norm(chunked - plain) > 0.05 * np.linalg.norm(plain)


def test_a_vocabulary_is_refused_and_a_failed_fit_leaves_no_files(reviews, tmp_path):
    with pytest.raises(ValueError, match="hashed n-grams only"):
        ChunkedFit(make_model("nbsvm", stopwords="minimal"), reviews.classes)
    fit = ChunkedFit(make_model("nbsvm", stopwords="minimal", settings={"hash_bits": 18, "C": -1.0}),
                     reviews.classes, tmp_path)
    fit.add(fit.vectorizer.transform(reviews.X_train[:20]), np.asarray(reviews.y_train[:20]))
    with pytest.raises(ValueError, match="'C' parameter"):
        fit.finish()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", ["csv", "csv.gz", "jsonl", "parquet", "imdb"])
def test_tables_read_in_chunks_split_like_the_local_reader(tmp_path, kind, monkeypatch):
    monkeypatch.setattr(tables, "CHUNK_ROWS", 7)  # many chunks, and a last one that is not full
    if kind == "jsonl":
        source = TREC
    elif kind.startswith("csv"):
        path = FIXTURES / "sst5" / "train.csv"
        if kind == "csv.gz":
            path = tmp_path / "train.csv.gz"
            path.write_bytes(gzip.compress((FIXTURES / "sst5" / "train.csv").read_bytes()))
        source = corpus.DataSource(path=str(path), text_column="sentence", test_size=0.25)
    elif kind == "imdb":
        source = EXCERPT
    else:
        frame = pd.read_csv(FIXTURES / "sst5" / "train.csv").rename(columns={"sentence": "text"})
        frame.loc[3, "text"] = "   "  # an empty text: dropped by both engines with drop_empty
        path = tmp_path / "reviews.parquet"
        frame.to_parquet(path)
        source = corpus.DataSource(path=str(path), test_size=0.3, drop_empty=True)
    data = read_chunked(source, seed=0)
    local = _local_splits(source)
    assert data.splits.fingerprint == local.fingerprint
    assert data.splits.keys == local.keys and data.splits.classes == local.classes
    assert data.splits.X_test == local.X_test
    assert np.array_equal(data.splits.y_train, local.y_train)
    read = {0: [None] * len(local.X_train), 1: [None] * len(local.X_val)}
    for chunk in data.chunks((0, 1)):
        assert len(chunk.texts) <= 7
        for text, role, position in zip(chunk.texts, chunk.roles.tolist(), chunk.positions.tolist()):
            read[role][position] = text
    assert read[0] == local.X_train and read[1] == local.X_val
    assert data.corpus.notes == source.load(seed=0).notes


def test_groups_are_kept_whole_as_by_the_local_engine(tmp_path):
    frame = pd.read_csv(FIXTURES / "sst5" / "train.csv").rename(columns={"sentence": "text"})
    frame["author"] = [f"a{i % 17}" for i in range(len(frame))]
    path = tmp_path / "reviews.csv"
    frame.to_csv(path, index=False)
    source = corpus.DataSource(path=str(path), test_size=0.25, group_column="author")
    data = read_chunked(source, seed=0)
    local = _local_splits(source, group_column="author")
    assert data.splits.fingerprint == local.fingerprint
    assert data.splits.groups["train"].tolist() == local.groups["train"].tolist()


def test_bad_tables_are_refused_as_by_the_local_reader(tmp_path):
    frame = pd.DataFrame({"review": ["a fine film", "", "dull", "great fun", "awful", "lovely"] * 3,
                          "label": ["pos", "neg", "neg", "pos", "neg", "pos"] * 3})
    path = tmp_path / "reviews.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(corpus.DataError, match="has no column 'text'.*'review'"):
        read_chunked(corpus.DataSource(path=str(path)))
    with pytest.raises(corpus.DataError, match="3 empty or missing text"):
        read_chunked(corpus.DataSource(path=str(path), text_column="review"))
    numbers = tmp_path / "numbers.parquet"
    pd.DataFrame({"text": [1, 2, 3, 4], "label": [0, 1, 0, 1]}).to_parquet(numbers)
    with pytest.raises(corpus.DataError, match="not strings"):
        read_chunked(corpus.DataSource(path=str(numbers)))
    with pytest.raises(corpus.DataError, match="does not exist"):
        read_chunked(corpus.DataSource(path=str(tmp_path / "missing.parquet")))
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "fine", "label": 1}\n{"text": "oops"\n')
    with pytest.raises(corpus.DataError, match="line 2, is not valid JSON"):
        read_chunked(corpus.DataSource(path=str(broken)))


def test_the_engine_against_the_local_one_on_six_classes(monkeypatch):
    monkeypatch.setattr(tables, "CHUNK_ROWS", 25)
    config = RunConfig(models=("naive_bayes", "linear_svm", "nbsvm"), stopwords=("minimal",), out=None, data=TREC,
                       n_resamples=0, save_models=False, settings=HASHED)
    chunked = {r.name: r for r in run_comparison(config, engine=ChunkedEngine()).by_list["minimal"]}
    for local in run_comparison(config).by_list["minimal"]:
        twin = chunked[local.name]
        assert twin.status == "ok", twin.error
        if local.name == "naive_bayes":  # the same counts: the same posteriors
            np.testing.assert_allclose(twin.probabilities, local.probabilities, atol=1e-9)
        else:  # liblinear's objective, by Newton's method from disk and by liblinear's dual solver here
            assert np.mean(twin.predictions == local.predictions) >= 0.9, local.name
            assert twin.probabilities is None  # no validation texts read: the margins are not calibrated
        assert twin.top_features


def test_compare_engine_chunked_writes_the_report_and_keeps_models(tmp_path):
    out = tmp_path / "report"
    status = compare.main(["--engine", "chunked", "--data", str(FIXTURES / "aclImdb"), "--excerpt", "--out", str(out),
                           "--bootstrap", "0", "--quiet", "--stopwords", "minimal,none", "--set", "nbsvm.beta=0.5",
                           "--set", "linear_svm.hash_bits=18"])
    assert status == 0
    results = json.loads((out / "results.json").read_text())
    provenance = results["provenance"]
    assert provenance["engine"]["engine"] == "chunked"
    assert provenance["fingerprints"]["minimal"] == _local_splits(EXCERPT).fingerprint
    assert provenance["model_settings"]["naive_bayes"]["hash_bits"] == 24
    assert provenance["model_settings"]["nbsvm"]["hash_bits"] == 22
    assert provenance["model_settings"]["linear_svm"]["hash_bits"] == 18
    report = (out / "report.md").read_text()
    assert "Engine: chunked" in report and "Newton" in report
    assert "validation (set aside: the chunked engine reads none of it)" in report
    model = load_model(out / "models" / "nbsvm")
    assert model.named_steps["vectorizer"].hash_bits == 22 and model.steps[-1][1].beta == 0.5
    predictions = pd.read_csv(out / "predictions.csv")
    reloaded = model.predict(predictions["text"].tolist())
    assert (reloaded == predictions["nbsvm_prediction"].to_numpy()).all()


def test_options_of_the_chunked_engine():
    with pytest.raises(ValueError, match="--engine chunked runs naive_bayes, linear_svm, nbsvm; leave out fasttext"):
        CompareOptions(engine="chunked", models=("nbsvm", "fasttext")).checked()
    with pytest.raises(ValueError, match="does not take --tune"):
        CompareOptions(engine="chunked", models=("nbsvm",), tune=True).checked()
    weighed = CompareOptions(engine="chunked", class_weight="balanced").checked()
    assert all(weighed.settings[name]["class_weight"] == "balanced" for name in weighed.models)
    assert CompareOptions(engine="chunked", models=("linear_svm",),
                          settings=["linear_svm.class_weight=balanced"]).checked().settings["linear_svm"] == \
        {"class_weight": "balanced"}
    with pytest.raises(ValueError, match="need --engine spark"):
        CompareOptions(engine="chunked", spark_master="local[4]").checked()
    options = CompareOptions(engine="chunked").checked()
    assert options.models == ("naive_bayes", "linear_svm", "nbsvm") and options.save_models
    assert isinstance(options.make_engine(), ChunkedEngine)


def test_spool_files_are_its_own_and_go(tmp_path):
    spool = fitting.BlockSpool(tmp_path)
    matrix = make_model("nbsvm", settings={"hash_bits": 16}).named_steps["vectorizer"].fit_transform(
        ["a fine film", "a dull film"])
    spool.add(matrix, np.array([1, 0]))
    (block, labels), = list(spool)
    assert (block != matrix).nnz == 0 and labels.tolist() == [1, 0]
    assert spool.folder.parent == tmp_path and spool.folder.name.startswith("imdb-baselines-spool-")
    spool.close()
    assert not spool.folder.exists() and list(tmp_path.iterdir()) == []
