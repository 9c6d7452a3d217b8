"""Comparisons logged to MLflow for real: a SQLite store, its runs read back, models served and shown in MLflow's UI."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
import pytest

from imdb_baselines.cli import compare, predict
from tests.conftest import FIXTURE_ROOT
from tests.servers import free_port, running_process

ROOT = Path(__file__).resolve().parent.parent
MODELS = ("naive_bayes", "nbsvm", "fasttext")
REVIEWS = ["A moving, beautifully acted film. The story stayed with me for days and I loved every minute.",
           "Dull, predictable and far too long. I wanted my two hours back."]


def _command(out: Path, *extra: str) -> list[str]:
    return ["--data", str(FIXTURE_ROOT), "--excerpt", "--bootstrap", "0", "--quiet", "--out", str(out), *extra]


@pytest.fixture(scope="module")
def tracked(tmp_path_factory):
    """A comparison logged to the default store beside its report: reports/mlflow.db, reports/mlartifacts."""
    reports = tmp_path_factory.mktemp("tracked") / "reports"
    out = reports / "excerpt"
    assert compare.main(_command(out, "--models", ",".join(MODELS), "--epochs", "1", "--repeats", "2", "--track",
                                 "--register", "excerpt-best")) == 0
    return out


@pytest.fixture(scope="module")
def client(tracked):
    from mlflow import MlflowClient

    return MlflowClient(f"sqlite:///{tracked.parent / 'mlflow.db'}")


def _runs(client, name: str = "imdb"):
    experiment = client.get_experiment_by_name(name)
    runs = client.search_runs([experiment.experiment_id], max_results=100)
    parents = [r for r in runs if "mlflow.parentRunId" not in r.data.tags]
    return experiment, parents, runs


def test_one_parent_run_holds_the_report_and_one_nested_run_per_model(tracked, client):
    experiment, parents, runs = _runs(client)
    assert experiment.artifact_location == (tracked.parent / "mlartifacts").as_uri()  # beside the database
    assert len(parents) == 1 and parents[0].info.status == "FINISHED"
    parent = parents[0]
    results = json.loads((tracked / "results.json").read_text(encoding="utf-8"))
    assert parent.info.run_name == "excerpt" and parent.data.tags["dataset"] == "imdb"
    assert "--track" in parent.data.tags["command"] and parent.data.params["models"] == ",".join(MODELS)
    assert parent.data.params["split_fingerprint.minimal"] == results["provenance"]["fingerprints"]["minimal"]
    files = {f.path for f in client.list_artifacts(parent.info.run_id)}
    assert {"report.md", "results.json", "results.csv", "predictions.csv", "confusion_matrices.png"} <= files
    assert not any(name.startswith(".") or name == "models" for name in files)
    children = {r.info.run_name: r for r in runs if r.data.tags.get("mlflow.parentRunId") == parent.info.run_id}
    assert sorted(children) == sorted(MODELS)
    table = pd.read_csv(tracked / "results.csv").set_index("model")
    for name, run in children.items():
        assert run.info.status == "FINISHED"
        for metric in ("accuracy", "f1", "roc_auc", "fit_s", "predict_s", "peak_memory_mib", "model_mib"):
            assert run.data.metrics[metric] == pytest.approx(table.loc[name, metric], abs=1e-9), (name, metric)
        assert run.data.metrics["brier"] == pytest.approx(results["calibration"][name]["brier"])
        assert run.data.params["split_fingerprint"] == results["provenance"]["fingerprints"]["minimal"]
        assert run.data.params["stopwords"].startswith("minimal (15 words")
        assert run.data.params["package_version"] and run.data.params["engine"] == "local"
    assert children["nbsvm"].data.params["C"] == str(results["provenance"]["model_settings"]["nbsvm"]["C"])
    assert children["fasttext"].data.params["epochs"] == "1"  # what ran, not the catalogue's default
    seeds = [r for r in runs if r.data.tags.get("mlflow.parentRunId") == children["fasttext"].info.run_id]
    assert sorted(r.info.run_name for r in seeds) == ["fasttext seed 0", "fasttext seed 1"]
    assert sorted(r.data.metrics["accuracy"] for r in seeds) == sorted(results["seed_accuracies"]["fasttext"])


def test_a_logged_model_takes_raw_text_and_answers_as_imdb_predict(tracked, client, capsys):
    import mlflow

    _, parents, runs = _runs(client)
    nbsvm = next(r for r in runs if r.info.run_name == "nbsvm")
    mlflow.set_tracking_uri(f"sqlite:///{tracked.parent / 'mlflow.db'}")
    try:
        logged = mlflow.pyfunc.load_model(f"runs:/{nbsvm.info.run_id}/nbsvm")
    finally:
        mlflow.set_tracking_uri("")
    assert logged.metadata.get_input_schema().input_names() == ["text"]
    answers = logged.predict(pd.DataFrame({"text": REVIEWS}))
    assert predict.main(["--model", str(tracked / "models" / "nbsvm"), "--format", "jsonl", "--quiet", *REVIEWS]) == 0
    expected = [json.loads(line)["predictions"]["nbsvm"] for line in capsys.readouterr().out.splitlines()]
    assert answers["label"].tolist() == [e["label"] for e in expected]
    assert answers["probability"].tolist() == pytest.approx([e["probability"] for e in expected])
    assert answers["score"].tolist() == pytest.approx([e["score"] for e in expected])
    [version] = client.search_model_versions("name='excerpt-best'")  # --register: the best by accuracy
    best = pd.read_csv(tracked / "results.csv")["model"].iloc[0]
    assert version.run_id == next(r.info.run_id for r in runs if r.info.run_name == best)
    assert parents[0].data.tags["registered_model"].startswith(f"excerpt-best version {version.version} ({best})")


def test_mlflow_models_serve_answers_raw_reviews_like_imdb_predict(tracked, client, capsys):
    _, _, runs = _runs(client)
    fasttext = next(r for r in runs if r.info.run_name == "fasttext")
    port = free_port()
    env = {**os.environ, "MLFLOW_TRACKING_URI": f"sqlite:///{tracked.parent / 'mlflow.db'}",
           "TF_CPP_MIN_LOG_LEVEL": "3",  # MLflow starts this environment's uvicorn by name
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    command = [sys.executable, "-m", "mlflow", "models", "serve", "-m", f"runs:/{fasttext.info.run_id}/fasttext",
               "--env-manager", "local", "--host", "127.0.0.1", "--port", str(port)]
    with running_process(command, port, health="/ping", env=env, timeout_s=240):
        started = time.perf_counter()
        answer = httpx.post(f"http://127.0.0.1:{port}/invocations", timeout=120,
                            json={"dataframe_split": {"columns": ["text"], "data": [[r] for r in REVIEWS]}})
        seconds = time.perf_counter() - started
    assert answer.status_code == 200, answer.text
    served = answer.json()["predictions"]
    assert predict.main(["--model", str(tracked / "models" / "fasttext"), "--format", "jsonl", "--quiet",
                         *REVIEWS]) == 0
    expected = [json.loads(line)["predictions"]["fasttext"] for line in capsys.readouterr().out.splitlines()]
    assert [row["label"] for row in served] == [e["label"] for e in expected]
    assert [row["probability"] for row in served] == pytest.approx([e["probability"] for e in expected], abs=1e-6)
    assert seconds < 60


def _numbers(text: str) -> list[float]:
    numbers = []
    for token in text.split():
        try:
            numbers.append(float(token))
        except ValueError:
            pass
    return numbers


def test_mlflow_ui_shows_every_model_run_with_its_accuracy(tracked, client, browser, tmp_path):
    """MLflow's own page: the comparison's run, opened to its models' runs, with an accuracy column."""
    experiment, _, _ = _runs(client)
    port = free_port()
    command = [sys.executable, "-m", "mlflow", "server", "--backend-store-uri",
               f"sqlite:///{tracked.parent / 'mlflow.db'}", "--host", "127.0.0.1", "--port", str(port),
               "--workers", "1"]
    table = pd.read_csv(tracked / "results.csv").set_index("model")
    with running_process(command, port, health="/health", timeout_s=240):
        page = browser.new_page(viewport={"width": 1600, "height": 700})
        page.goto(f"http://127.0.0.1:{port}/#/experiments/{experiment.experiment_id}/runs")
        page.get_by_text("excerpt", exact=True).first.wait_for(timeout=90_000)
        assistant = page.get_by_role("button", name="Close")
        if assistant.count():  # MLflow's assistant panel, where it opens by itself
            assistant.first.click()
        page.get_by_role("button", name="Columns").click()
        page.get_by_text("accuracy", exact=True).first.click()
        page.keyboard.press("Escape")
        page.locator("button[data-component-id*='runnamecellrenderer']").first.click()  # open the parent run
        shown = {}
        for name in MODELS:  # the grid keeps a row's cells in several containers, tied by the row's index
            cell = page.locator("[role=row]").filter(has=page.get_by_text(name, exact=True)).first
            cell.wait_for(timeout=60_000)
            index = cell.get_attribute("row-index")
            shown[name] = " ".join(page.locator(f"[role=row][row-index='{index}']").all_inner_texts())
        page.screenshot(path=str(tmp_path / "mlflow.png"))
    for name, text in shown.items():
        assert table.loc[name, "accuracy"] in _numbers(text), (name, text)
    assert (tmp_path / "mlflow.png").stat().st_size > 20_000


