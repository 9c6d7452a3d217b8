"""The comparison on data other than IMDB: the command line on each layout, and the Python leaderboard."""

import json
import logging
import re

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from imdb_baselines.api import compare as compare_models
from imdb_baselines.cli import compare
from imdb_baselines.options import CompareOptions
from tests.conftest import FIXTURES

SST, TREC, POLARITY = FIXTURES / "sst5", FIXTURES / "trec", FIXTURES / "polarity2k"
QUICK = ["--bootstrap", "200", "--quiet", "--epochs", "2"]


def _run(tmp_path, name, *argv):
    out = tmp_path / name
    assert compare.main([*argv, *QUICK, "--out", str(out)]) == 0
    return out, (out / "report.md").read_text(encoding="utf-8"), \
        json.loads((out / "results.json").read_text(encoding="utf-8"))


def test_sst5_csv_with_given_splits_writes_a_five_class_report(tmp_path):
    out, markdown, results = _run(
        tmp_path, "sst5", "--data", str(SST / "train.csv"), "--test", str(SST / "test.csv"), "--validation",
        str(SST / "dev.csv"), "--text-column", "sentence", "--models", "naive_bayes,linear_svm,nbsvm,cnn")
    assert markdown.startswith("# sst5: `naive_bayes`, `linear_svm`, `nbsvm`, `cnn`")
    assert "5 classes: `negative`, `neutral`, `positive`, `very negative`, `very positive`." in markdown
    assert "| Model | Accuracy [95% CI] | Macro precision [95% CI] |" in markdown
    assert "## Per class" in markdown and "| very negative | 12 |" in markdown
    assert "- `nbsvm` → `very negative`: " in markdown and "- `naive_bayes` → `neutral`: " in markdown
    assert results["provenance"]["split_sizes"] == {"train": 120, "validation": 40, "test": 60}
    predictions = pd.read_csv(out / "predictions.csv")
    assert set(predictions["nbsvm_prediction"]) <= set(results["provenance"]["classes"])
    assert [c for c in predictions.columns if c.startswith("cnn_score_")] == [
        f"cnn_score_{c}" for c in results["provenance"]["classes"]]
    table = pd.read_csv(out / "results.csv").set_index("model")
    for model in ("naive_bayes", "nbsvm", "cnn"):
        assert table.loc[model, "macro_f1"] == pytest.approx(skm.f1_score(
            predictions["label"], predictions[f"{model}_prediction"], average="macro"), abs=6e-5)
    assert sorted(p.name for p in out.iterdir() if p.suffix == ".png") == [
        "accuracy_vs_fit_time.png", "calibration.png", "confusion_matrices.png", "training_cnn.png"]  # no ROC figure


def test_trec_json_lines_and_polarity_folders(tmp_path):
    out, markdown, results = _run(
        tmp_path, "trec", "--data", str(TREC / "train.jsonl"), "--test", str(TREC / "test.jsonl"),
        "--text-column", "question", "--label-column", "coarse", "--models", "naive_bayes,nbsvm")
    assert "6 classes: `ABBR`, `DESC`, `ENTY`, `HUM`, `LOC`, `NUM`" in markdown
    assert results["provenance"]["split_sizes"]["test"] == 48
    # with six classes a mistake is shown with its margin over the class the model ranked next, named
    predictions = pd.read_csv(out / "predictions.csv").set_index("id")
    classes = results["provenance"]["classes"]
    mistakes = markdown.split("## Where each model goes wrong\n", 1)[1].split("\n## ", 1)[0]
    assert "the margin: how far the model's score for the predicted class lies above" in mistakes
    for model in ("naive_bayes", "nbsvm"):
        block = mistakes.split(f"### `{model}`\n", 1)[1].split("\n### ", 1)[0]
        listed = re.findall(r"- true `(\w+)`, predicted `(\w+)` \(margin ([\d.]+) over `(\w+)`, `([^`]+)`\)", block)
        assert len(listed) >= 6 and len(listed) == block.count("- true ")
        for true, predicted, margin, runner_up, key in listed:
            scores = predictions.loc[key, [f"{model}_score_{c}" for c in classes]].to_numpy(dtype=float)
            ranked = np.argsort(scores)
            assert (classes[ranked[-1]], classes[ranked[-2]]) == (predicted, runner_up) and true != predicted
            assert float(margin) == pytest.approx(scores[ranked[-1]] - scores[ranked[-2]], abs=5e-4 + 1e-9)
    _, markdown, results = _run(tmp_path, "polarity", "--data", str(POLARITY), "--models", "naive_bayes,nbsvm",
                                "--validation-size", "0.2", "--positive-label", "pos")
    assert "# polarity2k:" in markdown and "2 classes: `neg`, `pos` (positive: `pos`)" in markdown
    assert results["provenance"]["data_notes"] == ["test set carved from the training file: 20%, stratified, seed 0"]
    assert results["provenance"]["split_sizes"] == {"train": 25, "validation": 7, "test": 8}
    assert "| Model | Accuracy [95% CI] | Precision [95% CI] |" in markdown


