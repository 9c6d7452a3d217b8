"""Hashed n-grams: no vocabulary, the same columns on both engines, and models that stay small."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.utils import murmurhash3_32

from baselines import NgramVectorizer, explain, make_linear_svm, make_naive_bayes, make_nbsvm
from baselines.ngrams import ngram_columns
from imdb_baselines import corpus
from imdb_baselines.corpus import TextPreprocessor, prepare
from imdb_baselines.exports.onnx_linear import linear_parts
from tests.conftest import FIXTURES
from tests.test_baselines import CLEAR_NEGATIVE, CLEAR_POSITIVE


@pytest.fixture(scope="module")
def reviews(fixture_corpus):
    train, test = fixture_corpus.train, fixture_corpus.test
    clear = test.set_index("id").loc[CLEAR_NEGATIVE + CLEAR_POSITIVE]["text"].tolist()
    return train["text"].tolist(), train["label"].to_numpy(), test["text"].tolist(), test["label"].to_numpy(), clear


def _column(gram: str, bits: int) -> int:
    """An n-gram's column written out from the definition: MurmurHash3 of each word, mixed in order."""
    words = gram.split(" ")
    hashes = np.array([murmurhash3_32(w, seed=0, positive=True) for w in words], dtype=np.uint64)
    return int(ngram_columns(hashes, np.zeros(len(words), dtype=np.int64), len(words), bits)[0][0])


def test_hashed_counts_are_the_vocabularys_counts_folded_by_the_hash(reviews):
    texts = reviews[0]
    exact = NgramVectorizer(ngram_range=(1, 3), stopwords="minimal").fit(texts)
    hashed = NgramVectorizer(ngram_range=(1, 3), stopwords="minimal", hash_bits=16).fit(texts)
    names = exact.get_feature_names_out()
    fold = sp.csr_matrix((np.ones(len(names)), ([_column(g, 16) for g in names], np.arange(len(names)))),
                         shape=(1 << 16, len(names)))
    expected = (exact.transform(texts) @ fold.T).toarray()
    assert np.array_equal(hashed.transform(texts).toarray(), expected)
    assert hashed.transform(texts).shape == (len(texts), 1 << 16) and hashed.n_features_out_ == 1 << 16
    # no vocabulary is kept, and unseen n-grams still get a column
    assert not hasattr(hashed, "keys_") and not hasattr(hashed, "words_")
    unseen = "zyzzyva quokka"
    assert hashed.transform([unseen]).indices.tolist() == sorted(
        {_column("zyzzyva", 16), _column("quokka", 16), _column(unseen, 16)})
    assert exact.transform([unseen]).nnz == 0


def test_prepared_and_raw_texts_give_the_same_hashed_model(reviews):
    X, y, test, _, _ = reviews
    from_raw = make_nbsvm(hash_bits=18).fit(X, y)
    from_prepared = make_nbsvm(hash_bits=18).fit(prepare(X), y)
    assert np.array_equal(from_raw.decision_function(test), from_prepared.decision_function(prepare(test)))


@pytest.mark.parametrize("make", [make_naive_bayes, make_linear_svm, make_nbsvm])
def test_hashed_baselines_read_real_reviews_and_stay_small(reviews, make):
    X, y, test, y_test, clear = reviews
    exact, hashed = make().fit(X, y), make(hash_bits=20).fit(X, y)
    # Unseen n-grams have columns too: in the linear SVM they enlarge a text's TF-IDF norm, which moves a short
    # text's score toward the bias ("LOVED every minute" is one of them on 80 training reviews)
    assert np.mean(hashed.predict(clear) == [0, 0, 0, 1, 1, 1]) >= 5 / 6
    agreement = np.mean(hashed.predict(test) == exact.predict(test))
    assert agreement >= 0.9, agreement
    assert abs(np.mean(hashed.predict(test) == y_test) - np.mean(exact.predict(test) == y_test)) <= 0.05
    restored = pickle.loads(pickle.dumps(hashed))
    assert np.array_equal(restored.decision_function(test), hashed.decision_function(test))
    vocabulary_bytes = sum(keys.nbytes for keys in exact.named_steps["vectorizer"].keys_)
    assert vocabulary_bytes > 0 and len(pickle.dumps(hashed.named_steps["vectorizer"])) < 2_000


def test_hashed_columns_are_named_by_the_texts_that_fill_them(reviews):
    X, y, _, _, clear = reviews
    model = make_nbsvm(hash_bits=20).fit(X, y)
    vectorizer = model.named_steps["vectorizer"]
    named = vectorizer.named_columns("What a great movie!!")
    words = vectorizer.preprocessor_("What a great movie!!")
    assert words == ["what", "great", "movie", "!", "!"]
    assert set(named.values()) == {" ".join(words[i:i + n]) for n in (1, 2, 3) for i in range(len(words) - n + 1)}
    assert named == {_column(g, 20): g for g in named.values()}
    (rave,) = explain(model, [clear[3]], k=3)
    tokens = " ".join(TextPreprocessor()(clear[3]))
    assert rave["toward"] and all(f" {name} " in f" {tokens} " for name, _ in rave["toward"] + rave["against"])
    assert vectorizer.feature_names([5]) == ["#5"]
    with pytest.raises(AttributeError, match="no vocabulary"):
        vectorizer.get_feature_names_out()


def test_hashing_refuses_what_it_cannot_do(reviews):
    X, y = reviews[0], reviews[1]
    with pytest.raises(ValueError, match="'hash_bits' parameter of NgramVectorizer must be an int in"):
        NgramVectorizer(hash_bits=0).fit(X)
    with pytest.raises(ValueError, match="'min_df' parameter of NgramVectorizer must be 1 with hash_bits"):
        NgramVectorizer(hash_bits=18, min_df=2).fit(X)
    with pytest.raises(ValueError, match="does not export to ONNX"):
        linear_parts(make_nbsvm(hash_bits=18).fit(X, y))


@pytest.mark.parametrize("make", [
    lambda **hashing: make_nbsvm(loss="svm", **hashing),
    lambda **hashing: make_nbsvm(loss="logistic", **hashing),
    lambda **hashing: make_naive_bayes(**hashing),
    lambda **hashing: make_naive_bayes(class_weight="balanced", **hashing),
], ids=["nbsvm-svm", "nbsvm-logistic", "naive-bayes", "naive-bayes-balanced"])
def test_hashed_models_without_collisions_are_the_vocabularys(make):
    """Six classes of questions at 22 bits, where no two n-grams share a column: the same model as the vocabulary's.

    The columns no training question fills take no part in NBSVM's ratio or its interpolation, nor in
    Naive Bayes' smoothing, so the 2^22 − 2,000 empty ones change nothing (they used to shrink the norms'
    and the mean's share of the rest, and to swamp each class's total with smoothing).
    """
    data = corpus.DataSource(path=str(FIXTURES / "trec" / "train.jsonl"), test=str(FIXTURES / "trec" / "test.jsonl"),
                             text_column="question", label_column="coarse").load(seed=0)
    texts, labels = data.train["text"].tolist(), data.train["label"].to_numpy()
    questions = texts + data.test["text"].tolist()
    exact = make().fit(texts, labels)
    hashed = make(hash_bits=22).fit(texts, labels)
    everything = NgramVectorizer(ngram_range=(1, 3), stopwords="minimal").fit(questions).get_feature_names_out()
    assert len({_column(gram, 22) for gram in everything}) == len(everything)  # no collision, seen or unseen
    np.testing.assert_allclose(hashed.decision_function(questions), exact.decision_function(questions),
                               rtol=1e-9, atol=1e-9)
