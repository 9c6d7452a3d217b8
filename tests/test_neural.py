import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from imdb_baselines.catalog import is_neural, make_model, model_names, uses_unlabelled
from imdb_baselines.storage import TargetError
from neural import KerasTextClassifier, build_lstm, plot_history
from tests.conftest import FIXTURE_ROOT

NEURAL_MODELS = [name for name in model_names() if is_neural(name)]

TINY = {"num_words": 300, "maxlen": 40, "embedding_dim": 8, "epochs": 1, "batch_size": 16, "verbose": 0}


@pytest.fixture(scope="module")
def data(fixture_corpus):
    train, test = fixture_corpus.train, fixture_corpus.test
    return train["text"].tolist(), train["label"].to_numpy(), test["text"].tolist()


@pytest.fixture(scope="module")
def fitted(data):
    X, y, _ = data
    return KerasTextClassifier(**TINY).fit(X, y)


def test_faithful_builder_is_the_tutorials_model():
    """The estimator's defaults (the one place the tutorial's sizes are written) and the builder's own."""
    defaults = KerasTextClassifier().get_params()
    model = build_lstm(**{k: defaults[k] for k in ("num_words", "maxlen", "embedding_dim", "l2", "learning_rate",
                                                   "trainable_embeddings")}, n_classes=2)
    kinds = [(layer.__class__.__name__, layer.name) for layer in model.layers[1:]]
    assert [k for k, _ in kinds] == ["Embedding", "LSTM", "Dense", "Dropout", "Dense"]
    embedding, lstm, dense, dropout, output = model.layers[1:]
    assert (embedding.input_dim, embedding.output_dim, embedding.mask_zero) == (10_000, 128, False)
    assert (lstm.units, lstm.dropout, lstm.recurrent_dropout) == (64, 0.2, 0.2)
    assert (dense.units, dense.activation.__name__) == (64, "relu")
    assert dropout.rate == 0.5 and (output.units, output.activation.__name__) == (1, "sigmoid")
    assert model.input_shape == (None, 200)
    assert model.count_params() == 1_280_000 + 49_408 + 4_160 + 65
    assert model.optimizer.__class__.__name__ == "Adam" and model.loss == "binary_crossentropy"
    assert {k: defaults[k] for k in ("num_words", "maxlen", "padding", "truncating", "embedding_dim",
                                     "epochs", "batch_size")} == {
        "num_words": 10_000, "maxlen": 200, "padding": "post", "truncating": "post",
        "embedding_dim": 128, "epochs": 5, "batch_size": 64}


def test_fit_predict_shapes_and_probabilities(fitted, data):
    _, _, X_test = data
    proba = fitted.predict_proba(X_test)
    assert proba.shape == (80, 2) and np.all((proba >= 0) & (proba <= 1))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(fitted.predict(X_test)) <= {0, 1}
    scores = fitted.decision_function(X_test)
    assert np.array_equal(scores > 0, proba[:, 1] > 0.5)
    assert set(fitted.history_) >= {"loss", "accuracy", "val_loss", "val_accuracy", "epoch_time"}


def test_a_new_review_is_predicted_from_its_raw_text(fitted):
    proba = fitted.predict_proba(["This film was a wonderful surprise, I loved every minute."])
    assert proba.shape == (1, 2)


def test_same_seed_same_predictions(data):
    X, y, X_test = data
    first = KerasTextClassifier(**TINY, seed=7).fit(X, y).predict_proba(X_test)
    second = KerasTextClassifier(**TINY, seed=7).fit(X, y).predict_proba(X_test)
    np.testing.assert_allclose(first, second, rtol=0, atol=1e-6)


def test_validation_is_carved_from_training_texts_only(fitted, data):
    X, y, X_test = data
    val = fitted.validation_indices_
    assert len(val) == 8 and len(set(val)) == 8 and val.max() < len(X)
    assert y[val].sum() == 4  # stratified
    assert not {X[i] for i in val} & set(X_test)
    assert len(fitted.encoder_.word_index_) < len(set(" ".join(X).split()))  # fitted without val/test