def test_bad_data_is_one_line_before_any_model(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("imdb_baselines.run.local.make_model", lambda *a, **k: pytest.fail("a model was built"))
    argv = ["--data", str(SST / "train.csv"), "--out", str(tmp_path / "r"), "--quiet"]
    assert compare.main(argv) == 2
    err = capsys.readouterr().err
    assert "has no column 'text'. Its columns are: 'sentence', 'label'" in err and err.count("\n") == 1
    assert compare.main([*argv, "--text-column", "sentence", "--positive-label", "good"]) == 2
    err = capsys.readouterr().err
    assert "The positive label 'good' names one of two classes, and sst5 has 5: ['negative', 'neutral'," in err
    assert "Leave it out" in err and err.count("\n") == 1
    polarity = ["--data", str(POLARITY), "--out", str(tmp_path / "r"), "--quiet"]
    assert compare.main([*polarity, "--positive-label", "good"]) == 2
    assert "The positive label 'good' is not one of the two classes of polarity2k: ['neg', 'pos']" in (
        capsys.readouterr().err)
    missing = tmp_path / "reviews.csv.gz"  # neither a table's ending nor there: not taken for IMDB's archive
    assert compare.main(["--data", str(missing), "--out", str(tmp_path / "r"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"{missing} does not exist. Give IMDB's aclImdb_v1.tar.gz or its aclImdb folder, a CSV" in err
    assert "one sub-folder per class" in err and err.count("\n") == 1


@pytest.mark.parametrize("labels", [["pos", "neg"], [1, 0], [True, False]])
def test_python_leaderboard_from_a_dataframe_keeps_label_types(labels, tmp_path):
    texts = pd.read_csv(SST / "train.csv")
    mood = texts["label"].isin(["positive", "very positive"])
    frame = pd.DataFrame({"review": texts["sentence"], "sentiment": [labels[0] if m else labels[1] for m in mood]})
    train, test = frame.iloc[::2], frame.iloc[1::2]
    board = compare_models(train, test, models=["naive_bayes", "nbsvm"], text_column="review",
                           label_column="sentiment", bootstrap=0, out=tmp_path / "report")
    assert list(board.index) == sorted(board.index, key=lambda m: -board.loc[m, "accuracy"]) and len(board) == 2
    assert {"accuracy", "precision", "recall", "f1", "roc_auc", "fit_s"} <= set(board.columns)
    predictions = pd.read_csv(tmp_path / "report" / "predictions.csv")
    assert set(predictions["label"].astype(str)) == {str(v) for v in labels}


def test_python_leaderboard_from_arrays():
    texts = pd.read_csv(SST / "train.csv")
    X, y = texts["sentence"].tolist(), texts["label"].tolist()
    board = compare_models((X[::2], y[::2], X[1::2], y[1::2]), models=["linear_svm"], bootstrap=0)
    assert list(board.index) == ["linear_svm"] and "macro_f1" in board.columns
    with pytest.raises(ValueError, match=r"--models: unknown 'bert'; valid names: naive_bayes, linear_svm"):
        compare_models((X, y, X, y), models=["bert"])
    with pytest.raises(ValueError, match=r"unknown 'NBSVM' \(did you mean nbsvm\?\), 'naive-bayes' \(did you mean "
                                         r"naive_bayes\?\); valid names"):
        compare_models((X, y, X, y), models=["NBSVM", "naive-bayes"])
    with pytest.raises(ValueError, match="--models: nbsvm named twice"):
        compare_models((X, y, X, y), models=["nbsvm", "naive_bayes", "nbsvm"])
    with pytest.raises(ValueError, match="X_test has 119 texts and y_test 120 labels; give one label per text"):
        compare_models((X, y, X[1:], y), models=["nbsvm"])
    with pytest.raises(TypeError, match="X_train and y_train must be sequences .* not one string"):
        compare_models((X[0], y[:1], X, y), models=["nbsvm"])


def test_epochs_without_a_keras_model_are_said_to_change_nothing(caplog):
    texts = pd.read_csv(SST / "train.csv").head(240)
    X, y = texts["sentence"].tolist(), texts["label"].tolist()
    with caplog.at_level(logging.WARNING, logger="imdb_baselines.options"):
        compare_models((X[::2], y[::2], X[1::2], y[1::2]), models=["nbsvm", "naive_bayes"], epochs=3, bootstrap=0)
    assert ("--epochs only sets how the Keras models train, and none of nbsvm, naive_bayes is one: it changes "
            "nothing in this run") in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="imdb_baselines.options"):
        CompareOptions(models=("nbsvm", "fasttext"), epochs=3).checked()
    assert "--epochs" not in caplog.text


def test_the_command_line_and_python_take_the_same_options():
    """Every flag of imdb-compare is an option of imdb_baselines.compare under the same name, and back."""
    from dataclasses import fields

    from imdb_baselines.cli.compare import _parser
    from imdb_baselines.options import CompareOptions

    flags = {action.dest for action in _parser()._actions} - {"help", "list_models", "verbose"}
    assert flags == {f.name for f in fields(CompareOptions)}
    import imdb_baselines

    assert imdb_baselines.compare is compare_models and "compare" in dir(imdb_baselines)


def test_python_runs_what_the_command_line_runs(tmp_path):
    """Settings, tuning, repeats, calibration and a stopword ablation from Python, as from the command line."""
    import json

    texts = pd.read_csv(SST / "train.csv")
    X, y = texts["sentence"].tolist(), texts["label"].tolist()
    board = compare_models((X[::2], y[::2], X[1::2], y[1::2]), models=["nbsvm", "naive_bayes"], bootstrap=0,
                           settings={"nbsvm": {"C": 0.5}}, tune=True, repeats=2, calibration=False,
                           stopwords=["minimal", "none"], sort="f1", out=tmp_path / "r")
    assert board["stopwords"].tolist() == ["minimal", "minimal", "none", "none"]  # every list's rows, as results.csv
    table = pd.read_csv(tmp_path / "r" / "results.csv")
    assert list(board.index) == table["model"].tolist() and board["macro_f1"].tolist() == table["macro_f1"].tolist()
    for _, rows in board.groupby("stopwords"):
        assert rows["macro_f1"].tolist() == sorted(rows["macro_f1"], reverse=True)
    results = json.loads((tmp_path / "r" / "results.json").read_text(encoding="utf-8"))
    assert results["provenance"]["model_settings"]["nbsvm"]["C"] == 0.5
    assert all("C" not in row["params"] for row in results["tuning"]["nbsvm"]["grid"])
    assert len(results["seed_accuracies"]["nbsvm"]) == 2 and "naive_bayes" not in results["seed_accuracies"]
    assert results["calibration"] == {} and set(results["provenance"]["fingerprints"]) == {"minimal", "none"}
    with pytest.raises(ValueError, match=r"--repeats must be an int in \[1, 20\]"):
        compare_models((X, y, X, y), models=["nbsvm"], repeats=0)


def test_a_five_point_scale_keeps_the_order_the_user_gives(tmp_path, capsys):
    """SST-5's labels sort alphabetically (negative, neutral, positive, very negative, very positive);
    --class-order keeps the scale in the report, and every metric stays what it was."""
    import json

    scale = "very negative,negative,neutral,positive,very positive"
    base = ["--data", str(SST / "train.csv"), "--test", str(SST / "test.csv"), "--text-column", "sentence",
            "--models", "naive_bayes,nbsvm", "--bootstrap", "0", "--quiet"]
    assert compare.main([*base, "--out", str(tmp_path / "sorted")]) == 0
    assert compare.main([*base, "--class-order", scale, "--out", str(tmp_path / "scale")]) == 0
    plain = json.loads((tmp_path / "sorted" / "results.json").read_text(encoding="utf-8"))
    ordered = json.loads((tmp_path / "scale" / "results.json").read_text(encoding="utf-8"))
    assert plain["provenance"]["classes"][:2] == ["negative", "neutral"]
    assert ordered["provenance"]["classes"] == scale.split(",")
    assert [row["class"] for row in ordered["per_class"]["nbsvm"]] == scale.split(",")
    # sorted by name, the report says that the classes look like a scale and how to order them; ordered, it does not
    hint = "The classes look like a graded scale (`very negative` beside `negative`)"
    assert hint in (tmp_path / "sorted" / "report.md").read_text(encoding="utf-8")
    assert "(they are: negative, neutral, positive, very negative, very positive)" in \
        (tmp_path / "sorted" / "report.md").read_text(encoding="utf-8")
    assert hint not in (tmp_path / "scale" / "report.md").read_text(encoding="utf-8")
    # and SST-5's dev.csv, beside the training file and not given, is named with the flag that reads it
    assert f"`dev.csv` sits beside `train.csv` and was not read: `--validation {SST / 'dev.csv'}` uses it as given." \
        in (tmp_path / "sorted" / "report.md").read_text(encoding="utf-8")
    for name in ("naive_bayes", "nbsvm"):
        same = {row["model"]: row for row in plain["results"]}[name]
        other = {row["model"]: row for row in ordered["results"]}[name]
        assert {k: v for k, v in same.items() if not k.endswith("_s") and "memory" not in k and k != "model_mib"} \
            == {k: v for k, v in other.items() if not k.endswith("_s") and "memory" not in k and k != "model_mib"}
    predictions = pd.read_csv(tmp_path / "scale" / "predictions.csv")
    assert [c.removeprefix("nbsvm_score_") for c in predictions.columns if c.startswith("nbsvm_score_")] == \
        scale.split(",")
    assert compare.main([*base, "--class-order", "negative,positive", "--out", str(tmp_path / "bad")]) == 2
    assert "--class-order must name each class of the data once" in capsys.readouterr().err
    assert not (tmp_path / "bad" / "report.md").exists()


def test_an_ordered_categorical_label_column_carries_its_scale(tmp_path):
    """A Parquet table (or a DataFrame) whose labels are an ordered categorical keeps that order, as --class-order
    would; --class-order still decides when given."""
    scale = ["very negative", "negative", "neutral", "positive", "very positive"]
    table = pd.read_csv(SST / "train.csv")
    table["label"] = pd.Categorical(table["label"], categories=["unused", *scale], ordered=True)
    table.to_parquet(tmp_path / "sst5.parquet")
    base = ["--data", str(tmp_path / "sst5.parquet"), "--text-column", "sentence", "--models", "naive_bayes"]
    _, markdown, results = _run(tmp_path, "scale", *base)
    assert results["provenance"]["classes"] == scale and "graded scale" not in markdown
    assert f"classes in the order of the label column's categories: {', '.join(scale)}" in \
        results["provenance"]["data_notes"]
    _, _, results = _run(tmp_path, "given", *base, "--class-order", ",".join(sorted(scale)))
    assert results["provenance"]["classes"] == sorted(scale)
    from imdb_baselines.corpus import from_frames  # a DataFrame given from Python, the same

    assert from_frames(table, text_column="sentence").classes == tuple(scale)
    assert from_frames(table.astype({"label": str}), text_column="sentence").classes == tuple(sorted(scale))


def test_labels_that_differ_only_in_case_or_spaces_are_named_before_the_models_train(tmp_path, caplog):
    table = pd.read_csv(SST / "train.csv")
    table = table[table["label"].isin(["negative", "positive"])].reset_index(drop=True)
    for label, typed in (("negative", "Negative"), ("positive", "positive ")):  # half of each class mistyped
        table.loc[table.index[table["label"] == label][:12], "label"] = typed
    table.to_csv(tmp_path / "typed.csv", index=False)
    with caplog.at_level(logging.WARNING, logger="imdb_baselines"):
        _, markdown, results = _run(tmp_path, "typed", "--data", str(tmp_path / "typed.csv"), "--text-column",
                                    "sentence", "--models", "naive_bayes")
    assert set(results["provenance"]["classes"]) == {"Negative", "negative", "positive", "positive "}  # kept apart
    hint = "Classes that differ only in letter case or spaces are kept apart: 'Negative' and 'negative'; " \
           "'positive' and 'positive '."
    assert f"> **Warning:** {hint}" in markdown and any(hint in w for w in results["warnings"])
    assert hint in caplog.text  # said on the console too, before the models train
    clean = table.assign(label=table["label"].str.strip().str.lower())
    clean.to_csv(tmp_path / "clean.csv", index=False)
    _, markdown, _ = _run(tmp_path, "clean", "--data", str(tmp_path / "clean.csv"), "--text-column", "sentence",
                          "--models", "naive_bayes")
    assert "kept apart" not in markdown


def test_labels_written_as_numbers_keep_their_numeric_order():
    from imdb_baselines.corpus import sorted_classes

    assert sorted_classes(["10", "2", "1", "2"]) == ("1", "2", "10")


def test_texts_written_without_spaces_are_flagged_before_their_phrases_pass_for_words(tmp_path, capsys):
    from imdb_baselines.corpus import from_frames, segmentation_hints

    chinese = ["这部电影非常好看，演员的表演也很出色。", "故事感人，配乐优美，值得一看。",
               "导演的手法很高明，我很喜欢。", "剧情拖沓，浪费了两个小时。", "演技尴尬，台词生硬，不推荐。",
               "看了一半就睡着了，太无聊了。"]
    table = pd.DataFrame({"review": chinese * 6, "stars": (["good"] * 3 + ["bad"] * 3) * 6})
    table.to_csv(tmp_path / "reviews.csv", index=False)
    _, markdown, results = _run(tmp_path, "zh", "--data", str(tmp_path / "reviews.csv"), "--text-column", "review",
                                "--label-column", "stars", "--models", "naive_bayes")
    [hint] = [w for w in results["warnings"] if "without spaces" in w]
    assert hint.startswith("100% of the training texts' letters are in scripts written without spaces between words")
    assert "jieba for Chinese" in hint and f"> **Warning:** {hint}" in markdown
    assert "without spaces" in capsys.readouterr().err
    japanese = pd.DataFrame({"text": ["この映画はとても面白かった。", "二度と見たくない退屈な作品だ。"] * 10,
                             "label": [1, 0] * 10})
    korean = pd.DataFrame({"text": ["정말 재미있는 영화였어요", "시간이 아까운 영화입니다"] * 10, "label": [1, 0] * 10})
    assert segmentation_hints(from_frames(japanese, test_size=0.25))  # kana and kanji: no spaces either
    assert segmentation_hints(from_frames(korean, test_size=0.25)) == []  # Hangul is written with spaces
    thai = pd.DataFrame({"text": ["หนังเรื่องนี้สนุกมาก นักแสดงเล่นดีที่สุด", "น่าเบื่อมาก เสียเวลาสองชั่วโมง"] * 10,
                         "label": [1, 0] * 10})
    assert segmentation_hints(from_frames(thai, test_size=0.25))[0].startswith("100% of")  # vowel marks are no letters
    sentences = pd.read_csv(SST / "train.csv").rename(columns={"sentence": "text"})
    assert segmentation_hints(from_frames(sentences, test_size=0.25)) == []
