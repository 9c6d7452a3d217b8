"""--group-column: carves, folds and tuning folds keep each group on one side; IMDB's reviews carry their movie."""

from __future__ import annotations

import json
import re
import tarfile

import numpy as np
import pandas as pd
import pytest

from imdb_baselines import corpus
from imdb_baselines.catalog import make_model
from imdb_baselines.cli import compare as compare_cli
from imdb_baselines.options import CompareOptions
from imdb_baselines.run.folds import fold_indices
from imdb_baselines.run.tuning import tune
from tests.conftest import FIXTURE_ROOT, FIXTURES


@pytest.fixture(scope="module")
def grouped_csv(tmp_path_factory):
    """Polarity v2.0's excerpt as a table, each review grouped by its cvNNN prefix (the data set's own folds):
    20 groups of two reviews, one positive and one negative."""
    rows = [{"text": path.read_text(encoding="utf-8"), "label": label, "group": path.name.split("_")[0]}
            for label in ("pos", "neg") for path in sorted((FIXTURES / "polarity2k" / label).glob("*.txt"))]
    path = tmp_path_factory.mktemp("grouped") / "reviews.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _groups(frame: pd.DataFrame) -> set[str]:
    return set(frame["group"].astype(str))


def test_carves_take_whole_groups(grouped_csv):
    data = corpus.load_texts(grouped_csv, test_size=0.25, group_column="group")
    assert not _groups(data.train) & _groups(data.test) and len(data.test) == 10
    assert "whole groups of 'group'" in data.notes[-1]
    splits = corpus.make_splits(data, validation_size=0.2, group_column="group")
    assert not set(splits.groups["train"]) & set(splits.groups["validation"])
    assert splits.group_counts() == {"train": 12, "validation": 3, "test": 5, "shared": 0}
    plain = corpus.make_splits(corpus.load_texts(grouped_csv, test_size=0.25), validation_size=0.2)
    assert plain.fingerprint != splits.fingerprint


def test_folds_and_tuning_folds_keep_each_group_whole(grouped_csv):
    data = corpus.load_texts(grouped_csv, test_size=0.0, group_column="group")
    y, groups = data.train["label"].to_numpy(), data.train["group"].to_numpy()
    folds = fold_indices(y, 4, repeats=2, seed=0, groups=groups)
    assert len(folds) == 8
    for train, held in folds:
        assert not set(groups[train]) & set(groups[held])
    assert [sorted(h) for _, h in folds[:4]] != [sorted(h) for _, h in folds[4:]]  # each repeat draws anew
    texts = data.train["text"].tolist()

    def build(settings):
        return make_model("naive_bayes", stopwords="minimal", settings=settings)

    two = np.where(np.arange(len(y)) % 2, "a", "b")  # two groups (both classes in each): two folds at most
    assert tune(build, "naive_bayes", texts, y, grid={"alpha": [0.3, 1.0]}, neural=False, n_jobs=1,
                groups=two).folds == 2
    assert tune(build, "naive_bayes", texts, y, grid={"alpha": [0.3, 1.0]}, neural=False, n_jobs=1).folds == 5


def test_a_cross_validated_run_with_groups_says_how_many_each_side_has(grouped_csv, tmp_path):
    out = tmp_path / "report"
    assert compare_cli.main(["--data", str(grouped_csv), "--group-column", "group", "--models", "nbsvm", "--cv", "4",
                             "--tune", "--bootstrap", "0", "--quiet", "--out", str(out)]) == 0
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "Groups: `group` (training 18, validation 2); the validation carve and every fold take whole groups." \
        in markdown
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["provenance"]["groups"] == {"column": "group", "train": 18, "validation": 2, "test": 20,
                                               "shared": 0}
    assert [f["test_size"] for f in results["cross_validation"]["models"]["nbsvm"]["folds"]] == [10] * 4


def test_imdb_reviews_carry_their_movie_read_alike_from_folder_archive_and_cache(fixture_archive):
    lines = (FIXTURE_ROOT / "train" / "urls_pos.txt").read_text(encoding="utf-8").splitlines()
    folder = corpus.load_imdb(FIXTURE_ROOT, reviews_per_class=None)
    positive = folder.train[folder.train["label"] == 1]
    expected = [re.search(r"/title/(tt\d+)/", lines[i])[1] for i in positive["id"]]
    assert positive["movie"].tolist() == expected
    with tarfile.open(fixture_archive) as archive:
        assert "aclImdb/train/urls_pos.txt" in archive.getnames()
    first = corpus.load_imdb(fixture_archive, reviews_per_class=None)  # parsed, then cached
    again = corpus.load_imdb(fixture_archive, reviews_per_class=None)  # read from the cache
    for loaded in (first, again):
        assert loaded.train["movie"].tolist() == folder.train["movie"].tolist()
        assert loaded.test["movie"].tolist() == folder.test["movie"].tolist()


