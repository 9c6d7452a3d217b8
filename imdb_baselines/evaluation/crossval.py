"""Cross-validation's figures: each fold's metrics, their mean, spread and interval, and tests fit for folds.

Fold scores are not independent: any two folds' training parts share most of their texts. The interval and
the test therefore use Nadeau and Bengio's corrected variance, ``(1/J + n_test/n_train) · S²`` over the
``J`` fits, instead of the plain ``S²/J``; with ``--cv 2 --cv-repeats 5`` the test is Dietterich's 5×2 cv
paired t-test.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from imdb_baselines.evaluation.metrics import evaluate
from imdb_baselines.evaluation.sections import markdown_table
from imdb_baselines.evaluation.significance import holm_matrix, p_value_table
from imdb_baselines.run.results import Fold, ModelResult

__all__ = ["corrected_interval", "corrected_resampled_t_test", "cv_summary", "five_by_two_t_test", "fold_test",
           "score_folds", "section"]

#: Why the plain paired t-test is not used on fold scores, as the report says it.
#: The folds' test of k-fold cross-validation, whose corrected variance also gives the margins' intervals.
CORRECTED_TEST = "corrected resampled t-test (Nadeau and Bengio, 2003)"
PLAIN_T_TEST = ("A plain paired t-test would treat the fold scores as independent, but every two folds' training "
                "parts share most of their texts, so the scores move together and its p-values come out too small; "
                "this test allows for that overlap.")


def score_folds(result: ModelResult, classes, positive=None) -> None:
    """Fill each fold's ``metrics``: every metric of the run's table on the texts the fold held out."""
    for fold in result.folds or []:
        measured = evaluate(fold.y_true, fold.predictions, fold.scores, classes=classes, positive=positive)
        fold.metrics = {key: float(value) for key, value in measured.items() if isinstance(value, float)}


def _ratio(folds: list[Fold]) -> float:
    """``n_test / n_train`` of the fits: the held-out share over the training part's."""
    held = float(np.mean([len(fold.held) for fold in folds]))
    total = sum(len(fold.held) for fold in folds if fold.repeat == 0)
    return held / max(total - held, 1.0)


def cv_summary(folds: list[Fold], metric: str, confidence: float = 0.95) -> dict[str, float]:
    """Mean, standard deviation and the corrected ``confidence`` interval of ``metric`` over the folds.

    The interval is ``mean ± t · sqrt((1/J + n_test/n_train) · S²)`` with ``J - 1`` degrees of freedom.
    """
    return corrected_interval([fold.metrics[metric] for fold in folds], _ratio(folds), confidence)


def corrected_interval(values, ratio: float, confidence: float = 0.95) -> dict[str, float]:
    """Mean, standard deviation and Nadeau and Bengio's corrected ``confidence`` interval of per-fold ``values``
    (a metric, or two models' paired differences): ``mean ± t · sqrt((1/J + ratio) · S²)``, ``J - 1`` degrees of
    freedom, ``ratio`` the fits' ``n_test / n_train``.

    Examples
    --------
    >>> {k: round(v, 4) for k, v in corrected_interval([0.02, 0.02, 0.01, 0.03, 0.01], 0.25).items()}
    {'mean': 0.018, 'std': 0.0084, 'ci_low': 0.0024, 'ci_high': 0.0336}
    """
    values = np.asarray(values, dtype=float)
    mean, std = float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else 0.0
    spread = math.sqrt((1 / len(values) + ratio) * std**2)
    half = float(stats.t.ppf(0.5 + confidence / 2, len(values) - 1)) * spread if len(values) > 1 else 0.0
    return {"mean": mean, "std": std, "ci_low": mean - half, "ci_high": mean + half}


