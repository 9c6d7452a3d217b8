"""Bad settings and bad data are refused before any data is read or any model trains, each with one line."""

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from imdb_baselines import corpus
from imdb_baselines.cli import compare
from tests.conftest import FIXTURE_ROOT, FIXTURES

ROOT = Path(__file__).resolve().parent.parent
NO_DATA = ["--data", "/nonexistent/reviews.csv"]  # a check that read the data first would fail on this instead


def _refused(capsys, *argv) -> str:
    with pytest.raises(SystemExit) as stop:
        compare.main([*argv, "--quiet"])
    assert stop.value.code == 2
    message = capsys.readouterr().err.strip().splitlines()[-1]
    assert "Traceback" not in message
    return message


@pytest.mark.parametrize(("models", "setting", "expected"), [
    ("nbsvm", "nbsvm.C=-1", "'C' parameter of NBSVMClassifier must be a finite float > 0. Got -1.0"),
    ("nbsvm", "nbsvm.C=0", "'C' parameter of NBSVMClassifier must be a finite float > 0. Got 0.0"),
    ("nbsvm", "nbsvm.C=1e999", "'C' parameter of NBSVMClassifier must be finite. Got inf"),
    ("naive_bayes", "naive_bayes.alpha=-1", "'alpha' parameter of NaiveBayesClassifier must be a float in the range"),
    ("nbsvm", "nbsvm.ngram_range=(3,1)", "'ngram_range' parameter of NgramVectorizer must be a tuple"),
    ("ensemble", "ensemble.span=-5", "'span' parameter of make_ensemble must be an int >= 1. Got -5"),
    ("linear_svm", "linear_svm.C=1e999", "'C' parameter of LinearSVC must be finite"),
    ("lstm", "lstm.units=0", "'units' parameter of KerasTextClassifier must be an int in [1, 100,000] or None"),
    ("lstm", "lstm.maxlen=10000000", "'maxlen' parameter of KerasTextClassifier must be an int in [1, 100,000]"),
])
def test_out_of_range_settings_are_refused_before_the_data_is_read(capsys, models, setting, expected):
    message = _refused(capsys, *NO_DATA, "--models", models, "--set", setting)
    assert expected in message and models in message


def test_unbounded_counts_and_unknown_encodings_are_refused_up_front(capsys):
    assert "--bootstrap must be 0 (no intervals) or an int in [100, 100000]" in _refused(
        capsys, *NO_DATA, "--bootstrap", "1000000000")
    assert "'epochs' parameter of KerasTextClassifier must be an int in [1, 10,000]" in _refused(
        capsys, *NO_DATA, "--models", "fasttext", "--epochs", "1000000000")
    assert "--encoding 'klingon' is not an encoding" in _refused(capsys, *NO_DATA, "--encoding", "klingon")
    assert "both 'label'; name two different columns" in _refused(
        capsys, *NO_DATA, "--text-column", "label", "--label-column", "label")


def _table(tmp_path, name, text) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _rows(labels) -> str:
    texts = ["a fine film", "a dull film", "great acting", "poor acting", "loved it", "hated it"]
    return "text,label\n" + "".join(f"{texts[i % 6]} {i},{label}\n" for i, label in enumerate(labels))


@pytest.mark.parametrize("missing", ["NA", "NaN", "nan", "null", "N/A"])
def test_missing_label_markers_are_rows_without_a_label_not_classes(tmp_path, missing):
    path = _table(tmp_path, "reviews.csv", _rows([0, 1] * 5 + [missing]))
    with pytest.raises(corpus.DataError, match=r"1 row\(s\) without a label .*reviews.csv:11"):
        corpus.load_texts(path)


def test_fractional_labels_are_refused_by_the_loader_and_whole_floats_become_ints(tmp_path):
    with pytest.raises(corpus.DataError, match=r"fractional numbers, e.g. 0.5"):
        corpus.from_frames(pd.DataFrame({"text": [f"text {i}" for i in range(10)], "label": [0.5, 1.0] * 5}))
    data = corpus.from_frames(pd.DataFrame({"text": [f"text {i}" for i in range(10)], "label": [0.0, 1.0] * 5}))
    assert data.classes == (0, 1)


def test_one_column_for_text_and_label_is_refused(tmp_path):
    path = _table(tmp_path, "reviews.csv", _rows([0, 1] * 5))
    for column in ("label", "text"):
        with pytest.raises(corpus.DataError, match=f"both '{column}'"):
            corpus.load_texts(path, text_column=column, label_column=column)


