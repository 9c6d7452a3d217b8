"""The benchmarks' results files: replaced atomically when a benchmark wrote them, refused otherwise."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from results_file import (  # noqa: E402
    WRITTEN_BY,
    figure_target,
    read_results,
    results_target,
    write_figure,
    write_results,
)


def test_a_results_file_is_written_read_and_replaced(tmp_path):
    target = tmp_path / "deeper" / "nbsvm.json"
    write_results(target, {"accuracy": 0.9183})
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["written_by"] == WRITTEN_BY and document["results"] == {"accuracy": 0.9183}
    write_results(target, [1, 2])
    assert read_results(target) == [1, 2]
    assert [p.name for p in target.parent.iterdir()] == ["nbsvm.json"]  # no temporary file left beside it


@pytest.mark.parametrize("contents", ['{"accuracy": 0.5}', "my notes on the review corpus\n", ""])
def test_a_file_no_benchmark_wrote_is_refused_and_kept(tmp_path, contents):
    mine = tmp_path / "mine.json"
    mine.write_text(contents, encoding="utf-8")
    with pytest.raises(SystemExit, match="not a results file written by a benchmark"):
        write_results(mine, {"accuracy": 0.9})
    with pytest.raises(SystemExit, match="not a results file"):
        read_results(mine)
    assert mine.read_text(encoding="utf-8") == contents


def test_a_link_to_a_results_file_is_refused(tmp_path):
    real = write_results(tmp_path / "real.json", {"accuracy": 0.9})
    link = tmp_path / "link.json"
    link.symlink_to(real)
    with pytest.raises(SystemExit):
        results_target(link)
    with pytest.raises(SystemExit):
        results_target(tmp_path)  # a folder


def _figure(title: str):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(2, 2))
    figure.subplots().plot([1, 4, 16], [60, 250, 1000])
    figure.suptitle(title)
    return figure


def test_a_figure_is_drawn_marked_and_replaced(tmp_path):
    from PIL import Image

    target = write_figure(_figure("first"), tmp_path / "growth.png", dpi=50)
    first = target.read_bytes()
    write_figure(_figure("second"), target, dpi=50)
    assert target.read_bytes() != first
    with Image.open(target) as image:
        assert image.format == "PNG" and image.info["Source"] == WRITTEN_BY and image.size == (100, 100)
    assert [p.name for p in tmp_path.iterdir()] == ["growth.png"]  # no temporary file left beside it


@pytest.mark.parametrize("kind", ["a PNG drawn elsewhere", "text", "a folder"])
def test_a_figure_no_benchmark_drew_is_refused_and_kept(tmp_path, kind):
    mine = tmp_path / "growth.png"
    if kind == "a folder":
        mine.mkdir()
    elif kind == "text":
        mine.write_text("my notes on the growth runs\n", encoding="utf-8")
    else:
        _figure("mine").savefig(mine, dpi=50)
    before = None if mine.is_dir() else mine.read_bytes()
    with pytest.raises(SystemExit, match="not a figure drawn by a benchmark"):
        write_figure(_figure("new"), mine, dpi=50)
    assert before is None or mine.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["growth.png"]


def test_the_committed_growth_figure_can_be_redrawn_by_its_benchmark():
    assert figure_target(BENCHMARKS / "spark_growth.png") == BENCHMARKS / "spark_growth.png"


@pytest.mark.parametrize("script", ["nbsvm_all_reviews.py", "stopword_lists.py", "punctuation_tokens.py",
                                    "more_training_texts.py", "sentence_marks.py"])
def test_a_benchmark_refuses_a_users_file_before_it_runs(tmp_path, script):
    mine = tmp_path / "mine.json"
    mine.write_text('{"kept": true}', encoding="utf-8")
    run = subprocess.run([sys.executable, str(BENCHMARKS / script), "--data", str(tmp_path / "none"),
                          "--out", str(mine)], capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    assert "not a results file written by a benchmark" in run.stderr
    assert "Traceback" not in run.stderr
    assert mine.read_text(encoding="utf-8") == '{"kept": true}'


@pytest.mark.parametrize(("flags", "message"), [
    (["--neural", "filtrs=1000"], "--neural: region_cnn_unlabelled has no setting 'filtrs'"),
    (["--neural", "filters=many"], "--neural: region_cnn_unlabelled.filters must be like 500 (int); got 'many'"),
    (["--refit", "--validation-only"], "--refit fits members on the validation split, which --validation-only"),
])
def test_the_stack_benchmark_checks_its_settings_before_it_loads_anything(tmp_path, flags, message):
    run = subprocess.run([sys.executable, str(BENCHMARKS / "region_cnn.py"), "--data", str(tmp_path / "none"),
                          *flags, "--out", str(tmp_path / "out.json")],
                         capture_output=True, text=True, timeout=300, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert run.returncode != 0 and message in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "out.json").exists()


def test_the_stacker_is_cross_validated_on_validation_scores_for_each_prefix_of_members():
    from region_cnn import stacker_folds

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 600)
    signal = np.where(y == 1, 1.0, -1.0)
    strong, second, noise = signal + rng.normal(0, 1.2, 600), signal + rng.normal(0, 1.2, 600), rng.normal(0, 1, 600)
    helped = stacker_folds(np.column_stack([strong, noise, second]), y, final_C=1.0)
    assert sorted(helped["prefixes"]) == [2, 3]
    assert all(len(row["accuracy"]) == 10 and len(row["log_loss"]) == 10 for row in helped["prefixes"].values())
    assert helped["gain"] > 2 * helped["standard_error"] > 0  # an informative third member earns its place
    idle = stacker_folds(np.column_stack([strong, second, noise]), y, final_C=1.0)
    assert abs(idle["gain"]) <= 2 * idle["standard_error"] + 1e-12  # noise does not


def test_the_sentence_marks_question_writes_marks_as_tokens_and_keeps_every_word():
    from sentence_marks import with_mark_words

    from imdb_baselines.corpus import TextPreprocessor

    prepare = TextPreprocessor("minimal")
    review = ('Not bad. Not good either: the plot (what there is) drags; the &quot;twist&quot;, '
              'well, 3.5 out of 10!<br /><br />Skip it?')
    tokens = prepare(with_mark_words([review])[0])
    assert [token for token in tokens if not token.startswith("mark")] == prepare(review)  # today's tokens, in order
    assert tokens[:4] == ["not", "bad", "markperiod", "not"]  # a bigram no longer joins two sentences
    assert [token for token in tokens if token.startswith("mark")] == [
        "markperiod", "markcolon", "markopen", "markclose", "marksemicolon", "markquote", "markquote", "markcomma",
        "markcomma", "markperiod"]  # &quot; gives a quote, not a semicolon; <br /> gives no mark
