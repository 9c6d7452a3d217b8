"""imdb-predict on models a real comparison kept: every input path and format, and every bad input."""

import io
import json
import re
import subprocess
import sys

import pandas as pd
import pytest

from imdb_baselines import corpus
from imdb_baselines.cli import predict
from tests.conftest import FIXTURE_ROOT

RAVE, PAN = "A moving, beautifully acted film. I loved every minute.", "The worst film ever, a waste of time."


@pytest.fixture(scope="module")
def report(kept_report):
    return kept_report


def test_every_model_side_by_side_as_a_table(report, capsys):
    assert predict.main(["--all", str(report), "--quiet", RAVE, PAN]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:2] == ["line", "text"] and lines[0].split()[2:] == ["fasttext", "naive_bayes", "nbsvm"]
    assert len(lines) == 3 and lines[1].split()[0] == "1" and lines[2].split()[0] == "2"
    # IMDB's labels as people read them in the table (JSON Lines and CSV keep 0 and 1)
    assert {word for line in lines[1:] for word in line.split()} & {"positive", "negative"}
    assert not {word for line in lines[1:] for word in line.split()} & {"0", "1"} - {lines[1].split()[0]}


def test_json_lines_agree_with_the_report_predictions(report, tmp_path, capsys):
    predictions = pd.read_csv(report / "predictions.csv")
    texts = predictions["text"].tolist()[:25]
    (tmp_path / "reviews.txt").write_text("\n".join(t.replace("\n", " ") for t in texts) + "\n", encoding="utf-8")
    assert predict.main(["--model", str(report / "models" / "nbsvm"), "--model", str(report / "models" / "naive_bayes"),
                         "--file", str(tmp_path / "reviews.txt"), "--format", "jsonl", "--batch-size", "7",
                         "--quiet"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["line"] for r in records] == list(range(1, 26))
    assert [r["predictions"]["nbsvm"]["label"] for r in records] == predictions["nbsvm_prediction"][:25].tolist()
    assert all(r["predictions"][name]["probability"] >= 0.5 for r in records for name in ("naive_bayes", "nbsvm"))
    assert all(r["predictions"]["nbsvm"]["score"] is not None and (r["predictions"]["nbsvm"]["score"] > 0)
               == (r["predictions"]["nbsvm"]["label"] == 1) for r in records)  # the label follows the margin


def test_csv_from_standard_input(report, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{RAVE}\n{PAN}\n"))
    assert predict.main(["--model", str(report / "models" / "fasttext"), "--format", "csv", "--quiet"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert list(table.columns) == ["line", "text", "fasttext_label", "fasttext_probability", "fasttext_score"]
    assert table["text"].tolist() == [RAVE, PAN] and table["fasttext_probability"].between(0.5, 1).all()


@pytest.mark.parametrize(("argv", "stdin", "message"), [
    (["--model", "{report}/missing"], "", "is not a saved model: no such folder"),
    (["--model", "{report}"], "", "is a report folder, not a saved model: use --all"),
    (["--model", "{report}/models"], "", "is not a saved model of imdb-baselines: it has no manifest.json"),
    (["--all", "{report}/models"], "", "has no saved models"),
    (["--model", "{report}/models/nbsvm"], "fine film\n\nbad film\n", "text 2 is empty; every line must hold a "
                                                                     "text (or pass --skip-empty)"),
    ([], "", "give --model PATH"),
    (["{report}/models/nbsvm", "fine film"], "", "models/nbsvm is a saved model, read here as a text to classify: "
                                                 "give it as --model "),
    (["{report}", "fine film"], "", "is a report folder, read here as a text to classify: give it as --all "),
    (["great film " * 40], "", "give --model PATH"),  # a long review is no path: no 'File name too long'
])
def test_bad_input_is_one_clear_line(report, argv, stdin, message, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    argv = [a.format(report=report) for a in argv]
    try:
        status = predict.main([*argv, "--quiet"])
    except SystemExit as exit_:
        status = exit_.code
    assert status == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_file_that_is_not_utf8(report, tmp_path):
    (tmp_path / "latin.txt").write_bytes("Très bon film\n".encode("latin-1"))
    done = subprocess.run([sys.executable, "-m", "imdb_baselines.cli.predict", "--model",
                           str(report / "models" / "nbsvm"), "--file", str(tmp_path / "latin.txt")],
                          capture_output=True, text=True, cwd=FIXTURE_ROOT.parents[2])
    assert done.returncode == 2 and "is not UTF-8 text (byte 0xe8" in done.stderr and "Traceback" not in done.stderr


def test_a_compressed_file_reads_as_its_plain_file(report, tmp_path, capsys):
    import bz2
    import gzip
    import lzma

    lines = "\ufeff" + "\n".join([RAVE, PAN, "An honest, quiet little film."]) + "\n"  # with a byte-order mark
    (tmp_path / "reviews.txt").write_text(lines, encoding="utf-8")
    outputs = []
    for name, compress in (("reviews.txt", None), ("reviews.txt.gz", gzip.compress), ("reviews.txt.bz2", bz2.compress),
                           ("reviews.txt.xz", lzma.compress)):
        if compress is not None:
            (tmp_path / name).write_bytes(compress(lines.encode("utf-8")))
        assert predict.main(["--model", str(report / "models" / "nbsvm"), "--file", str(tmp_path / name),
                             "--format", "jsonl", "--quiet"]) == 0
        outputs.append([json.loads(line) for line in capsys.readouterr().out.splitlines()])
    assert all(output == outputs[0] for output in outputs) and len(outputs[0]) == 3
    assert outputs[0][0]["text"] == RAVE  # the byte-order mark is not part of the first text
    # a cut download and a plain file named .gz each say what is wrong, in one line
    (tmp_path / "cut.txt.gz").write_bytes(gzip.compress(lines.encode("utf-8"))[:-12])
    (tmp_path / "plain.txt.gz").write_text(lines, encoding="utf-8")
    for name, message in (("cut.txt.gz", "Compressed file ended before the end-of-stream marker was reached"),
                          ("plain.txt.gz", "Not a gzipped file")):
        assert predict.main(["--model", str(report / "models" / "nbsvm"), "--file", str(tmp_path / name),
                             "--quiet"]) == 2
        err = capsys.readouterr().err
        assert f"{name} cannot be read: " in err and message in err and "Traceback" not in err


def test_explain_names_the_ngrams_for_linear_models_only(report, capsys):
    assert predict.main(["--all", str(report), "--explain", "2", "--format", "jsonl", "--quiet", PAN]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["predictions"]["fasttext"]["explanation"] is None
    for name in ("naive_bayes", "nbsvm"):
        reason = record["predictions"][name]["explanation"]
        assert len(reason["toward"]) <= 2 and all(c > 0 for _, c in reason["toward"])
        assert all(c < 0 for _, c in reason["against"])


def test_models_of_different_classes_are_not_mixed(report, tmp_path, capsys):
    from baselines import make_nbsvm
    from imdb_baselines.modelfiles import save_model
    from tests.conftest import FIXTURES

    trec = corpus.load_texts(FIXTURES / "trec" / "train.jsonl", text_column="question", label_column="coarse")
    other = save_model(make_nbsvm().fit(trec.train["text"], trec.train["label"]), tmp_path / "trec", name="trec")
    assert predict.main(["--model", str(report / "models" / "nbsvm"), "--model", str(other), RAVE]) == 2
    err = capsys.readouterr().err
    assert "trained on different classes" in err and "'ABBR'" in err


def test_the_table_keeps_its_columns_for_long_labels(tmp_path, capsys):
    from baselines import make_naive_bayes, make_nbsvm
    from imdb_baselines.modelfiles import save_model
    from tests.conftest import FIXTURES

    sst5 = corpus.load_texts(FIXTURES / "sst5" / "train.csv", text_column="sentence", test_size=0.0).train
    folders = [save_model(make(ngram_range=(1, 2)).fit(sst5["text"], sst5["label"]), tmp_path / name, name=name)
               for name, make in (("naive_bayes", make_naive_bayes), ("nbsvm", make_nbsvm))]
    assert predict.main(["--model", str(folders[0]), "--model", str(folders[1]), "--quiet",
                         "A gorgeous, moving film.", "Tedious and dull.", "It is a film."]) == 0
    header, *rows = capsys.readouterr().out.splitlines()
    starts = [header.index(name) for name in ("naive_bayes", "nbsvm")]
    assert len(rows) == 3
    for row in rows:  # each model's answer (e.g. "very positive 0.34") starts under its name, after two spaces
        assert all(row[start - 2:start] == "  " and row[start] != " " for start in starts), (header, row)
        assert re.fullmatch(r"(very )?(positive|negative)|neutral", row[starts[0]:starts[1]].strip()[:-5])


def test_empty_lines_can_be_skipped_and_are_counted(report, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{RAVE}\n\n   \n{PAN}\n"))
    assert predict.main(["--model", str(report / "models" / "nbsvm"), "--format", "jsonl", "--skip-empty",
                         "--quiet"]) == 0
    captured = capsys.readouterr()
    assert [json.loads(line)["line"] for line in captured.out.splitlines()] == [1, 4]
    assert "Skipped 2 empty line(s): 2, 3" in captured.err


def test_the_table_shows_contributions_a_reader_can_tell_apart(report, capsys):
    assert predict.main(["--model", str(report / "models" / "nbsvm"), "--explain", "3", "--quiet", RAVE]) == 0
    evidence = [line for line in capsys.readouterr().out.splitlines() if line.strip().startswith("nbsvm: for")]
    contributions = [float(c) for c in re.findall(r"\(([+-][0-9.e+-]+)\)", evidence[0])]
    assert contributions and all(c != 0 for c in contributions)


def test_the_table_keeps_its_columns_for_wide_characters(tmp_path, capsys):
    """Chinese characters take two terminal columns each: texts and labels are cut and padded by columns."""
    import unicodedata

    from baselines import make_naive_bayes, make_nbsvm
    from imdb_baselines.modelfiles import save_model

    texts = ["这部电影非常好看，演员的表演也很出色。", "故事感人，配乐优美，值得一看。", "剧情拖沓，浪费了两个小时。",
             "演技尴尬，台词生硬，不推荐。"] * 5
    labels = ["好", "好", "差", "差"] * 5
    folders = [save_model(make().fit(texts, labels), tmp_path / name, name=name)
               for name, make in (("naive_bayes", make_naive_bayes), ("nbsvm", make_nbsvm))]
    assert predict.main(["--model", str(folders[0]), "--model", str(folders[1]), "--quiet", "故事感人",
                         "剧情拖沓，浪费了两个小时。演技尴尬，台词生硬，不推荐。看了一半就睡着了。", "A film."]) == 0
    header, *rows = capsys.readouterr().out.splitlines()

    def columns(text):  # where a terminal shows each character
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    starts = [header.index(name) for name in ("naive_bayes", "nbsvm")]
    for row in rows:
        answers = [i for i, c in enumerate(row) if c in "好差"][-2:]  # each model's label, where it begins
        assert [columns(row[:i]) for i in answers] == starts, (header, row)
    assert rows[1].split()[1].endswith("…") and columns(rows[1].split()[1]) <= 40
