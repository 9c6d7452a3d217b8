import functools
import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import Pipeline

from baselines import (
    NgramVectorizer,
    make_linear_svm,
    make_naive_bayes,
    make_nbsvm,
    top_features,
)
from imdb_baselines.catalog import make_model, model_names, spec
from imdb_baselines.corpus import prepare

# Fixture test reviews every baseline must get right after training on the fixture:
# three clear pans ("third worst movie", "absolutely horrible", "bad. very bad")
# and three clear raves ("What a great movie!!", "Great comedy", "LOVED every minute").
CLEAR_NEGATIVE = [2968, 11314, 8984]
CLEAR_POSITIVE = [7563, 8091, 3236]

#: The catalogue's classical models, by name, each built as a comparison builds it.
BASELINES = {name: functools.partial(make_model, name) for name in model_names()
             if spec(name).kind in ("baseline", "ensemble")}


@pytest.fixture(scope="module")
def data(fixture_corpus):
    train, test = fixture_corpus.train, fixture_corpus.test
    clear = test.set_index("id").loc[CLEAR_NEGATIVE + CLEAR_POSITIVE]
    assert clear["label"].tolist() == [0, 0, 0, 1, 1, 1]
    return train["text"].tolist(), train["label"].to_numpy(), clear["text"].tolist(), test


@pytest.mark.parametrize("name", sorted(set(BASELINES) - {"ensemble"}))  # its stacker learns from 80 reviews here
def test_clear_real_reviews_are_classified_exactly(data, name):
    X, y, clear, test = data
    model = BASELINES[name]().fit(X, y)
    assert model.predict(clear).tolist() == [0, 0, 0, 1, 1, 1]
    accuracy = (model.predict(test["text"].tolist()) == test["label"].to_numpy()).mean()
    assert accuracy >= 0.7  # 80 training reviews only; chance is 0.5
    scores = model.decision_function(clear)
    assert np.all(scores[:3] < 0) and np.all(scores[3:] > 0)
    if hasattr(model, "predict_proba"):
        assert np.array_equal(model.predict_proba(clear)[:, 1] > 0.5, scores > 0)


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_same_data_gives_identical_predictions(data, name):
    X, y, _, test = data
    texts = test["text"].tolist()
    first = BASELINES[name]().fit(X, y)
    second = clone(first).fit(X, y)
    assert np.array_equal(first.predict(texts), second.predict(texts))
    assert np.array_equal(first.decision_function(texts), second.decision_function(texts))


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_pickle_round_trip(data, name):
    X, y, _, test = data
    model = BASELINES[name]().fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    texts = test["text"].tolist()
    assert np.array_equal(restored.predict(texts), model.predict(texts))


def test_params_reach_into_steps_and_clone_keeps_them():
    model = make_naive_bayes(alpha=0.5, stopwords="english")
    params = model.get_params()
    assert params["classifier__alpha"] == 0.5 and params["vectorizer__stopwords"] == "english"
    model.set_params(vectorizer__ngram_range=(1, 3), classifier__alpha=0.1)
    copy = clone(model)
    assert copy.get_params()["vectorizer__ngram_range"] == (1, 3)
    assert copy.named_steps["classifier"].alpha == 0.1


def test_cross_val_score_and_grid_search(data):
    X, y, _, _ = data
    scores = cross_val_score(make_linear_svm(), X, y, cv=3)
    assert scores.shape == (3,) and np.all((scores >= 0) & (scores <= 1))
    search = GridSearchCV(make_nbsvm(ngram_range=(1, 2)), {"classifier__C": [0.1, 1.0]}, cv=3)
    search.fit(X, y)
    assert search.best_params_["classifier__C"] in (0.1, 1.0)
    nested = Pipeline([("model", make_naive_bayes())]).fit(X, y)
    assert nested.predict(X[:2]).shape == (2,)


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_bad_inputs_get_clear_errors(data, name):
    X, y, _, _ = data
    model = BASELINES[name]()
    with pytest.raises(NotFittedError):
        model.predict(X[:2])
    with pytest.raises(TypeError, match="not a single string"):
        model.fit("one review", [1])
    with pytest.raises(ValueError, match="empty"):
        model.fit([], [])
    with pytest.raises(ValueError, match="class"):
        model.fit(X[:5], [1] * 5)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        model.fit(X[:5], y[:4])
    model.fit(X, y)
    with pytest.raises(TypeError, match="not a single string"):
        model.predict("one review")