def test_imdb_compared_with_movie_groups(tmp_path):
    out = tmp_path / "report"
    assert compare_cli.main(["--data", str(FIXTURE_ROOT), "--excerpt", "--group-column", "movie", "--models",
                             "naive_bayes", "--bootstrap", "0", "--quiet", "--out", str(out)]) == 0
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    groups = results["provenance"]["groups"]
    assert groups["column"] == "movie" and groups["train"] + groups["validation"] >= 70 and groups["shared"] >= 0
    assert "Groups: `movie` (training " in (out / "report.md").read_text(encoding="utf-8")


def test_group_column_mistakes_are_one_line(grouped_csv, tmp_path, capsys):
    assert compare_cli.main(["--data", str(grouped_csv), "--group-column", "author", "--models", "nbsvm",
                             "--quiet", "--out", str(tmp_path / "a")]) == 2
    assert "has no group column 'author'; its columns: 'text', 'label', 'group'" in capsys.readouterr().err
    assert compare_cli.main(["--data", str(grouped_csv), "--group-column", "group", "--cv", "25", "--models",
                             "nbsvm", "--quiet", "--out", str(tmp_path / "b")]) == 2
    assert "--cv 25 needs at least 25" in capsys.readouterr().err
    holes = pd.read_csv(grouped_csv).assign(group=lambda f: f["group"].where(f.index != 3))
    holes.to_csv(tmp_path / "holes.csv", index=False)
    assert compare_cli.main(["--data", str(tmp_path / "holes.csv"), "--group-column", "group", "--models", "nbsvm",
                             "--quiet", "--out", str(tmp_path / "c")]) == 2
    assert "have no value in the group column 'group'" in capsys.readouterr().err
    with pytest.raises(ValueError, match="--engine spark does not take --group-column"):
        CompareOptions(engine="spark", models=("nbsvm",), group_column="movie").checked()
    with pytest.raises(ValueError, match="--group-column 'text' must name a column other than"):
        CompareOptions(group_column="text").checked()


def test_a_hint_for_an_engine_that_keeps_no_groups_points_at_those_that_do(grouped_csv):
    from imdb_baselines.run.chunked.engine import ChunkedEngine
    from imdb_baselines.run.local import LocalEngine

    data = corpus.load_texts(grouped_csv)
    (hint,) = corpus.group_hints(data, keeps_groups=False)
    assert hint.startswith("Column 'group' repeats 20 values over 40 texts, like a group id") and hint.endswith(
        "If they come from one source, the local and chunked engines keep each on one side with `--group-column "
        "group` (this engine does not).")
    assert LocalEngine.keeps_groups and ChunkedEngine.keeps_groups  # the Spark engine's is False (test_spark.py)


def test_the_report_points_at_group_structure_it_does_not_use(grouped_csv, tmp_path):
    def warnings(*argv):
        out = tmp_path / f"run{len(list(tmp_path.iterdir()))}"
        assert compare_cli.main([*argv, "--models", "naive_bayes", "--bootstrap", "0", "--quiet", "--out",
                                 str(out)]) == 0
        return json.loads((out / "results.json").read_text(encoding="utf-8"))["warnings"]

    found = warnings("--data", str(grouped_csv))
    assert any(w.startswith("Column 'group' repeats 20 values over 40 texts, like a group id") and
               w.endswith("If they come from one source, `--group-column group` keeps each on one side.")
               for w in found)
    assert not warnings("--data", str(grouped_csv), "--group-column", "group")
    trec = FIXTURES / "trec"
    assert not warnings("--data", str(trec / "train.jsonl"), "--test", str(trec / "test.jsonl"), "--text-column",
                        "question", "--label-column", "coarse")
    # Forum posts quoting the same template before each review: the openings give the source away.
    reviews = pd.read_csv(grouped_csv)
    opening = "Posted to the film club's board by a member, who wrote the following after the screening: "
    reviews.assign(text=[opening + text if i % 3 == 0 else text for i, text in enumerate(reviews["text"])])[
        ["text", "label"]].to_csv(tmp_path / "posts.csv", index=False)
    found = warnings("--data", str(tmp_path / "posts.csv"))
    assert any(w.startswith("14 texts (35%) open with the same 60 characters as another text (e.g. \"Posted to the "
                            "film club's board by a member") for w in found)