def test_save_and_load_round_trip(fitted, data, tmp_path):
    _, _, X_test = data
    path = fitted.save(tmp_path / "model")
    assert sorted(p.name for p in path.iterdir()) == [".imdb-baselines", "model.keras", "state.json"]
    restored = KerasTextClassifier.load(path)
    np.testing.assert_allclose(restored.predict_proba(X_test), fitted.predict_proba(X_test), atol=1e-6)
    assert restored.get_params() == {**fitted.get_params(), "stopwords": restored.stopwords}
    with pytest.raises(FileNotFoundError, match="not a saved KerasTextClassifier"):
        KerasTextClassifier.load(tmp_path)


def test_not_fitted_and_bad_inputs(data):
    X, y, _ = data
    with pytest.raises(NotFittedError):
        KerasTextClassifier().predict(X[:2])
    with pytest.raises(TypeError, match="not a single string"):
        KerasTextClassifier(**TINY).fit("one review", [1])
    with pytest.raises(ValueError, match="needs at least two classes in y; got 1 class"):
        KerasTextClassifier(**TINY).fit(X[:4], [1, 1, 1, 1])
    with pytest.raises(ValueError, match="'model' parameter of KerasTextClassifier must be one of"):
        KerasTextClassifier(model="transformer").fit(X, y)
    with pytest.raises(ValueError, match="'dropout' parameter"):
        KerasTextClassifier(dropout=1.5).fit(X, y)


@pytest.mark.parametrize("name", sorted(NEURAL_MODELS))
def test_every_variant_trains_on_real_text(data, fixture_corpus, name):
    X, y, X_test = data
    clf = make_model(name, settings={**TINY, "early_stopping": False})
    if uses_unlabelled(name):
        with pytest.raises(ValueError, match="from unlabelled texts, which only IMDB provides"):
            clone(clf).fit(X, y)
        clf.fit(X, y, unlabelled=fixture_corpus.unsup["text"].tolist())
        assert (clf.word_vectors_ or clf.region_vectors_[0]).endswith(".txt")
    else:
        clf.fit(X, y)
    assert clf.predict_proba(X_test).shape == (80, 2)
    assert clone(clf).get_params() == clf.get_params()


def test_fasttext_appends_bigram_ids(data):
    X, y, _ = data
    clf = make_model("fasttext", settings=TINY).fit(X, y)
    assert clf.ngram_indexer_.input_dim > clf.encoder_.vocabulary_size
    assert clf.model_.get_layer("embedding").input_dim == clf.ngram_indexer_.input_dim


def test_pretrained_vectors_initialise_the_embedding(data, tmp_path):
    X, y, _ = data
    vectors = tmp_path / "vectors.txt"
    vectors.write_text("2 8\nmovie " + " ".join(["0.5"] * 8) + "\nfilm " + " ".join(["-0.5"] * 8) + "\n",
                       encoding="utf-8")
    clf = KerasTextClassifier(**{**TINY, "epochs": 1}, embeddings=str(vectors), trainable_embeddings=False)
    clf.fit(X, y)
    weights = clf.model_.get_layer("embedding").get_weights()[0]
    row = clf.encoder_.word_index_["movie"] + 3
    np.testing.assert_allclose(weights[row], 0.5)
    assert "Constant" not in clf.model_.to_json()  # the vectors are weights, not a matrix in the saved configuration
    with pytest.raises(ValueError, match="Set embedding_dim=8"):
        KerasTextClassifier(**{**TINY, "embedding_dim": 16}, embeddings=str(vectors)).fit(X, y)


def test_word2vec_on_unlabelled_reviews(fixture_corpus, data, tmp_path):
    pytest.importorskip("gensim")
    from neural import train_word2vec

    X, y, _ = data
    path = train_word2vec(fixture_corpus.unsup["text"], tmp_path / "w2v.txt", vector_size=8, min_count=2,
                          epochs=2, workers=1)
    header = path.read_text(encoding="utf-8").splitlines()[0].split()
    assert int(header[1]) == 8 and int(header[0]) > 50
    clf = KerasTextClassifier(**TINY, embeddings=str(path)).fit(X, y)
    assert clf.predict_proba(X[:3]).shape == (3, 2)


def test_training_curves_png(fitted, tmp_path):
    path = plot_history(fitted.history_, tmp_path / "curves.png", title="lstm")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000
    with pytest.raises(ValueError, match="history lacks"):
        plot_history({"loss": [1.0]}, tmp_path / "x.png")


