import json
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from imdb_baselines import catalog as registry
from imdb_baselines.cli import compare
from tests.conftest import FIXTURE_ROOT

ROOT = Path(__file__).resolve().parents[1]

BASE = ["--data", str(FIXTURE_ROOT), "--excerpt", "--bootstrap", "100", "--quiet"]


def _run(tmp_path, name, *extra):
    out = tmp_path / name
    status = compare.main([*BASE, "--out", str(out), *extra])
    return status, out


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reports")
    status, out = _run(tmp, "run", "--models", "naive_bayes,linear_svm,nbsvm,cnn", "--epochs", "1")
    assert status == 0
    return out


def test_report_tables_match_sklearn_on_the_same_predictions(report):
    assert sorted(p.name for p in report.iterdir()) == [
        ".imdb-baselines", "accuracy_vs_fit_time.png", "calibration.png", "confusion_matrices.png", "models",
        "predictions.csv", "report.md", "results.csv", "results.json", "roc_curves.png", "training_cnn.png"]
    predictions = pd.read_csv(report / "predictions.csv")
    results = pd.read_csv(report / "results.csv").set_index("model")
    markdown = (report / "report.md").read_text(encoding="utf-8")
    y = predictions["label"]
    for model in ("naive_bayes", "linear_svm", "nbsvm", "cnn"):
        pred, score = predictions[f"{model}_prediction"], predictions[f"{model}_score"]
        expected = {"accuracy": skm.accuracy_score(y, pred),
                    "precision": skm.precision_score(y, pred, zero_division=0),
                    "recall": skm.recall_score(y, pred), "f1": skm.f1_score(y, pred, zero_division=0),
                    "roc_auc": skm.roc_auc_score(y, score)}
        for metric, value in expected.items():
            assert results.loc[model, metric] == pytest.approx(value, abs=6e-5), (model, metric)
        row = next(line for line in markdown.splitlines() if line.startswith(f"| `{model}` | 0."))
        assert f"| {expected['accuracy']:.4f} [" in row
        assert f"| {expected['roc_auc']:.4f} [" in row and row.endswith("] |")  # intervals, no timings
        tn, fp, fn, tp = skm.confusion_matrix(y, pred).ravel()
        assert (results.loc[model, ["tn", "fp", "fn", "tp"]] == [tn, fp, fn, tp]).all()
    accuracies = [results.loc[m, "accuracy"] for m in results.index]
    assert accuracies == sorted(accuracies, reverse=True)  # headline sorted by accuracy