def test_bad_parameters_are_named():
    with pytest.raises(ValueError, match="'ngram_range' parameter of NgramVectorizer"):
        make_naive_bayes(ngram_range=(2, 1)).fit(["a b", "c d"], [0, 1])
    with pytest.raises(ValueError, match="'beta' parameter of NBSVMClassifier must be a float in"):
        make_nbsvm(beta=2).fit(["a b c", "a b d"], [0, 1])
    with pytest.raises(ValueError, match="'loss' parameter"):
        make_nbsvm(loss="hinge").fit(["a b c", "a b d"], [0, 1])


def test_nbsvm_classifier_given_texts_names_the_pipeline_that_takes_them(data):
    """NBSVMClassifier reads n-gram counts (the last step of make_nbsvm); texts get a pointer, not numpy's
    'could not convert string to float'."""
    from baselines import NBSVMClassifier

    X, y, clear, _ = data
    for texts in (X, np.asarray(X, dtype=object), tuple(X)):
        with pytest.raises(TypeError, match=r"reads a matrix of n-gram counts, and was given texts .*: make_nbsvm\(\)"):
            NBSVMClassifier().fit(texts, y)
    vectorizer = NgramVectorizer().fit(X)
    classifier = NBSVMClassifier().fit(vectorizer.transform(X), y)
    with pytest.raises(TypeError, match="make_nbsvm"):
        classifier.predict(clear)
    assert classifier.predict(vectorizer.transform(clear)).tolist() == [0, 0, 0, 1, 1, 1]


def test_top_features_are_sentiment_words(data):
    X, y, _, _ = data
    for make in (make_naive_bayes, make_nbsvm, make_linear_svm):
        table = top_features(make().fit(X, y), n=100)  # of thousands of n-grams
        positive = table.loc[table.polarity == "positive", "feature"].tolist()
        negative = table.loc[table.polarity == "negative", "feature"].tolist()
        assert len(positive) == len(negative) == 100
        assert "great" in positive and "worst" in negative, make.__name__
        assert table.loc[table.polarity == "positive", "weight"].is_monotonic_decreasing
    with pytest.raises(ValueError, match="'n' parameter of top_features"):
        top_features(make_nbsvm().fit(X, y), n=0)


def test_prepared_texts_give_identical_models_and_count_each_order_once(data):
    X, y, _, test = data
    texts = test["text"].tolist()
    alone = [make().fit(X, y) for make in (make_naive_bayes, make_linear_svm, make_nbsvm)]
    X_prepared, test_prepared = prepare(X), prepare(texts)
    shared = [make().fit(X_prepared, y) for make in (make_naive_bayes, make_linear_svm, make_nbsvm)]
    for a, s in zip(alone, shared):
        assert a[0].vocabulary_ == s[0].vocabulary_
        np.testing.assert_allclose(a.decision_function(texts), s.decision_function(test_prepared), rtol=1e-10)
    fitted = X_prepared.memo["ngrams"]
    assert sorted(fitted._counts) == [1, 2, 3]  # each order counted once, for all three models
    assert all(s[0].word_index_ is fitted.index for s in shared)
    assert [key for key in test_prepared.memo] == [("ngrams in", id(fitted.index))]
    X_prepared.release()
    assert X_prepared.memo == {} and len(X_prepared.ids) > 0


def test_prepared_counts_respect_min_df(data):
    X, _, _, _ = data
    alone = NgramVectorizer(ngram_range=(2, 3), min_df=2).fit(X)
    shared = NgramVectorizer(ngram_range=(2, 3), min_df=2).fit_transform(prepare(X))
    assert shared.shape[1] == len(alone.vocabulary_) and (shared != alone.transform(X)).nnz == 0