def test_save_never_deletes_user_files_and_keeps_the_old_model_on_failure(fitted, tmp_path, monkeypatch):
    mine = tmp_path / "thesis"
    mine.mkdir()
    (mine / "thesis.tex").write_text("\\documentclass{article}", encoding="utf-8")
    with pytest.raises(TargetError, match="did not write"):
        fitted.save(mine)
    assert [p.name for p in mine.iterdir()] == ["thesis.tex"]
    with pytest.raises(TargetError, match="is a file"):
        fitted.save(mine / "thesis.tex")

    path = fitted.save(tmp_path / "model")
    before = (path / "state.json").read_bytes()
    path = fitted.save(path)  # its own earlier save is replaced
    assert (path / "state.json").read_bytes() == before

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("imdb_baselines.storage.folders.exchange", disk_full)
    with pytest.raises(OSError, match="No space left"):
        fitted.save(path)
    assert (path / "state.json").read_bytes() == before and KerasTextClassifier.load(path).classes_.tolist() == [0, 1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model", "thesis"]


def test_validation_labels_outside_the_training_classes_are_refused(data):
    X, y, _ = data
    labels = np.where(y == 1, "pos", "neg")
    with pytest.raises(ValueError, match=r"not among the training classes \['neg', 'pos'\]: \['positive'\]"):
        KerasTextClassifier(**TINY).fit(X[:60], labels[:60], validation_data=(X[60:], np.where(
            y[60:] == 1, "positive", "negative")))
    with pytest.raises(ValueError, match="pair"):
        KerasTextClassifier(**TINY).fit(X, y, validation_data=X)


def test_more_than_two_classes_end_in_a_softmax_and_short_texts_get_a_short_maxlen(caplog):
    import logging

    from imdb_baselines import corpus
    from tests.conftest import FIXTURES

    trec = corpus.load_texts(FIXTURES / "trec" / "train.jsonl", test=FIXTURES / "trec" / "test.jsonl",
                             text_column="question", label_column="coarse")
    clf = make_model("cnn", settings={"epochs": 2, "batch_size": 16, "verbose": 0, "validation_size": 0.0})
    with caplog.at_level(logging.INFO, logger="neural.training"):
        clf.fit(trec.train["text"], trec.train["label"])
    assert f"maxlen {clf.maxlen_}: the 0.99 quantile of the training sequences' lengths, shorter than the " \
           f"setting's {clf.maxlen}" in caplog.messages
    output = clf.model_.get_layer("output")
    assert output.units == 6 and output.activation.__name__ == "softmax"
    lengths = [len(s) for s in clf.encoder_.transform(trec.train["text"].tolist())]
    assert clf.maxlen_ == int(np.ceil(np.quantile(lengths, 0.99))) < 40 < clf.maxlen
    proba = clf.predict_proba(trec.test["text"])
    assert proba.shape == (48, 6) and np.allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    assert clf.predict(trec.test["text"]).tolist() == clf.classes_[proba.argmax(axis=1)].tolist()
    assert set(clf.classes_) == {"ABBR", "DESC", "ENTY", "HUM", "LOC", "NUM"}


def test_two_classes_keep_the_tutorials_sigmoid(fitted):
    output = fitted.model_.get_layer("output")
    assert output.units == 1 and output.activation.__name__ == "sigmoid" and fitted.maxlen_ == fitted.maxlen


def test_every_builder_setting_is_an_estimator_parameter(data):
    X, y, _ = data
    clf = KerasTextClassifier(model="cnn", filters=16, kernel_size=3, dense_units=8, **TINY)
    assert {"units", "dense_units", "filters", "kernel_size", "recurrent_dropout", "lstm_dropout"} <= set(
        clf.get_params())
    assert clone(clf).get_params()["filters"] == 16
    layers = {layer.name: layer for layer in clf.fit(X, y).model_.layers}
    convolution = next(layer for layer in layers.values() if layer.__class__.__name__ == "Conv1D")
    assert convolution.filters == 16 and convolution.kernel_size == (3,)
    lstm = KerasTextClassifier(units=8, recurrent_dropout=0.0, **TINY).fit(X, y)
    recurrent = next(layer for layer in lstm.model_.layers if layer.__class__.__name__ == "LSTM")
    assert recurrent.units == 8 and recurrent.recurrent_dropout == 0.0
    assert KerasTextClassifier().get_params()["units"] is None  # the faithful tutorial model is untouched
    with pytest.raises(ValueError, match=r"'filters' parameter .* must be None for model='lstm' \(it is a "
                                         r"setting of cnn, region_cnn\)"):
        KerasTextClassifier(filters=3, **TINY).fit(X, y)
    with pytest.raises(ValueError, match=r"'units' parameter .* must be an int in \[1, 100,000\] or None"):
        KerasTextClassifier(units=0, **TINY).fit(X, y)


def test_word_vectors_never_land_in_fasttexts_ngram_rows():
    from neural import embedding_matrix

    vectors = {w: np.full(3, float(i + 1), dtype=np.float32) for i, w in enumerate(["good", "bad", "rare"])}
    word_index = {"good": 1, "bad": 2, "rare": 3}  # with index_from=3: rows 4, 5, 6
    matrix, coverage = embedding_matrix(vectors, word_index, num_words=10, word_rows=6)
    assert (matrix[4] == 1).all() and (matrix[5] == 2).all()
    assert not (matrix[6] == 3).all()  # "rare" is out of a 6-row vocabulary: row 6 is an n-gram id's
    assert coverage == 1.0 and (matrix[0] == 0).all()


def test_a_keras_model_shows_its_progress_on_standard_error_only(tmp_path):
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, str(root / "compare.py"), "--data", str(FIXTURE_ROOT), "--excerpt",
                           "--models", "naive_bayes,fasttext", "--epochs", "2", "--bootstrap", "0", "--out",
                           str(tmp_path / "report")], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 0, done.stderr
    assert "Epoch" not in done.stdout and "epoch" not in done.stdout  # standard output: the results alone
    assert done.stdout.lstrip().splitlines()[0].split()[0] == "accuracy"
    epochs = [line for line in done.stderr.splitlines() if " epoch " in line]
    assert [line.split(" epoch ")[1].split(":")[0] for line in epochs] == ["1/2", "2/2"]
    assert "loss" in epochs[0] and "val_accuracy" in epochs[0]


