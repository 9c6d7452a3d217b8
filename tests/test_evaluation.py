import json
from pathlib import Path

import numpy as np
import pytest
from sklearn import metrics as skm

from imdb_baselines.evaluation.metrics import bootstrap_intervals, evaluate
from imdb_baselines.evaluation.significance import (
    accuracy_differences,
    holm,
    holm_matrix,
    mcnemar,
    mcnemar_matrix,
    p_value_table,
)


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


def test_holm_adjusts_as_published():
    # R's p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") gives 0.03, 0.06, 0.06, 0.02 (Holm, 1979)
    adjusted = holm({"a": 0.01, "b": 0.04, "c": 0.03, "d": 0.005})
    assert list(adjusted) == ["a", "b", "c", "d"]
    assert list(adjusted.values()) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm({"a": 0.6, "b": 0.7}) == {"a": 1.0, "b": 1.0} and holm({"only": 0.2}) == {"only": 0.2}
    y = np.ones(20, dtype=int)
    a = np.array([1] * 10 + [0] * 2 + [1] * 5 + [0] * 3)
    b = np.array([0] * 10 + [1] * 2 + [1] * 5 + [0] * 3)
    matrix = mcnemar_matrix(y, {"a": a, "b": b, "c": a})  # pairs: a-b 0.0386, a-c 1.0, b-c 0.0386
    adjusted = holm_matrix(matrix)  # the smallest of 3 times 3; the next times 2, raised to the one before it
    assert adjusted.loc["a", "b"] == adjusted.loc["b", "a"] == adjusted.loc["b", "c"] == pytest.approx(3 * 0.0385742,
                                                                                                      abs=3e-6)
    assert adjusted.loc["a", "c"] == 1.0 and np.isnan(adjusted.loc["c", "c"])
    table, said = p_value_table(matrix, adjusted, ["a", "b", "c"])
    assert "| `a` | — | 0.039 (0.12) | 1 (1) |" in table and "for the 3 pairs compared here" in said
    pair = matrix.loc[["a", "b"], ["a", "b"]]
    table, said = p_value_table(pair, holm_matrix(pair), ["a", "b"])
    assert "| `a` | — | 0.039 |" in table and said == ""  # one pair: nothing to adjust


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


@pytest.mark.parametrize("k", [2, 3, 6])
def test_every_vectorised_metric_matches_scikit_learn_on_unresampled_data(k):
    """Every metric, the skewed classes' three included; a materialised resample repeats texts, so ties too."""
    from imdb_baselines.evaluation.metrics import metric_table

    rng = np.random.default_rng(k)
    y = rng.integers(0, k, 500)
    p = np.where(rng.random(500) < 0.7, y, rng.integers(0, k, 500))
    s = rng.normal(size=(500, k)) + np.eye(k)[y] if k > 2 else rng.normal(size=500) + y
    index = rng.integers(0, 500, (3, 500))  # three resamples: as weights, and materialised
    weights = np.stack([np.bincount(row, minlength=500) for row in index]).astype(float)
    for metric in metric_table(k, skewed=True):
        values = metric.resampler(y, p, s, k)
        unresampled = values(np.ones((1, 500)))
        assert unresampled.shape == (1,)
        assert unresampled[0] == pytest.approx(metric.score(y, p, s, k), abs=1e-12), metric.name
        for row, w in zip(index, values(weights)):
            assert w == pytest.approx(metric.score(y[row], p[row], s[row], k), abs=1e-12), metric.name
    if k > 2:  # the macro one-vs-rest AUC is scikit-learn's own when the scores are probabilities
        probabilities = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
        table = {m.name: m for m in metric_table(k)}
        assert table["roc_auc"].score(y, p, probabilities, k) == pytest.approx(
            skm.roc_auc_score(y, probabilities, multi_class="ovr", average="macro"))


def test_shared_index_reproduces_scipy_bootstrap():
    from scipy import stats

    rng = np.random.default_rng(7)
    y = rng.integers(0, 2, 3000)
    pred = np.where(rng.random(3000) < 0.8, y, 1 - y)
    scores = pred + rng.normal(0, 0.6, 3000)
    ours = bootstrap_intervals(y, pred, scores, n_resamples=300, seed=11)
    scipy_accuracy = stats.bootstrap((y, pred), lambda a, b, axis=-1: np.mean(a == b, axis=-1), paired=True,
                                     vectorized=True, n_resamples=300, method="percentile", batch=100,
                                     rng=np.random.default_rng(11)).confidence_interval
    assert ours["accuracy"] == pytest.approx((scipy_accuracy.low, scipy_accuracy.high), abs=1e-12)


def test_the_accuracy_difference_is_scipys_paired_bootstrap_on_the_intervals_resamples():
    from scipy import stats

    rng = np.random.default_rng(7)
    y = rng.integers(0, 2, 3000)
    a = np.where(rng.random(3000) < 0.85, y, 1 - y)
    b = np.where(rng.random(3000) < 0.9, a, 1 - a)  # b errs mostly where a does: the two move together
    gaps = accuracy_differences(y, {"a": a, "b": b}, n_resamples=300, seed=11)
    scipy_gap = stats.bootstrap((y, a, b), lambda t, p, q, axis=-1: np.mean(t == p, axis=-1) - np.mean(t == q, axis=-1),
                                paired=True, vectorized=True, n_resamples=300, method="percentile", batch=100,
                                rng=np.random.default_rng(11)).confidence_interval
    assert (gaps["a"]["b"]["ci_low"], gaps["a"]["b"]["ci_high"]) == pytest.approx((scipy_gap.low, scipy_gap.high),
                                                                                 abs=1e-12)
    assert gaps["a"]["b"]["difference"] == pytest.approx(np.mean(a == y) - np.mean(b == y))
    assert gaps["b"]["a"]["difference"] == -gaps["a"]["b"]["difference"]
    # paired, the difference's interval is narrower than the two accuracies' intervals side by side suggest
    one, other = (bootstrap_intervals(y, p, p.astype(float), n_resamples=300, seed=11)["accuracy"] for p in (a, b))
    assert gaps["a"]["b"]["ci_high"] - gaps["a"]["b"]["ci_low"] < (one[1] - one[0]) + (other[1] - other[0])
    assert "ci_low" not in accuracy_differences(y, {"a": a, "b": b}, n_resamples=0)["a"]["b"]