def _leader_margins(with_folds: list[ModelResult], metric: str, label: str, holm: dict[str, dict[str, float]],
                    test_name: str) -> tuple[list[str], dict[str, Any]]:
    """The best model over the folds minus each other one: the mean paired difference of ``metric`` in points,
    with the corrected interval where the folds' test is the corrected resampled t-test, and Holm's p."""
    best = max(with_folds, key=lambda r: np.mean([f.metrics[metric] for f in r.folds]))
    interval = test_name == CORRECTED_TEST  # its variance gives the interval; Dietterich's test has none
    rows, margins = [], {}
    for other in (r for r in with_folds if r is not best):
        gaps = [a.metrics[metric] - b.metrics[metric] for a, b in zip(best.folds, other.folds)]
        margin = corrected_interval(gaps, _ratio(best.folds))
        margins[other.name] = {key: round(margin[key], 6) for key in (("mean", "ci_low", "ci_high") if interval
                                                                      else ("mean",))}
        rows.append([f"`{other.name}`", f"{100 * margin['mean']:+.2f}" + (
            f" [{100 * margin['ci_low']:+.2f}, {100 * margin['ci_high']:+.2f}]" if interval else ""),
            f"{holm[best.name][other.name]:.2g}"])
    how = (", with the 95% interval of the corrected resampled t-test's own variance" if interval else
           " (Dietterich's test has no interval of its own)")
    lines = [f"{label} of `{best.name}`, the best over the folds, minus each other model's, in points: the mean of "
             f"their fold-by-fold differences{how}, and beside it the test's p-value adjusted by Holm's method.", "",
             markdown_table(["Model", f"`{best.name}` minus it" + (" [95% CI]" if interval else ""), "p (Holm)"],
                            rows), ""]
    return lines, {"leader": best.name, "margins": margins}


def corrected_resampled_t_test(a, b, ratio: float) -> float:
    """Two-sided p-value of Nadeau and Bengio's corrected resampled t-test of paired fold scores.

    Parameters
    ----------
    a, b : array-like
        The two models' scores on the same fits.
    ratio : float
        ``n_test / n_train`` of the fits.

    Examples
    --------
    >>> round(corrected_resampled_t_test([0.8, 0.82, 0.81, 0.83, 0.8], [0.78, 0.8, 0.8, 0.8, 0.79], 0.25), 4)
    0.0327
    """
    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    variance = (1 / len(d) + ratio) * d.var(ddof=1)
    if variance == 0:
        return 1.0 if d.mean() == 0 else 0.0
    t = d.mean() / math.sqrt(variance)
    return float(2 * stats.t.sf(abs(t), len(d) - 1))