def test_learning_a_region_embedding_on_another_keras_backend_is_refused_before_anything_is_written(
        fixture_corpus, monkeypatch, tmp_path):
    import neural.backend
    from neural.region_pretraining import learn_region_vectors

    monkeypatch.setattr(neural.backend, "keras_backend", lambda: "jax")
    with pytest.raises(RuntimeError, match="needs Keras's TensorFlow backend; it runs on 'jax'"):
        learn_region_vectors(fixture_corpus.unsup["text"].tolist(), tmp_path / "regions.txt", dimensions=8)
    assert list(tmp_path.iterdir()) == []


def test_a_region_embedding_learned_without_labels_is_the_cnns_frozen_extra_input(fixture_corpus, data, tmp_path):
    from neural.region_pretraining import learn_region_vectors

    X, y, X_test = data
    unlabelled = fixture_corpus.unsup["text"].tolist()
    first = learn_region_vectors(unlabelled, tmp_path / "a.txt", stopwords="minimal", dimensions=8, epochs=2)
    again = learn_region_vectors(unlabelled, tmp_path / "b.txt", stopwords="minimal", dimensions=8, epochs=2)
    assert first.read_bytes() == again.read_bytes()  # the same seed, the same embedding
    with pytest.raises(FileExistsError):
        learn_region_vectors(unlabelled, first, stopwords="minimal")
    lines = first.read_text(encoding="utf-8").splitlines()
    assert lines[0].split()[1] == "8" and int(lines[0].split()[0]) == len(lines) - 1 > 500
    clf = KerasTextClassifier(**{**TINY, "epochs": 1}, model="region_cnn", filters=16,
                              region_embeddings=str(first)).fit(X, y)
    frozen = clf.model_.get_layer("unlabelled_embedding")
    assert not frozen.trainable
    vectors = {line.split()[0]: np.asarray(line.split()[1:], dtype=np.float32) for line in lines[1:]}
    row = clf.encoder_.word_index_["movie"] + 3
    np.testing.assert_allclose(frozen.get_weights()[0][row], vectors["movie"])
    assert clf.predict_proba(X_test).shape == (80, 2)
    with pytest.raises(ValueError, match="'region_embeddings' parameter of KerasTextClassifier must be None for "
                                         "model='fasttext'"):
        KerasTextClassifier(**TINY, model="fasttext", region_embeddings=str(first)).fit(X, y)
    unknown = tmp_path / "unknown.txt"
    unknown.write_text("1 8\nzzzqqq " + " ".join(["0.5"] * 8) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="None of the vocabulary's words has a vector in"):
        KerasTextClassifier(**TINY, model="region_cnn", region_embeddings=str(unknown)).fit(X, y)
    with pytest.raises(ValueError, match="word vectors \\(embeddings=...\\) do not fit it"):
        KerasTextClassifier(**TINY, model="region_cnn", embeddings=str(first)).fit(X, y)
    with pytest.raises(ValueError, match="'region_sizes' parameter of KerasTextClassifier must be one size for a "
                                         "region embedding read from a file"):
        KerasTextClassifier(**TINY, model="region_cnn", region_embeddings=str(first), region_sizes=(5, 3)).fit(X, y)