def test_a_store_that_cannot_be_reached_is_one_line_before_any_model(tmp_path, capsys):
    port = free_port()  # nothing listens there
    assert compare.main(_command(tmp_path / "report", "--models", "nbsvm", "--track", "--tracking-uri",
                                 f"http://127.0.0.1:{port}")) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith(f"error: the tracking server http://127.0.0.1:{port} cannot be reached")
    assert len(error.splitlines()) == 1 and not (tmp_path / "report").exists()


def test_a_file_that_is_not_a_tracking_store_is_left_alone(tmp_path, capsys):
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "mlflow.db").write_text("my notes\n")
    with sqlite3.connect(reports / "other.db") as connection:
        connection.execute("CREATE TABLE mine (x)")
    connection.close()
    for store in ("", f"sqlite:///{reports / 'other.db'}"):
        extra = ["--tracking-uri", store] if store else []
        assert compare.main(_command(reports / "run", "--models", "nbsvm", "--track", *extra)) == 2
        assert "is not an MLflow tracking store; it is left as it is" in capsys.readouterr().err
    assert (reports / "mlflow.db").read_text() == "my notes\n" and not (reports / "run").exists()
    with sqlite3.connect(reports / "other.db") as connection:
        assert [row[0] for row in connection.execute("SELECT name FROM sqlite_master")] == ["mine"]
    connection.close()


