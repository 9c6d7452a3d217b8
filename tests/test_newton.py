"""liblinear's trust-region Newton method (the Spark engine's linear solver) against liblinear itself, on real text."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from baselines import NgramVectorizer
from baselines.nbsvm import log_count_ratio
from imdb_baselines import corpus
from imdb_baselines.run.newton import (
    LinearProblem,
    block_hessian_product,
    block_value_and_gradient,
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


def _newton(X, labels, loss, C=1.0, blocks=1):
    """Fit with the data cut into ``blocks`` row blocks whose parts are summed, as Spark's partitions are."""
    parts = [(X[rows], labels[rows]) for rows in np.array_split(np.arange(X.shape[0]), blocks)]
    problem = LinearProblem(C, loss, target=1)

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