def test_report_carries_provenance_and_mcnemar(report):
    markdown = (report / "report.md").read_text(encoding="utf-8")
    data = json.loads((report / "results.json").read_text(encoding="utf-8"))
    prov = data["provenance"]
    assert prov["stopwords"] == {"minimal": "minimal (15 words, sha256 690e370e8007)"}
    assert len(prov["fingerprints"]["minimal"]) == 64 and prov["fingerprints"]["minimal"][:16] in markdown
    assert prov["split_sizes"] == {"train": 72, "validation": 8, "test": 80}
    assert "Reproduce: `python compare.py --data" in markdown  # run from this checkout: its commit is recorded
    assert re.fullmatch(r"imdb-baselines \S+, commit [0-9a-f]{12}", prov["package"])
    assert "2 classes: `0` (negative), `1` (positive) (positive: `1` (positive))" in markdown  # what IMDB's codes mean
    assert "## Paired significance (McNemar)" in markdown
    p = data["mcnemar_p_values"]
    assert p["nbsvm"]["linear_svm"] == p["linear_svm"]["nbsvm"] and p["nbsvm"]["nbsvm"] is None
    # beside each p-value, Holm's adjustment over the 6 pairs of the 4 models: never below the p-value itself
    holm = data["mcnemar_holm_p_values"]
    pairs = [(a, b) for a in p for b in p if a < b]
    assert len(pairs) == 6 and all(p[a][b] <= holm[a][b] <= min(1.0, 6 * p[a][b]) + 1e-9 for a, b in pairs)
    smallest = min(pairs, key=lambda pair: p[pair[0]][pair[1]])
    assert holm[smallest[0]][smallest[1]] == pytest.approx(min(1.0, 6 * p[smallest[0]][smallest[1]]), rel=1e-5)
    assert "In brackets, the p-value adjusted by Holm's method for the 6 pairs compared here" in markdown
    section = markdown.split("## Paired significance (McNemar)\n", 1)[1].split("\n## ", 1)[0]
    row = next(line for line in section.splitlines() if line.startswith("| `linear_svm` | "))
    assert f"{p['linear_svm']['naive_bayes']:.2g} ({holm['linear_svm']['naive_bayes']:.2g})" in row
    # the most accurate model against each other one: the difference in points, its paired interval, Holm's p
    accuracy = {row["model"]: row["accuracy"] for row in data["results"]}
    best = max(accuracy, key=accuracy.get)
    assert f"Test accuracy of `{best}`, the most accurate model, minus each other model's, in points" in section
    for other in set(accuracy) - {best}:
        gap = data["accuracy_differences"][best][other]
        assert gap["difference"] == pytest.approx(accuracy[best] - accuracy[other], abs=1e-4)
        assert gap["ci_low"] <= gap["difference"] <= gap["ci_high"]
        assert f"| `{other}` | {100 * gap['difference']:+.2f} [{100 * gap['ci_low']:+.2f}, " \
               f"{100 * gap['ci_high']:+.2f}] | {holm[best][other]:.2g} |" in section
    assert set(data["histories"]) == {"cnn"}


def test_same_seed_gives_byte_identical_classical_rows(tmp_path):
    outs = [_run(tmp_path, f"run{i}", "--models", "naive_bayes,linear_svm,nbsvm")[1] for i in range(2)]
    columns = ["model", "accuracy", "accuracy_ci_low", "accuracy_ci_high", "precision", "recall", "f1",
               "roc_auc", "f1_ci_low", "f1_ci_high", "tn", "fp", "fn", "tp"]
    first, second = (pd.read_csv(out / "results.csv")[columns].to_csv(index=False) for out in outs)
    assert first == second
    tables = []
    for out in outs:
        lines = (out / "report.md").read_text(encoding="utf-8").splitlines()
        rows = [line for line in lines if re.match(r"\| `(naive_bayes|linear_svm|nbsvm)` \| 0\.\d+ \[", line)]
        tables.append(["|".join(row.split("|")[:7]) for row in rows])  # metric cells, without timings
    assert tables[0] == tables[1] and len(tables[0]) == 3


def test_a_failing_model_keeps_the_others(tmp_path, monkeypatch):
    real = registry.make_model

    class Broken:
        def fit(self, X, y):
            raise RuntimeError("out of memory on purpose")

    def make(name, **kwargs):
        return Broken() if name == "linear_svm" else real(name, **kwargs)

    monkeypatch.setattr("imdb_baselines.run.local.make_model", make)
    status, out = _run(tmp_path, "broken", "--models", "naive_bayes,linear_svm,nbsvm")
    assert status == 1
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "- `linear_svm` (minimal): failed: RuntimeError: out of memory on purpose" in markdown
    assert set(pd.read_csv(out / "results.csv")["model"]) == {"naive_bayes", "nbsvm"}


def test_ctrl_c_writes_a_report_of_the_finished_models(tmp_path, monkeypatch):
    real = registry.make_model

    class Interrupted:
        def fit(self, X, y):
            raise KeyboardInterrupt

    monkeypatch.setattr("imdb_baselines.run.local.make_model",
                        lambda name, **kw: Interrupted() if name == "nbsvm" else real(name, **kw))
    status, out = _run(tmp_path, "stopped", "--models", "naive_bayes,nbsvm,linear_svm")
    assert status == 130
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "**This run was stopped early** (interrupted by the user (Ctrl-C))" in markdown
    assert "`nbsvm` (minimal): interrupted: interrupted by the user (Ctrl-C)" in markdown
    assert list(pd.read_csv(out / "results.csv")["model"]) == ["naive_bayes"]