def test_tracking_options_need_track_and_mlflow_is_not_imported_without_it(tmp_path, capsys):
    with pytest.raises(SystemExit):
        compare.main(_command(tmp_path / "a", "--experiment", "x"))
    assert "--experiment need --track" in capsys.readouterr().err
    script = ("import sys; from imdb_baselines.cli import compare; "
              f"status = compare.main({_command(tmp_path / 'b', '--models', 'naive_bayes')!r}); "
              "assert status == 0; assert 'mlflow' not in sys.modules, 'mlflow imported'")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_stopped_run_ends_killed_with_the_finished_models_logged(tmp_path):
    out, flag = tmp_path / "reports" / "run", tmp_path / "pause.flag"
    env = {**os.environ, "IMDB_BASELINES_PAUSE_AT": f"fit-nbsvm:{flag}", "TF_CPP_MIN_LOG_LEVEL": "3"}
    process = subprocess.Popen([sys.executable, "compare.py", *_command(out, "--models", "naive_bayes,nbsvm",
                                                                         "--track")],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 180
    while not flag.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run never reached nbsvm"
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=180)
    assert process.returncode == 128 + signal.SIGTERM, stderr
    from mlflow import MlflowClient

    _, parents, runs = _runs(MlflowClient(f"sqlite:///{tmp_path / 'reports' / 'mlflow.db'}"))
    assert [p.info.status for p in parents] == ["KILLED"]
    assert parents[0].data.tags["ended"] == "stopped by SIGTERM"
    status = {r.info.run_name: r.info.status for r in runs if r is not parents[0]}
    assert status == {"naive_bayes": "FINISHED", "nbsvm": "KILLED"}
    naive_bayes = next(r for r in runs if r.info.run_name == "naive_bayes")
    assert naive_bayes.data.metrics["accuracy"] == pd.read_csv(out / "results.csv")["accuracy"].iloc[0]