def test_an_empty_class_folder_is_named_not_dropped(tmp_path):
    for label, count in (("pos", 6), ("neg", 6), ("neutral", 0)):
        (tmp_path / "data" / label).mkdir(parents=True)
        for i in range(count):
            (tmp_path / "data" / label / f"{i}.txt").write_text(f"a {label} text {i}", encoding="utf-8")
    with pytest.raises(corpus.DataError, match=r"class folders without texts: 'neutral'"):
        corpus.load_texts(tmp_path / "data")


def test_duplicate_columns_and_keys_are_refused(tmp_path):
    path = _table(tmp_path, "reviews.csv", "text,label,text\n" + "".join(f"t{i},{i % 2},u{i}\n" for i in range(10)))
    with pytest.raises(corpus.DataError, match=r"names 'text' more than once"):
        corpus.load_texts(path)
    lines = [json.dumps({"text": f"t{i}", "label": i % 2})[:-1] + f', "label": {1 - i % 2}}}' for i in range(10)]
    path = _table(tmp_path, "reviews.jsonl", "\n".join(lines) + "\n")
    with pytest.raises(corpus.DataError, match=r"line 1: the key 'label' appears twice"):
        corpus.load_texts(path)


def test_a_sample_larger_than_the_data_is_refused(capsys, tmp_path):
    out = tmp_path / "report"
    assert compare.main(["--data", str(FIXTURE_ROOT), "--excerpt", "--sample", "1000000000000", "--models",
                         "naive_bayes", "--quiet", "--out", str(out)]) == 2
    assert "no sample: the largest split of" in capsys.readouterr().err
    assert not out.exists()


def test_a_very_wide_first_line_is_read_quickly_and_its_error_lists_a_few_columns(tmp_path):
    path = tmp_path / "wide.csv"
    header = ",".join(f'"column {i}"' for i in range(80_000))
    path.write_text(header + "\n" + ",".join("x" for _ in range(80_000)) + "\n", encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(corpus.DataError) as error:
        corpus.load_texts(path)
    assert time.perf_counter() - started < 30
    assert "'column 9' and 79,990 more" in str(error.value) and len(str(error.value)) < 600


def test_an_sst_table_still_loads(tmp_path):
    data = corpus.load_texts(FIXTURES / "sst5" / "train.csv", text_column="sentence")
    assert len(data.classes) == 5


def test_a_predict_pipe_closed_early_and_a_full_disk_are_one_line_each(kept_report):
    model = str(kept_report / "models" / "nbsvm")
    many = "\n".join(f"A fine film, number {i}." for i in range(5000)) + "\n"
    piped = subprocess.run(f"{sys.executable} -m imdb_baselines.cli.predict --model {model} --quiet --batch-size 50 "
                           "| head -1", shell=True, input=many, capture_output=True, text=True, timeout=300)
    assert piped.stdout.startswith(" line  text") and piped.stderr == ""
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "imdb_baselines.cli.predict", "--model", model, "--quiet",
                               "Good."], stdout=full, stderr=subprocess.PIPE, text=True, timeout=300)
    assert done.returncode == 1 and done.stderr.strip() == (
        "error: the predictions could not be written (No space left on device)")


def test_predict_reads_standard_input_as_strict_utf8_and_refuses_a_negative_explain(kept_report):
    model = str(kept_report / "models" / "nbsvm")
    done = subprocess.run([sys.executable, "-m", "imdb_baselines.cli.predict", "--model", model, "--quiet"],
                          input=b"A fine film.\n\xff\xfe broken\n", capture_output=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"})
    assert done.returncode == 2 and b"standard input is not UTF-8 text (byte 0xff" in done.stderr
    refused = subprocess.run([sys.executable, "-m", "imdb_baselines.cli.predict", "--model", model, "--explain", "-1",
                              "Good."], capture_output=True, text=True, timeout=300)
    assert refused.returncode == 2 and "--explain must be an int >= 0" in refused.stderr


def test_a_report_inside_the_data_is_refused_and_leaves_nothing_there(capsys, tmp_path):
    data = tmp_path / "polarity"
    shutil.copytree(FIXTURES / "polarity2k", data)
    before = sorted(p.relative_to(data) for p in data.rglob("*"))
    assert compare.main(["--data", str(data), "--models", "naive_bayes", "--quiet", "--out",
                         str(data / "report")]) == 2
    assert "is inside" in capsys.readouterr().err
    assert sorted(p.relative_to(data) for p in data.rglob("*")) == before  # no report, no lock file
