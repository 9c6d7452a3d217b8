"""A stopped comparison finished with --resume: real processes stopped by SIGTERM on real reviews."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from imdb_baselines.api import run
from imdb_baselines.options import CompareOptions
from imdb_baselines.run.resume import RESUME_FOLDER, _Decoder, _Encoder
from tests.conftest import FIXTURE_ROOT

ROOT = Path(__file__).resolve().parent.parent
MODELS = "naive_bayes,linear_svm,nbsvm"
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}


def _command(out: Path, *extra: str) -> list[str]:
    return [sys.executable, str(ROOT / "compare.py"), "--data", str(FIXTURE_ROOT), "--excerpt", "--models", MODELS,
            "--bootstrap", "100", "--out", str(out), *extra]


def _run(out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(_command(out, *extra), capture_output=True, text=True, cwd=ROOT, timeout=300, env=ENV)


def _stopped_at(out: Path, step: str) -> str:
    """Run the comparison into ``out`` and stop it with SIGTERM when it reaches ``step``; its stderr."""
    flag = out.parent / f"{out.name}.flag"
    process = subprocess.Popen(_command(out), env={**ENV, "IMDB_BASELINES_PAUSE_AT": f"{step}:{flag}"}, cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 180
    while not flag.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run never reached " + step
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 128 + signal.SIGTERM, stderr
    return stderr


def _results(out: Path) -> dict[str, dict]:
    return {r["model"]: r for r in json.loads((out / "results.json").read_text(encoding="utf-8"))["results"]}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """An uninterrupted run, and a run of the same command stopped while the linear SVM trained."""
    parent = tmp_path_factory.mktemp("resume")
    whole = _run(parent / "whole")
    assert whole.returncode == 0, whole.stderr
    _stopped_at(parent / "stopped", "fit-linear_svm")
    return parent / "whole", parent / "stopped"


@pytest.fixture
def stopped(runs, tmp_path):
    """A copy of the stopped run's report, for one test to resume."""
    return Path(shutil.copytree(runs[1], tmp_path / "report", symlinks=True))


def test_a_stopped_run_keeps_its_finished_models_for_resume(runs):
    report = runs[1]
    assert list(_results(report)) == ["naive_bayes"]
    assert (report / RESUME_FOLDER / "state.json").is_file() and (report / RESUME_FOLDER / "arrays.npz").is_file()
    markdown = (report / "report.md").read_text(encoding="utf-8")
    assert "The same command with `--resume` finishes it." in markdown


def test_resume_fits_only_the_models_left_and_reports_what_an_unstopped_run_reports(runs, stopped):
    whole, _ = runs
    before = _results(stopped)["naive_bayes"]
    done = _run(stopped, "--resume")
    assert done.returncode == 0, done.stderr
    assert "naive_bayes (stopwords: minimal) carried over" in done.stderr
    results, expected = _results(stopped), _results(whole)
    assert list(results) == list(expected) == ["naive_bayes", "linear_svm", "nbsvm"]
    assert results["naive_bayes"]["fit_s"] == before["fit_s"]  # carried over, not fitted again
    measured = ("fit_s", "predict_s", "reviews_per_s", "peak_memory_mib")
    for name in expected:
        assert {k: v for k, v in results[name].items() if k not in measured} == \
            {k: v for k, v in expected[name].items() if k not in measured}, name
    assert pd.read_csv(stopped / "predictions.csv").equals(pd.read_csv(whole / "predictions.csv"))
    markdown = (stopped / "report.md").read_text(encoding="utf-8")
    assert "> **Resumed:** `naive_bayes` comes from the stopped run this one finishes" in markdown
    assert "stopped early" not in markdown
    assert not (stopped / RESUME_FOLDER).exists()
    assert sorted(p.name for p in (stopped / "models").iterdir()) == ["linear_svm", "naive_bayes", "nbsvm"]
    from imdb_baselines.modelfiles import load_model

    review = ["A moving, beautifully acted film; the best I have seen this year."]
    for name in ("naive_bayes", "nbsvm"):
        assert load_model(stopped / "models" / name).predict(review).tolist() == \
            load_model(whole / "models" / name).predict(review).tolist()


def test_resume_refuses_a_stopped_run_of_other_options_and_keeps_it(stopped):
    done = _run(stopped, "--resume", "--seed", "1")
    assert done.returncode == 2
    assert "is not this run:" in done.stderr and "options.seed" in done.stderr
    assert list(_results(stopped)) == ["naive_bayes"] and (stopped / RESUME_FOLDER).is_dir()


def test_resume_fits_again_a_model_whose_own_settings_changed(stopped):
    done = _run(stopped, "--resume", "--set", "naive_bayes.alpha=0.5")
    assert done.returncode == 0, done.stderr
    assert "naive_bayes: its settings changed since the stopped run; it is fitted again" in done.stderr
    assert "Resumed" not in (stopped / "report.md").read_text(encoding="utf-8")
    assert list(_results(stopped)) == ["naive_bayes", "linear_svm", "nbsvm"]


def test_resume_without_a_stopped_run_runs_every_model(tmp_path):
    done = _run(tmp_path / "fresh", "--resume")
    assert done.returncode == 0, done.stderr
    assert "holds no stopped run to resume: every model runs" in done.stderr
    assert list(_results(tmp_path / "fresh")) == ["naive_bayes", "linear_svm", "nbsvm"]


def test_a_damaged_resume_state_is_refused_by_name(stopped):
    (stopped / RESUME_FOLDER / "arrays.npz").write_bytes(b"not an archive")
    done = _run(stopped, "--resume")
    assert done.returncode == 2
    assert "cannot be resumed" in done.stderr and "Run again without --resume" in done.stderr


def test_results_with_folds_and_a_search_are_stored_without_pickle_and_read_back_equal(tmp_path):
    options = CompareOptions(data=str(FIXTURE_ROOT), excerpt=True, models=("naive_bayes",), cv=2, tune=True,
                             bootstrap=100, quiet=True).checked()
    comparison = run(options)
    result = comparison.by_list["minimal"][0]
    assert result.folds and result.tuning is not None
    encoder = _Encoder()
    text = json.dumps(encoder.encode(result))
    np.savez(tmp_path / "arrays.npz", **encoder.arrays)
    with np.load(tmp_path / "arrays.npz", allow_pickle=False) as stored:
        back = _Decoder({key: stored[key] for key in stored.files}).decode(json.loads(text))
    _assert_equal(back, result)


def _assert_equal(got, expected) -> None:
    if isinstance(expected, np.ndarray):
        np.testing.assert_array_equal(got, expected)
    elif hasattr(expected, "__dataclass_fields__"):
        assert type(got) is type(expected)
        for name in expected.__dataclass_fields__:
            _assert_equal(getattr(got, name), getattr(expected, name))
    elif isinstance(expected, dict):
        assert list(got) == list(expected)
        for key in expected:
            _assert_equal(got[key], expected[key])
    elif isinstance(expected, (list, tuple)):
        assert type(got) is type(expected) and len(got) == len(expected)
        for a, b in zip(got, expected):
            _assert_equal(a, b)
    else:
        assert got == expected or (got != got and expected != expected), (got, expected)  # NaN equals NaN