def test_texts_prepared_with_another_stopword_list_are_prepared_again(data):
    X, y, _, test = data
    english = make_nbsvm(stopwords="english").fit(prepare(X, "minimal"), y)
    reference = make_nbsvm(stopwords="english").fit(X, y)
    assert english[0].vocabulary_ == reference[0].vocabulary_


def test_top_features_of_more_classes_rank_each_class_against_the_rest():
    from imdb_baselines import corpus
    from tests.conftest import FIXTURES

    trec = corpus.load_texts(FIXTURES / "trec" / "train.jsonl", text_column="question", label_column="coarse")
    for make in (make_naive_bayes, make_nbsvm, make_linear_svm):
        table = top_features(make().fit(trec.train["text"], trec.train["label"]), n=3)
        assert sorted(set(table["polarity"])) == sorted(set(trec.train["label"])) and len(table) == 18
        where = table[table["polarity"] == "LOC"]["feature"].tolist()
        assert {"where", "city", "country", "where is"} & set(where), (make.__name__, where)
        assert table.groupby("polarity")["weight"].apply(lambda w: w.is_monotonic_decreasing).all()


def test_naive_bayes_scores_rank_texts_of_one_class_across_lengths():
    from sklearn.metrics import roc_auc_score

    from imdb_baselines import corpus
    from tests.conftest import FIXTURES

    trec = corpus.load_texts(FIXTURES / "trec" / "train.jsonl", test=FIXTURES / "trec" / "test.jsonl",
                             text_column="question", label_column="coarse")
    model = make_naive_bayes().fit(trec.train["text"], trec.train["label"])
    scores = model.decision_function(trec.test["text"])
    np.testing.assert_allclose(np.exp(scores).sum(axis=1), 1.0)  # log posteriors, comparable across texts
    joint = model[1].predict_joint_log_proba(model[0].transform(trec.test["text"]))  # falls with length
    for column, label in ((0, "ABBR"), (3, "HUM")):
        truth = (trec.test["label"] == label).to_numpy()
        assert roc_auc_score(truth, scores[:, column]) > 0.95 > 0.6 > roc_auc_score(truth, joint[:, column])


def test_preparing_in_two_processes_gives_the_same_tokens(fixture_corpus, monkeypatch):
    from imdb_baselines.corpus import prepared as prepared_module

    texts = fixture_corpus.train["text"].tolist() + fixture_corpus.unsup["text"].tolist()
    monkeypatch.setattr(prepared_module, "_PARALLEL_FROM", 1)
    one, two = prepare(texts), prepare(texts, n_jobs=2)
    assert one.words.tolist() == two.words.tolist() and one.tokens() == two.tokens()
    assert np.array_equal(one.ids, two.ids) and np.array_equal(one.offsets, two.offsets)


@pytest.mark.parametrize("make", [make_naive_bayes, make_linear_svm, make_nbsvm])
def test_explanations_add_up_to_the_decision_value(make, data):
    from baselines import explain

    X, y, _, test = data
    model = make().fit(X, y)
    texts = test["text"].tolist()[:6]
    classifier = model.steps[-1][1]
    prior = getattr(classifier, "class_log_prior_", None)
    bias = prior[1] - prior[0] if prior is not None else classifier.intercept_[0]
    for decision, reason in zip(model.decision_function(texts), explain(model, texts, k=100_000)):
        sign = 1.0 if decision > 0 else -1.0  # contributions are signed towards the predicted class
        total = sum(c for _, c in reason["toward"]) + sum(c for _, c in reason["against"])
        assert sign * total == pytest.approx(decision - bias, abs=1e-3)
        assert reason["toward"] == sorted(reason["toward"], key=lambda p: -p[1])
    clear = explain(model, ["This was the worst movie, an absolute waste."], k=3)[0]
    assert model.predict(["This was the worst movie, an absolute waste."])[0] == 0
    assert {"worst", "waste"} & {name for name, _ in clear["toward"]}, clear
