"""liblinear's trust-region Newton method (the Spark engine's linear solver) against liblinear itself, on real text."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from baselines import NgramVectorizer
from baselines.ratios import log_count_ratio
from imdb_baselines import corpus
from imdb_baselines.run.newton import (
    LinearProblem,
    block_hessian_product,
    block_value_and_gradient,
    liblinear_costs,
    trust_region_newton,
)
from tests.conftest import FIXTURES


@pytest.fixture(scope="module")
def nbsvm_features():
    """NBSVM's r-scaled binary uni+bigrams of the IMDB excerpt, with a last column of ones (the bias)."""
    reviews = corpus.DataSource(path=str(FIXTURES / "aclImdb"), excerpt=True).load(seed=0).train
    binary = NgramVectorizer(ngram_range=(1, 2), binary=True, stopwords="minimal").fit_transform(
        corpus.prepare(reviews["text"].tolist()))
    labels = reviews["label"].to_numpy()
    r = log_count_ratio(np.asarray(binary[labels == 1].sum(axis=0)).ravel(),
                        np.asarray(binary[labels == 0].sum(axis=0)).ravel())
    scaled = sp.csr_matrix(binary.multiply(r))
    return sp.hstack([scaled, np.ones((scaled.shape[0], 1))]).tocsr(), labels


@pytest.fixture(scope="module")
def uneven_questions():
    """TF-IDF rows of TREC questions, six classes of 20 down to 3 questions, with the bias column; label positions."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    questions = corpus.DataSource(path=str(FIXTURES / "trec" / "train.jsonl"), text_column="question",
                                  label_column="coarse").load(seed=0).train
    classes = sorted(set(questions["label"]))
    kept = pd.concat([questions[questions["label"] == label].head(size)
                      for label, size in zip(classes, (20, 14, 9, 6, 4, 3))])
    features = TfidfVectorizer().fit_transform(corpus.prepare(kept["text"].tolist()))
    return sp.hstack([features, np.ones((features.shape[0], 1))]).tocsr(), np.searchsorted(classes, kept["label"])


def _newton(X, labels, loss, C=1.0, blocks=1, problem=None):
    """Fit with the data cut into ``blocks`` row blocks whose parts are summed, as Spark's partitions are."""
    parts = [(X[rows], labels[rows]) for rows in np.array_split(np.arange(X.shape[0]), blocks)]
    problem = problem or LinearProblem(C, loss, target=1)

    def value_and_gradient(w):
        pieces = [block_value_and_gradient(part, w, problem) for part in parts]
        return tuple(sum(piece[k] for piece in pieces) for k in range(3))

    def hessian_product(w, v):
        return sum(block_hessian_product(part, w, v, problem) for part in parts)

    w, iterations = trust_region_newton(value_and_gradient, hessian_product, X.shape[1], tol=1e-8)
    objective = 0.5 * w @ w + value_and_gradient(w)[0]
    return w, objective, iterations


@pytest.mark.parametrize("loss", ["svm", "logistic"])
def test_newton_reaches_liblinears_minimum_on_nbsvm_features(nbsvm_features, loss):
    X, labels = nbsvm_features
    w, objective, iterations = _newton(X, labels, loss, C=0.5, blocks=3)
    features = X[:, :-1]
    if loss == "svm":
        reference = LinearSVC(C=0.5, tol=1e-10, max_iter=100_000, dual=True).fit(features, labels)
    else:
        reference = LogisticRegression(C=0.5, solver="liblinear", tol=1e-10, max_iter=100_000).fit(features, labels)
    expected = np.append(reference.coef_.ravel(), reference.intercept_)
    reference_objective = 0.5 * expected @ expected + block_value_and_gradient(
        (X, labels), expected, LinearProblem(0.5, loss, 1))[0]
    assert 0 < iterations < 100
    assert objective == pytest.approx(reference_objective, rel=1e-6)
    np.testing.assert_allclose(X @ w, X @ expected, atol=1e-3)


def test_blocks_add_up_to_the_whole(nbsvm_features):
    X, labels = nbsvm_features
    whole = _newton(X, labels, "svm")[0]
    np.testing.assert_allclose(_newton(X, labels, "svm", blocks=4)[0], whole, rtol=1e-9, atol=1e-12)


def test_problem_refuses_an_unknown_loss():
    with pytest.raises(ValueError, match="'svm' or 'logistic'"):
        LinearProblem(1.0, "hinge", 1)


def _liblinear(loss, **weights):
    if loss == "svm":
        return LinearSVC(C=0.5, tol=1e-10, max_iter=1_000_000, **weights)
    return LogisticRegression(C=0.5, solver="liblinear", dual=True, tol=1e-10, max_iter=1_000_000, **weights)


@pytest.mark.parametrize("loss, own_problem", [("svm", False), ("svm", True), ("logistic", True)])
def test_weighed_classes_are_liblinears_per_class_costs(uneven_questions, loss, own_problem):
    """``class_weight="balanced"`` as LinearSVC weighs six classes, and as one binary fit per class (NBSVM)."""
    X, labels = uneven_questions
    rows = np.bincount(labels)

    def weights(convention):
        return np.vstack([_newton(X, labels, loss, blocks=2, problem=LinearProblem(
            0.5, loss, target, liblinear_costs("balanced", rows, target, own_problem=convention)))[0]
            for target in range(len(rows))])

    features = X[:, :-1]
    if own_problem:
        fits = [_liblinear(loss, class_weight="balanced").fit(features, labels == target) for target in range(6)]
        expected = np.vstack([np.append(fit.coef_.ravel(), fit.intercept_) for fit in fits])
    else:
        fit = _liblinear(loss, class_weight="balanced").fit(features, labels)
        expected = np.hstack([fit.coef_, fit.intercept_[:, None]])
    ours = weights(own_problem)
    np.testing.assert_allclose(ours, expected, atol=1e-6)
    assert np.linalg.norm(weights(not own_problem) - expected) > 0.1 * np.linalg.norm(expected)


def test_two_classes_and_text_weights_are_liblinears(nbsvm_features):
    X, labels = nbsvm_features
    uneven = np.flatnonzero((labels == 1) | (np.arange(len(labels)) % 3 == 0))  # a third of the negatives
    X, labels = X[uneven], labels[uneven]
    costs = liblinear_costs("balanced", np.bincount(labels), 1, own_problem=True)
    assert costs.tolist() == liblinear_costs("balanced", np.bincount(labels), 1, own_problem=False).tolist()
    fit = _liblinear("svm", class_weight="balanced").fit(X[:, :-1], labels)
    ours = _newton(X, labels, "svm", problem=LinearProblem(0.5, "svm", 1, costs))[0]
    np.testing.assert_allclose(ours, np.append(fit.coef_.ravel(), fit.intercept_), atol=1e-5)
    text_weights = np.array([3.0, 0.5])  # scikit-learn's sample_weight: each text weighs its class's, both sides
    fit = _liblinear("logistic").fit(X[:, :-1], labels, sample_weight=text_weights[labels])
    ours = _newton(X, labels, "logistic", problem=LinearProblem(0.5, "logistic", 1, liblinear_costs(
        text_weights, np.bincount(labels), 1, own_problem=True)))[0]
    np.testing.assert_allclose(ours, np.append(fit.coef_.ravel(), fit.intercept_), atol=1e-5)