def five_by_two_t_test(a, b) -> float:
    """Two-sided p-value of Dietterich's 5×2 cv paired t-test (scores of 5 repeats × 2 folds, repeat by repeat).

    Examples
    --------
    >>> round(five_by_two_t_test([.8, .82, .81, .83, .8, .81, .82, .8, .81, .83],
    ...                          [.79, .8, .8, .8, .79, .8, .8, .79, .8, .81]), 4)
    0.2856
    """
    d = (np.asarray(a, dtype=float) - np.asarray(b, dtype=float)).reshape(5, 2)
    variances = ((d - d.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
    if variances.sum() == 0:
        return 1.0 if d[0, 0] == 0 else 0.0
    t = d[0, 0] / math.sqrt(variances.mean())
    return float(2 * stats.t.sf(abs(t), 5))


def fold_test(a: list[Fold], b: list[Fold], metric: str) -> tuple[str, float]:
    """The test that suits these folds (its name) and its p-value for ``metric``."""
    first, second = [f.metrics[metric] for f in a], [f.metrics[metric] for f in b]
    folds = 1 + max(f.index for f in a)
    if folds == 2 and len(a) == 10:
        return "5×2 cv paired t-test (Dietterich, 1998)", five_by_two_t_test(first, second)
    return CORRECTED_TEST, corrected_resampled_t_test(first, second, _ratio(a))


def _metric_for_tests(sort_by: str, metrics: list[str]) -> str:
    if sort_by in metrics:
        return sort_by
    return f"macro_{sort_by}" if f"macro_{sort_by}" in metrics else "accuracy"


def section(ordered: list[ModelResult], metrics: list[tuple[str, str]], sort_by: str,
            out_of_fold: bool) -> tuple[list[str], dict[str, Any]]:
    """The report's cross-validation section and its results.json entry.

    Parameters
    ----------
    ordered : list of ModelResult
        The finished models with folds, in leaderboard order.
    metrics : list of (name, label)
        The run's metric table.
    sort_by : str
        The leaderboard's order; the tests compare this metric (accuracy for a cost).
    out_of_fold : bool
        Whether the data has no test set (the folds cover every labelled text).
    """
    with_folds = [r for r in ordered if r.folds]
    if not with_folds:
        return [], {}
    first = with_folds[0].folds
    k, repeats = 1 + max(f.index for f in first), 1 + max(f.repeat for f in first)
    names = [name for name, _ in metrics]
    summaries = {r.name: {name: cv_summary(r.folds, name) for name in names} for r in with_folds}
    pool = "every labelled text (there is no test set)" if out_of_fold else "the training data"
    drawn = f"{k} stratified folds of {pool}" + (f", drawn {repeats} times" if repeats > 1 else "")
    lines = ["## Cross-validation", "",
             f"Each model trained and scored on {drawn}, shuffled with the run's seed; inside each "
             "fold the model is fitted, tuned and calibrated on the fold's training part only. Mean ± standard "
             "deviation over the folds, and a 95% interval with the variance corrected for the folds' shared "
             "training texts.", "",
             markdown_table(["Model"] + [label for _, label in metrics],
                            [[f"`{r.name}`"] + [f"{s['mean']:.4f} ± {s['std']:.4f} [{s['ci_low']:.4f}, "
                                                f"{s['ci_high']:.4f}]" for s in summaries[r.name].values()]
                             for r in with_folds]), ""]
    tested = _metric_for_tests(sort_by, names)
    labels = dict(metrics)
    lines += [f"{labels[tested]} of each fold:", "",
              markdown_table(["Model"] + [f"{f.repeat + 1}.{f.index + 1}" if repeats > 1 else f"{f.index + 1}"
                                          for f in first],
                             [[f"`{r.name}`"] + [f"{f.metrics[tested]:.4f}" for f in r.folds] for r in with_folds]),
              ""]
    tests: dict[str, dict[str, float]] = {}
    holm: dict[str, dict[str, float]] = {}
    if len(with_folds) > 1:
        test_name = fold_test(with_folds[0].folds, with_folds[1].folds, tested)[0]
        for i, a in enumerate(with_folds):
            for b in with_folds[i + 1:]:
                p = fold_test(a.folds, b.folds, tested)[1]
                tests.setdefault(a.name, {})[b.name] = tests.setdefault(b.name, {})[a.name] = float(f"{p:.6g}")
        matrix = pd.DataFrame(tests, dtype=float)
        adjusted = holm_matrix(matrix)
        table, holm_said = p_value_table(matrix, adjusted, [r.name for r in with_folds])
        holm = {a: {b: float(f"{p:.6g}") for b, p in row.items() if a != b}
                for a, row in adjusted.to_dict(orient="index").items()}
        lines += [f"Paired test of {labels[tested].lower()} over the folds: the {test_name}; p < 0.05 means the "
                  f"two models' {labels[tested].lower()} differs. {PLAIN_T_TEST} {holm_said}".rstrip(), "", table, ""]
        margin_lines, margins = _leader_margins(with_folds, tested, labels[tested], holm, test_name)
        lines += margin_lines
    else:
        test_name, margins = "", {}
    payload = {"folds": k, "repeats": repeats, "out_of_fold": out_of_fold, "tested_metric": tested,
               "test": test_name, "p_values": tests, "holm_p_values": holm, **margins,
               "models": {r.name: {"summary": {name: {key: round(value, 6) for key, value in s.items()}
                                               for name, s in summaries[r.name].items()},
                                   "folds": [{"repeat": f.repeat, "fold": f.index, "train_size": f.train_size,
                                              "test_size": len(f.held), "fit_s": round(f.fit_s, 3),
                                              "tuned": f.tuned,
                                              "metrics": {key: round(v, 6) for key, v in f.metrics.items()}}
                                             for f in r.folds]}
                          for r in with_folds}}
    return lines, payload
