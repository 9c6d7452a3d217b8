import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError
from sklearn.svm import LinearSVC
from sklearn.utils.estimator_checks import parametrize_with_checks

from baselines import NaiveBayesClassifier, NBSVMClassifier, make_nbsvm
from imdb_baselines import corpus
from tests.conftest import FIXTURES

TREC = FIXTURES / "trec"

COUNTS = sp.csr_matrix(np.array([[2, 1, 0, 0], [1, 0, 1, 0], [0, 0, 1, 3], [0, 1, 0, 1]], dtype=float))
LABELS = np.array([1, 1, 0, 0])


def test_log_count_ratio_follows_the_paper():
    model = NBSVMClassifier(alpha=1.0).fit(COUNTS, LABELS)
    p = 1 + np.array([2, 1, 1, 0])  # binarized positive totals, smoothed
    q = 1 + np.array([0, 1, 1, 2])
    np.testing.assert_allclose(model.r_, np.log((p / p.sum()) / (q / q.sum())))
    assert model.classes_.tolist() == [0, 1] and model.coef_.shape == (1, 4)


def test_beta_one_is_the_plain_svm_on_scaled_features():
    model = NBSVMClassifier(beta=1.0, tol=1e-6).fit(COUNTS, LABELS)
    scaled = (COUNTS > 0).astype(float) @ sp.diags(model.r_)
    svm = LinearSVC(tol=1e-6).fit(scaled, LABELS)
    np.testing.assert_allclose(model.decision_function(COUNTS), svm.decision_function(scaled), rtol=1e-6)


def test_interpolation_shrinks_towards_mean_magnitude():
    mixed = NBSVMClassifier(beta=0.25, tol=1e-6).fit(COUNTS, LABELS)
    svm = LinearSVC(tol=1e-6, random_state=0).fit((COUNTS > 0) @ sp.diags(mixed.r_), LABELS)
    w = svm.coef_.ravel()
    expected = mixed.r_ * (0.75 * np.abs(w).mean() + 0.25 * w)
    np.testing.assert_allclose(mixed.coef_.ravel(), expected, rtol=1e-6)
    np.testing.assert_allclose(mixed.intercept_, 0.25 * svm.intercept_, atol=1e-6)


def test_probabilities_only_for_the_plain_logistic_variant():
    assert not hasattr(NBSVMClassifier().fit(COUNTS, LABELS), "predict_proba")
    assert not hasattr(NBSVMClassifier(loss="logistic").fit(COUNTS, LABELS), "predict_proba")  # interpolated
    model = NBSVMClassifier(loss="logistic", beta=1.0).fit(COUNTS, LABELS)
    proba = model.predict_proba(COUNTS)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert np.array_equal(proba.argmax(axis=1), model.predict(COUNTS))


def test_string_labels_and_one_class():
    model = NBSVMClassifier().fit(COUNTS, np.array(["pos", "pos", "neg", "neg"]))
    assert set(model.predict(COUNTS)) <= {"pos", "neg"}
    with pytest.raises(ValueError, match="needs at least two classes in y; got 1 class"):
        NBSVMClassifier().fit(COUNTS, [1, 1, 1, 1])


def test_more_classes_are_one_against_the_rest_on_real_questions():
    trec = corpus.load_texts(TREC / "train.jsonl", test=TREC / "test.jsonl", text_column="question",
                             label_column="coarse")
    model = make_nbsvm(ngram_range=(1, 2)).fit(trec.train["text"], trec.train["label"])
    classifier = model.named_steps["classifier"]
    assert classifier.classes_.tolist() == ["ABBR", "DESC", "ENTY", "HUM", "LOC", "NUM"]
    assert classifier.coef_.shape[0] == classifier.r_.shape[0] == 6
    scores = model.decision_function(trec.test["text"])
    assert scores.shape == (len(trec.test), 6)
    predicted = model.predict(trec.test["text"])
    assert np.array_equal(predicted, classifier.classes_[scores.argmax(axis=1)])
    assert (predicted == trec.test["label"]).mean() > 0.4  # 6 classes from 120 questions: chance is 1/6
    # each class's model is the binary NBSVM of that class against the rest
    binary = make_nbsvm(ngram_range=(1, 2)).fit(trec.train["text"], trec.train["label"] == "HUM")
    np.testing.assert_allclose(binary.decision_function(trec.test["text"]), scores[:, 3])


def test_predict_before_fit_is_not_fitted_error():
    with pytest.raises(NotFittedError):
        NBSVMClassifier().predict(COUNTS)


# Checks that do not apply, and why:
_EXPECTED_FAILURES = {
    # MultinomialNB models counts: negative feature values (Gaussian blobs) are an error by design.
    "check_decision_proba_consistency": "MultinomialNB takes non-negative counts; the check draws Gaussian blobs",
}


@parametrize_with_checks([NBSVMClassifier(), NaiveBayesClassifier()],
                         expected_failed_checks=lambda est: _EXPECTED_FAILURES
                         if isinstance(est, NaiveBayesClassifier) else {})
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)
