import numpy as np
import pytest
from sklearn import metrics as skm

from evaluation.metrics import bootstrap_intervals, evaluate
from evaluation.significance import mcnemar, mcnemar_matrix


def test_evaluate_matches_sklearn_and_uses_scores_for_auc():
    y = np.array([0, 0, 0, 1, 1, 1, 1, 0])
    pred = np.array([0, 1, 0, 1, 1, 0, 1, 0])
    scores = np.array([-2.0, 0.5, -0.1, 1.5, 0.2, -0.3, 3.0, -1.0])
    result = evaluate(y, pred, scores)
    assert result["accuracy"] == skm.accuracy_score(y, pred) == 0.75
    assert result["f1"] == skm.f1_score(y, pred)
    assert result["roc_auc"] == skm.roc_auc_score(y, scores) != skm.roc_auc_score(y, pred)
    assert result["confusion_matrix"] == [[3, 1], [1, 3]]


def test_mcnemar_known_values():
    # 10 reviews only A gets right, 2 only B: exact two-sided p = 2 * P(X <= 2 | n=12, 1/2) = 0.03857
    y = np.ones(20, dtype=int)
    a = np.array([1] * 10 + [0] * 2 + [1] * 5 + [0] * 3)
    b = np.array([0] * 10 + [1] * 2 + [1] * 5 + [0] * 3)
    result = mcnemar(y, a, b)
    assert (result["b"], result["c"]) == (10, 2)
    assert result["p_value"] == pytest.approx(0.0385742, abs=1e-6)
    assert mcnemar(y, a, a)["p_value"] == 1.0
    matrix = mcnemar_matrix(y, {"a": a, "b": b, "c": a})
    assert np.isnan(matrix.loc["a", "a"]) and matrix.loc["a", "b"] == matrix.loc["b", "a"]
    assert matrix.loc["a", "c"] == 1.0


def test_bootstrap_is_seeded_and_sized_like_the_normal_approximation():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 4000)
    pred = np.where(rng.random(4000) < 0.85, y, 1 - y)
    scores = pred + rng.normal(0, 0.5, 4000)
    first = bootstrap_intervals(y, pred, scores, n_resamples=400, seed=3)
    assert first == bootstrap_intervals(y, pred, scores, n_resamples=400, seed=3)
    assert first != bootstrap_intervals(y, pred, scores, n_resamples=400, seed=4)
    accuracy = float(np.mean(y == pred))
    low, high = first["accuracy"]
    assert low < accuracy < high
    expected = 2 * 1.96 * np.sqrt(accuracy * (1 - accuracy) / 4000)
    assert high - low == pytest.approx(expected, rel=0.15)
    auc = skm.roc_auc_score(y, scores)
    assert first["roc_auc"][0] < auc < first["roc_auc"][1]


def test_perfect_predictions_have_degenerate_intervals():
    y = np.array([0, 1] * 50)
    intervals = bootstrap_intervals(y, y, y.astype(float), n_resamples=50)
    assert all(interval == (1.0, 1.0) for interval in intervals.values())