def test_a_crash_while_writing_leaves_no_half_written_report(tmp_path, monkeypatch):
    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("imdb_baselines.evaluation.folder.write_report", explode)
    status, _ = _run(tmp_path, "crash", "--models", "naive_bayes")
    assert status == 1  # a one-line error, not a traceback
    assert [p.name for p in tmp_path.iterdir()] == []  # no report, no staging folder, no lock file left


def test_stopword_ablation_table(tmp_path, capsys):
    status, out = _run(tmp_path, "ablation", "--models", "naive_bayes,nbsvm", "--stopwords", "minimal,none")
    assert status == 0
    console = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert sorted((words[0], words[1]) for words in console if words and words[0] in ("naive_bayes", "nbsvm")) == [
        ("naive_bayes", "minimal"), ("naive_bayes", "none"), ("nbsvm", "minimal"), ("nbsvm", "none")]
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "## Stopword ablation" in markdown and "Δ vs `none` (minimal)" in markdown
    results = pd.read_csv(out / "results.csv")
    assert len(results) == 4 and set(results["stopwords"]) == {"minimal", "none"}
    nb = results[results.model == "naive_bayes"].set_index("stopwords")["accuracy"]
    row = next(line for line in markdown.splitlines() if line.startswith("| `naive_bayes` |") and "pt |" in line)
    assert f"{100 * (nb['minimal'] - nb['none']):+.2f} pt" in row


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--models", "naive_bayes,transformer"], "valid names: naive_bayes, linear_svm, nbsvm, ensemble, lstm"),
        (["--stopwords", "englsh"], "'stopwords' parameter"),
        (["--sample", "2"], "--sample must be at least 10"),
        (["--sample", "5"], "--sample must be at least 10"),
        (["--validation-size", "1.5"], "--validation-size must be in [0, 0.5]"),
        (["--validation-size", "0.97"], "--validation-size must be in [0, 0.5]"),
        (["--no-such-option"], "unrecognized arguments"),
        (["--stopwords", ""], "--stopwords is empty"),
        (["--stopwords", ","], "--stopwords is empty"),
        (["--models", ""], "--models is empty"),
        (["--models", " , "], "--models is empty"),
        (["--data", ""], "--data is empty"),
        (["--out", ""], "--out is empty"),
        (["--seed", "4294967296"], "--seed must be an int in [0, 4294967295]"),
        (["--seed", "-1"], "--seed must be an int in [0, 4294967295]"),
        (["--bootstrap", "1"], "--bootstrap must be 0 (no intervals) or an int in [100, 100000]"),
        (["--bootstrap", "-5"], "--bootstrap must be 0 (no intervals) or an int in [100, 100000]"),
    ],
)
def test_bad_options_are_clear_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as info:
        compare.main([*BASE, *argv])
    assert info.value.code == 2 and message in capsys.readouterr().err