def test_the_python_api_tracks_too_and_needs_a_report_folder(tmp_path):
    import imdb_baselines
    from imdb_baselines.tracking import TrackingError

    train = pd.read_csv(FIXTURE_ROOT.parent / "sst5" / "train.csv")
    test = pd.read_csv(FIXTURE_ROOT.parent / "sst5" / "test.csv")
    with pytest.raises(TrackingError, match="give out=FOLDER"):
        imdb_baselines.compare(train, test, models=["naive_bayes"], track=True, bootstrap=0, text_column="sentence")
    board = imdb_baselines.compare(train, test, models=["naive_bayes"], track=True, bootstrap=0, text_column="sentence",
                                   out=tmp_path / "sst5", experiment="sst5 runs")
    from mlflow import MlflowClient

    _, parents, runs = _runs(MlflowClient(f"sqlite:///{tmp_path / 'mlflow.db'}"), "sst5 runs")
    child = next(r for r in runs if r.info.run_name == "naive_bayes")
    assert child.data.metrics["accuracy"] == pytest.approx(board.loc["naive_bayes", "accuracy"], abs=1e-4)
    assert parents[0].data.tags["command"].startswith("imdb_baselines.compare(")


def test_each_cross_validation_fold_is_a_run_under_its_model(tmp_path):
    import imdb_baselines

    train = pd.read_csv(FIXTURE_ROOT.parent / "sst5" / "train.csv")
    imdb_baselines.compare(train, models=["naive_bayes", "nbsvm"], cv=3, track=True, bootstrap=0,
                           text_column="sentence", out=tmp_path / "sst5", experiment="folds")
    from mlflow import MlflowClient

    _, _, runs = _runs(MlflowClient(f"sqlite:///{tmp_path / 'mlflow.db'}"), "folds")
    results = json.loads((tmp_path / "sst5" / "results.json").read_text(encoding="utf-8"))
    for model in ("naive_bayes", "nbsvm"):
        parent = next(r for r in runs if r.info.run_name == model)
        folds = sorted((r for r in runs if r.data.tags.get("mlflow.parentRunId") == parent.info.run_id),
                       key=lambda r: r.info.run_name)
        assert [r.info.run_name for r in folds] == [f"{model} fold {i}" for i in (1, 2, 3)]
        logged = [r.data.metrics["accuracy"] for r in folds]
        assert logged == [f["metrics"]["accuracy"] for f in results["cross_validation"]["models"][model]["folds"]]
        assert parent.data.metrics["cv_accuracy_mean"] == pytest.approx(np.mean(logged), abs=1e-4)


def test_a_report_written_without_track_logs_afterwards_as_track_would(kept_report, tmp_path, capsys):
    from mlflow import MlflowClient

    from imdb_baselines.tracking.__main__ import main

    store = f"sqlite:///{tmp_path / 'mlflow.db'}"
    assert main([str(kept_report), "--tracking-uri", store]) == 0
    assert "MLflow run" in capsys.readouterr().out
    _, parents, runs = _runs(MlflowClient(store))
    table = pd.read_csv(kept_report / "results.csv").set_index("model")
    children = {r.info.run_name: r for r in runs if r is not parents[0]}
    assert parents[0].info.run_name == kept_report.name and sorted(children) == sorted(table.index)
    for name, run in children.items():
        assert run.data.metrics["accuracy"] == pytest.approx(table.loc[name, "accuracy"], abs=1e-9)
        assert run.info.status == "FINISHED"
    assert main([str(tmp_path), "--tracking-uri", store]) == 2
    assert "is not a report folder of imdb-baselines" in capsys.readouterr().err