def test_the_cnn_reads_one_region_embedding_learned_for_each_region_size(fixture_corpus, data, tmp_path, monkeypatch):
    from neural.pretraining import unlabelled_region_vectors
    from neural.region_pretraining import REGION_SETTINGS

    X, y, X_test = data
    unlabelled = fixture_corpus.unsup["text"].tolist()
    monkeypatch.setitem(REGION_SETTINGS, "dimensions", 8)  # small and quick; a cache entry of its own
    monkeypatch.setenv("IMDB_BASELINES_HOME", str(tmp_path))
    clf = KerasTextClassifier(**{**TINY, "epochs": 1}, model="region_cnn", filters=16, stopwords="minimal",
                              validation_size=0.0, region_embeddings="unlabelled",
                              region_sizes=(5, 3)).fit(X, y, unlabelled=unlabelled)
    assert len(clf.region_vectors_) == 2 and all(path.startswith(str(tmp_path)) for path in clf.region_vectors_)
    assert clf.region_vectors_[0] == str(unlabelled_region_vectors("test", unlabelled, X, stopwords="minimal"))
    assert clf.region_vectors_[1] == str(unlabelled_region_vectors("test", unlabelled, X, stopwords="minimal",
                                                                   region_size=3))
    three = [line.split()[0] for line in open(clf.region_vectors_[1], encoding="utf-8")][1:]
    assert "movie" in three
    for layer in ("unlabelled_embedding", "unlabelled_2_embedding"):
        assert not clf.model_.get_layer(layer).trainable
    window = {layer.name: tuple(layer.pool_size) for layer in clf.model_.layers if layer.name.endswith("_window")}
    assert window == {"region_window": (3,), "unlabelled_window": (5,), "unlabelled_2_window": (3,)}
    restored = KerasTextClassifier.load(clf.save(tmp_path / "model"))
    assert restored.get_params() == {**clf.get_params(), "stopwords": restored.stopwords}  # tuples stay tuples
    assert restored.region_vectors_ == clf.region_vectors_
    np.testing.assert_allclose(restored.predict_proba(X_test), clf.predict_proba(X_test), rtol=1e-6)
    for bad in ((), (5, 5), (0,), 5, [[5]], (5, True)):
        with pytest.raises(ValueError, match="'region_sizes' parameter of KerasTextClassifier must be a tuple of "
                                             "different ints"):
            clone(clf).set_params(region_sizes=bad).fit(X, y, unlabelled=unlabelled)
    with pytest.raises(ValueError, match="'region_sizes' parameter of KerasTextClassifier must be None without "
                                         "region_embeddings"):
        KerasTextClassifier(**TINY, model="region_cnn", region_sizes=(3,)).fit(X, y)


def test_a_regions_sum_is_its_words_and_stops_at_the_ends():
    import keras

    from neural.region_cnn import region_sums

    vectors = keras.Input(shape=(5, 1))
    model = keras.Model(vectors, region_sums(vectors, 3, "test"))
    sums = model.predict(np.arange(1, 6, dtype="float32").reshape(1, 5, 1), verbose=0).ravel()
    np.testing.assert_allclose(sums, [1 + 2, 1 + 2 + 3, 2 + 3 + 4, 3 + 4 + 5, 4 + 5])