def test_list_models_describes_each_with_its_reference_figures(capsys):
    assert compare.main(["--list-models"]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = [line.split()[0] for line in lines if not line.startswith(" ")]
    assert names == ["naive_bayes", "linear_svm", "nbsvm", "ensemble", "lstm", "bilstm", "gru", "cnn", "fasttext",
                     "fasttext_trigrams", "region_cnn", "region_cnn_unlabelled", "ensemble_region_cnn",
                     "fasttext_w2v"]
    stack = next(line for line in lines if line.startswith("ensemble_region_cnn"))
    assert " stack " in stack and "the longest fit: 20 to 30 minutes on IMDB with 2 cores" in stack
    assert "about 2 minutes on one H200 GPU with Keras on JAX" in stack
    start = lines.index(next(line for line in lines if line.startswith("nbsvm")))
    block = [line.strip() for line in lines[start + 1:start + 8] if line.startswith(" ")]
    nbsvm = [lines[start], " ".join(block)]
    assert "baseline" in nbsvm[0] and "NBSVM over raw review texts" in nbsvm[0] and "``" not in nbsvm[0]
    assert "settings: ngram_range=(1, 3), alpha=1.0, C=1.0, beta=0.25, loss='svm', min_df=1" in nbsvm[1]
    assert "--tune grid: ngram_range in [(1, 1), (1, 2), (1, 3)]; C in [0.1, 0.3, 1.0]" in nbsvm[1]
    assert "engines: local, spark, chunked; exports: onnx; in the core install" in nbsvm[1]
    reference = json.loads((ROOT / "reports" / "reference" / "results.json").read_text(encoding="utf-8"))
    accuracy = next(r["accuracy"] for r in reference["results"] if r["model"] == "nbsvm")
    assert f"accuracy {accuracy:.4f}" in nbsvm[1]
    assert any("not in the reference report" in line for line in lines)  # bilstm, gru, cnn
    from imdb_baselines.catalog import spec
    from imdb_baselines.reference import settings_since

    text = " ".join(line.strip() for line in lines)
    for name in names:  # a figure of an earlier form of a model names the catalogue's settings it ran without
        changed = settings_since(name, {key: value for key, value in spec(name).settings.items() if key != "model"})
        assert (f"reference (IMDB, full data, before {', '.join(changed)}): accuracy" in text) == bool(changed)
    assert text.count("full data, before") == sum(bool(settings_since(name, {
        key: value for key, value in spec(name).settings.items() if key != "model"})) for name in names)


def test_the_reference_figures_a_caller_changes_stay_as_shipped():
    from imdb_baselines.reference import reference_figures

    figures = reference_figures()
    accuracy = figures["nbsvm"]["accuracy"]
    figures["nbsvm"]["accuracy"] = 0.0
    figures.pop("lstm")
    assert reference_figures()["nbsvm"]["accuracy"] == accuracy > 0.9 and "lstm" in reference_figures()


def test_missing_data_is_a_clear_error(tmp_path, capsys):
    assert compare.main(["--data", str(tmp_path / "missing.tar.gz"), "--quiet"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_sample_draws_a_stratified_subset(tmp_path):
    status, out = _run(tmp_path, "sample", "--models", "naive_bayes", "--sample", "20")
    assert status == 0
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert data["provenance"]["split_sizes"] == {"train": 18, "validation": 2, "test": 20}
    assert np.isclose(pd.read_csv(out / "predictions.csv")["label"].mean(), 0.5)


def test_no_validation_split_means_the_same_training_texts_for_every_model(tmp_path):
    status, out = _run(tmp_path, "noval", "--models", "naive_bayes,fasttext", "--epochs", "1",
                       "--validation-size", "0")
    assert status == 0
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert data["provenance"]["split_sizes"] == {"train": 80, "validation": 0, "test": 80}
    assert set(data["histories"]["fasttext"]) == {"accuracy", "loss", "epoch_time"}  # nothing held out


@pytest.fixture
def no_loading(monkeypatch):
    """Fail the test if the run gets as far as loading data."""
    def load(*args, **kwargs):
        raise AssertionError("the data was loaded before the report folder was checked")

    monkeypatch.setattr("imdb_baselines.corpus.load_imdb", load)


def _refused(capsys, argv, message):
    assert compare.main([*BASE, *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and err.count("\n") == 1, err


def test_out_refuses_user_folders_before_loading_and_deletes_nothing(tmp_path, capsys, monkeypatch, no_loading):
    thesis = tmp_path / "p"
    thesis.mkdir()
    (thesis / "thesis.tex").write_text("hi", encoding="utf-8")
    _refused(capsys, ["--out", str(thesis)], "already holds files that imdb-baselines did not write (thesis.tex)")
    assert (thesis / "thesis.tex").read_text(encoding="utf-8") == "hi"
    (tmp_path / "results.txt").write_text("mine", encoding="utf-8")
    _refused(capsys, ["--out", str(tmp_path / "results.txt")], "is a file")
    monkeypatch.chdir(thesis)
    _refused(capsys, ["--out", "."], "did not write")
    _refused(capsys, ["--out", str(tmp_path / "results.txt" / "report")], "Cannot write")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p", "results.txt"]


def test_out_never_touches_the_data(tmp_path, capsys):
    data = tmp_path / "copy" / "aclImdb"
    shutil.copytree(FIXTURE_ROOT, data)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    argv = ["--data", str(data), "--excerpt", "--bootstrap", "0", "--quiet", "--models", "naive_bayes"]
    for out in (data, data.parent):
        assert compare.main([*argv, "--out", str(out)]) == 2
        assert "which this run reads; nothing was changed" in capsys.readouterr().err
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_too_small_a_split_is_found_after_loading_before_any_model(tmp_path, capsys, monkeypatch):
    def make(name, **kwargs):
        raise AssertionError("a model was built")

    monkeypatch.setattr("imdb_baselines.run.local.make_model", make)
    _refused(capsys, ["--out", str(tmp_path / "r"), "--sample", "10"],
             "a validation carve of 1 text(s) cannot hold one of each of the 2 classes")
    _refused(capsys, ["--out", str(tmp_path / "r"), "--sample", "12", "--validation-size", "0.5"],
             "class 0 has 6 training text(s), 3 left after the validation carve; at least 5 are needed")
    assert not (tmp_path / "r").exists()


def test_bootstrap_zero_means_no_intervals(tmp_path):
    previous = os.umask(0o022)
    try:
        status, out = _run(tmp_path, "noci", "--models", "naive_bayes", "--bootstrap", "0")
    finally:
        os.umask(previous)
    assert status == 0
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "No confidence intervals (`--bootstrap 0`)" in markdown and "[95% CI]" not in markdown
    results = pd.read_csv(out / "results.csv")
    assert results["accuracy_ci_low"].isna().all() and results["accuracy"].notna().all()
    assert out.stat().st_mode & 0o777 == 0o755  # the user's umask, like any folder they create


def test_help_documents_every_rule(capsys):
    with pytest.raises(SystemExit):
        compare.main(["--help"])
    text = capsys.readouterr().out
    for rule in ("--bootstrap   0 (no intervals) or an int in [100, 100000]", "--seed        an int in [0, 2**32 - 1]",
                 "absent, empty, or a report folder this package wrote", "143"):
        assert rule in text


@pytest.mark.parametrize(("setting", "message"), [
    ("nbsvm.C=0.5x", "nbsvm.C must be like 1.0 (float); got '0.5x'"),
    ("nbsvm.gamma=1", "nbsvm has no setting 'gamma'; its settings: C, alpha, beta, class_weight, hash_bits, loss, "
                      "min_df, ngram_range"),
    ("lstm.units=32", "names 'lstm', which this run does not train"),
    ("nbsvm=0.5", "is not MODEL.KEY=VALUE"),
    ("nbsvm.ngram_range=3", "nbsvm.ngram_range must be like (1, 3)"),
])
def test_set_is_type_checked_before_loading(setting, message, capsys, no_loading):
    with pytest.raises(SystemExit) as info:
        compare.main([*BASE, "--models", "naive_bayes,nbsvm", "--set", setting])
    err = capsys.readouterr().err
    assert info.value.code == 2 and "error: --set: " in err and message in err and "Traceback" not in err


def test_set_changes_one_models_setting_and_is_recorded(tmp_path):
    status, out = _run(tmp_path, "set", "--models", "nbsvm,linear_svm,fasttext", "--bootstrap", "0",
                       "--set", "nbsvm.ngram_range=(1, 1)", "--set", "fasttext.epochs=1", "--set", "linear_svm.C=0.01")
    assert status == 0
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    settings = data["provenance"]["model_settings"]
    assert settings["nbsvm"]["ngram_range"] == [1, 1] and settings["nbsvm"]["C"] == 1.0
    assert settings["linear_svm"]["C"] == 0.01 and settings["fasttext"]["epochs"] == 1
    assert settings["fasttext"]["learning_rate"] == 0.003  # the named model's own value, not the estimator's
    assert len(data["histories"]["fasttext"]["loss"]) == 1
    assert data["provenance"]["package"].startswith("imdb-baselines ")
    default = _run(tmp_path, "default", "--models", "nbsvm", "--bootstrap", "0")[1]
    before = pd.read_csv(default / "results.csv").set_index("model").loc["nbsvm", "model_mib"]
    assert pd.read_csv(out / "results.csv").set_index("model").loc["nbsvm", "model_mib"] < before  # unigrams only


def test_the_index_of_runs_never_overwrites_a_readme_it_did_not_write(tmp_path):
    from imdb_baselines.evaluation.report import update_index

    (tmp_path / "README.md").write_text("# My notes on these runs\n", encoding="utf-8")
    update_index(tmp_path)
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "# My notes on these runs\n"
    (tmp_path / "README.md").unlink()
    update_index(tmp_path)
    update_index(tmp_path)  # its own: rewritten
    assert (tmp_path / "README.md").read_text(encoding="utf-8").startswith("# Reports\n")


def test_tune_searches_the_grid_on_training_texts_only_and_fits_the_best(tmp_path, monkeypatch):
    import dataclasses

    from imdb_baselines.catalog import CATALOG

    monkeypatch.setitem(CATALOG, "nbsvm", dataclasses.replace(CATALOG["nbsvm"], grid={"C": [0.01, 1.0]}))
    from imdb_baselines.run import tuning

    seen, original, bars = [], tuning._fit_and_score, []

    def recording(model, X, y, train, test, fit_params, metric):  # every fit's texts, and those it is scored on
        seen.append(list(X))
        return original(model, X, y, train, test, fit_params, metric)

    def counting_bar(**options):
        bars.append(options)
        return progress_bar(**options)

    from imdb_baselines.corpus.progress import progress_bar

    monkeypatch.setattr(tuning, "tuning_jobs", lambda n: 1)  # in this process, so that the fits can be watched
    monkeypatch.setattr(tuning, "_fit_and_score", recording)
    monkeypatch.setattr("imdb_baselines.corpus.progress.progress_bar", counting_bar)
    status, out = _run(tmp_path, "tuned", "--models", "naive_bayes,nbsvm", "--bootstrap", "0", "--tune",
                       "--set", "naive_bayes.alpha=0.5")
    assert status == 0
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    nbsvm = data["tuning"]["nbsvm"]
    assert nbsvm["folds"] == 5 and len(nbsvm["grid"]) == 2
    assert abs(nbsvm["best_score"] - max(row["mean"] for row in nbsvm["grid"])) < 1e-4
    assert all("alpha" not in key for key in data["tuning"]["naive_bayes"]["best_params"])  # fixed by --set
    test_texts = set(pd.read_csv(out / "predictions.csv")["text"])
    assert seen and all(not set(texts) & test_texts for texts in seen)  # the search never saw a test text
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "## Tuning (`--tune`)" in markdown and "`nbsvm`: 2 candidates × 5 folds" in markdown
    # a bar that counts every fit (so tqdm shows the rate and the time left): 2 candidates × 5 folds for NBSVM
    assert {bar["desc"]: bar["total"] for bar in bars if "tuning" in bar.get("desc", "")} == {
        "naive_bayes: tuning, 3 candidates × 5 folds": 15, "nbsvm: tuning, 2 candidates × 5 folds": 10}


def test_tuning_uses_both_cores_for_the_baselines_and_finds_the_same(fixture_splits):
    """Two fits at a time (in worker processes) give the very scores of one at a time."""
    from imdb_baselines import corpus
    from imdb_baselines.catalog import make_model, search_grid
    from imdb_baselines.run.tuning import PARALLEL_TEXTS, tune, tuning_jobs

    assert tuning_jobs(22_500) == min(2, os.cpu_count()) and tuning_jobs(PARALLEL_TEXTS + 1) == 1
    X = corpus.prepare(fixture_splits.X_train)
    runs = [tune(lambda settings: make_model("nbsvm", settings=settings), "nbsvm", X, fixture_splits.y_train,
                 grid={**search_grid("nbsvm"), "beta": [0.25], "min_df": [1]}, neural=False, n_jobs=jobs)
            for jobs in (1, 2)]
    assert runs[0].grid == runs[1].grid and runs[0].best_params == runs[1].best_params and len(runs[0].grid) == 18


def test_cross_validation_splits_keep_the_prepared_tokens(fixture_splits):
    from sklearn.model_selection import cross_val_score

    from baselines import make_nbsvm
    from imdb_baselines import corpus

    prepared = corpus.prepare(fixture_splits.X_train)
    part = prepared[np.array([0, 2, 4])]
    assert isinstance(part, corpus.PreparedTexts) and list(part) == [prepared[0], prepared[2], prepared[4]]
    assert part.tokens() == [prepared.tokens()[i] for i in (0, 2, 4)]
    mask = np.zeros(len(prepared), bool)
    mask[[1, 3]] = True
    assert list(prepared[mask]) == [prepared[1], prepared[3]]
    scores = cross_val_score(make_nbsvm(), prepared, fixture_splits.y_train, cv=3)
    assert np.allclose(scores, cross_val_score(make_nbsvm(), list(fixture_splits.X_train), fixture_splits.y_train,
                                               cv=3))


def test_word_vectors_from_the_unlabelled_reviews_are_learned_once_and_cached(tmp_path, caplog):
    import logging

    from imdb_baselines.corpus import default_cache_dir

    with caplog.at_level(logging.INFO):
        status, out = _run(tmp_path, "w2v", "--models", "fasttext_w2v", "--epochs", "1", "--bootstrap", "0")
    assert status == 0 and "Learning word vectors from" in caplog.text
    [vectors] = (default_cache_dir() / "vectors").glob("word2vec-*.txt")
    learned = vectors.stat().st_mtime_ns
    state = json.loads((out / "models" / "fasttext_w2v" / "state.json").read_text(encoding="utf-8"))
    assert state["params"]["embeddings"] == "word2vec:unlabelled" and state["word_vectors"] == str(vectors)
    assert int(vectors.read_text(encoding="utf-8").split()[1]) == 50  # the model's embedding_dim
    caplog.clear()
    with caplog.at_level(logging.INFO):
        assert _run(tmp_path, "again", "--models", "fasttext_w2v", "--epochs", "1", "--bootstrap", "0")[0] == 0
    assert "cached" in caplog.text and vectors.stat().st_mtime_ns == learned
    first, second = (pd.read_csv(folder / "predictions.csv")["fasttext_w2v_score"]
                     for folder in (out, tmp_path / "again"))
    assert np.allclose(first, second)  # the same seed, the same vectors, the same model


def test_a_model_that_needs_unlabelled_texts_is_refused_with_own_data(tmp_path, capsys):
    sst = FIXTURE_ROOT.parent / "sst5"
    with pytest.raises(SystemExit) as info:
        compare.main(["--data", str(sst / "train.csv"), "--test", str(sst / "test.csv"), "--text-column", "sentence",
                      "--models", "fasttext_w2v", "--out", str(tmp_path / "x")])
    assert info.value.code == 2 and "only IMDB provides" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