def test_string_classes_with_a_chosen_positive_label():
    y = np.array(["spam", "ham", "ham", "spam", "ham"])
    pred = np.array(["spam", "ham", "spam", "spam", "ham"])
    result = evaluate(y, pred, [0.9, 0.1, 0.6, 0.8, 0.3], classes=("ham", "spam"))
    assert result["precision"] == skm.precision_score(y, pred, pos_label="spam")
    flipped = evaluate(y, pred, [0.1, 0.9, 0.4, 0.2, 0.7], classes=("ham", "spam"), positive="ham")
    assert flipped["precision"] == skm.precision_score(y, pred, pos_label="ham") and flipped["roc_auc"] == 1.0
    assert result["confusion_matrix"] == flipped["confusion_matrix"] == [[2, 1], [0, 2]]
    assert (flipped["tp"], flipped["fn"]) == (2, 1)


def test_saved_size_counts_large_arrays_without_holding_the_bytes():
    import pickle

    from imdb_baselines.run.resources import saved_size_bytes

    model = {"weights": np.arange(10**6, dtype=np.float64), "name": "nbsvm"}
    assert saved_size_bytes(model) == len(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))


def test_skewed_test_classes_add_balanced_accuracy_macro_f1_and_average_precision():
    from imdb_baselines.evaluation.metrics import bootstrap_intervals, evaluate

    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(400, int), np.ones(100, int)]  # 4 to 1
    s = rng.normal(size=500) + 1.5 * y
    p = (s > 0.75).astype(int)
    result = evaluate(y, p, s)
    assert result["balanced_accuracy"] == pytest.approx(skm.balanced_accuracy_score(y, p))
    assert result["macro_f1"] == pytest.approx(skm.f1_score(y, p, average="macro"))
    assert result["average_precision"] == pytest.approx(skm.average_precision_score(y, s))
    assert {"balanced_accuracy", "macro_f1"} <= set(bootstrap_intervals(y, p, s, n_resamples=200))
    balanced = evaluate(y[100:], p[100:], s[100:])  # 300 to 100: not skewed
    assert "balanced_accuracy" not in balanced and "average_precision" not in balanced
    y3, p3 = np.r_[y, np.full(20, 2)], np.r_[p, np.full(20, 2)]  # a third class of 20 texts
    s3 = np.column_stack([np.r_[-s, np.zeros(20)], np.r_[s, np.zeros(20)], np.r_[np.zeros(500), np.ones(20)]])
    three = evaluate(y3, p3, s3, classes=(0, 1, 2))
    assert three["balanced_accuracy"] == pytest.approx(skm.balanced_accuracy_score(y3, p3))
    assert three["average_precision"] == pytest.approx(np.mean([skm.average_precision_score(y3 == c, s3[:, c])
                                                                for c in range(3)]))


def test_a_model_near_the_majority_rate_is_told_apart_from_one_a_small_test_set_cannot_judge(tmp_path):
    from imdb_baselines.cli import compare
    from imdb_baselines.evaluation.analysis import health_warnings

    [at] = health_warnings("nbsvm", 0.5, (0.25, 0.75), 0.5, None, False, test_texts=8)
    assert at.startswith("`nbsvm` scores 0.5000 on 8 texts, no better than always answering the most common class "
                         "(0.5000): it has not learned. With 8 test texts, `--cv 10` scores every labelled text")
    [near] = health_warnings("nbsvm", 0.625, (0.25, 1.0), 0.5, None, False, test_texts=8, cross_validated=True)
    assert near == ("`nbsvm` scores 0.6250 on 8 texts, and its interval (0.2500 to 1.0000) reaches what always "
                    "answering the most common class scores (0.5000): these texts cannot tell it from that. Check the "
                    "labels and the texts: a linear model on n-grams rarely fails this way.")
    assert health_warnings("nbsvm", 0.9, (0.89, 0.91), 0.5, None, False, test_texts=25_000) == []
    [large] = health_warnings("nbsvm", 0.505, (0.499, 0.511), 0.5, None, False, test_texts=25_000)
    assert "on 25,000 texts, and its interval" in large and "--cv" not in large
    # A comparison on polarity v2.0's excerpt: 8 test texts, which the warning names, with the way to score all 40.
    out = tmp_path / "report"
    assert compare.main(["--data", str(Path(__file__).parent / "fixtures" / "polarity2k"), "--models",
                         "naive_bayes,nbsvm", "--quiet", "--out", str(out)]) == 0
    warnings = json.loads((out / "results.json").read_text(encoding="utf-8"))["warnings"]
    assert warnings and all(" on 8 texts, " in w and "`--cv 10` scores every labelled text" in w for w in warnings)
