"""The user's own data: every layout, every label type, and every bad file refused before training."""

import json
import shutil

import pandas as pd
import pytest

from imdb_baselines import corpus
from imdb_baselines.corpus import DataError, load_texts
from tests.conftest import FIXTURES

SST, TREC, POLARITY = FIXTURES / "sst5", FIXTURES / "trec", FIXTURES / "polarity2k"
SST_CLASSES = ("negative", "neutral", "positive", "very negative", "very positive")


def test_csv_with_given_test_and_validation_files():
    data = load_texts(SST / "train.csv", test=SST / "test.csv", validation=SST / "dev.csv", text_column="sentence")
    assert data.name == "sst5" and data.classes == SST_CLASSES
    assert (len(data.train), len(data.validation), len(data.test)) == (120, 40, 60)
    assert data.train.loc[0, "id"] == "train.csv:1" and data.test.loc[0, "id"] == "test.csv:1"
    first = pd.read_csv(SST / "train.csv").iloc[0]
    assert data.train.loc[0, "text"] == first["sentence"] and data.train.loc[0, "label"] == first["label"]
    splits = corpus.make_splits(data, validation_size=0.1)  # the given validation set wins over a carve
    assert splits.sizes() == {"train": 120, "validation": 40, "test": 60}
    assert splits.classes == SST_CLASSES


def test_json_lines_with_a_rare_class():
    data = load_texts(TREC / "train.jsonl", test=TREC / "test.jsonl", text_column="question", label_column="coarse")
    assert data.classes == ("ABBR", "DESC", "ENTY", "HUM", "LOC", "NUM")
    assert data.test["label"].value_counts()["ABBR"] == 8 and data.validation is None
    assert data.train.loc[0, "text"] == json.loads((TREC / "train.jsonl").read_text().splitlines()[0])["question"]


def test_a_folder_per_class_gets_a_seeded_stratified_test_carve():
    first = load_texts(POLARITY, seed=3)
    assert first.classes == ("neg", "pos") and len(first.train) == 32 and len(first.test) == 8
    assert first.test["label"].value_counts().to_dict() == {"neg": 4, "pos": 4}
    assert first.test.loc[0, "id"].startswith("neg/cv0") and "test set carved" in first.notes[0]
    again = load_texts(POLARITY, seed=3)
    assert again.test["id"].tolist() == first.test["id"].tolist()
    other = load_texts(POLARITY, seed=4)
    fingerprints = {corpus.make_splits(d).fingerprint for d in (first, again, other)}
    assert len(fingerprints) == 2  # the carve is part of the split fingerprint


def test_folders_under_train_and_test(tmp_path):
    for split, count in (("train", 15), ("test", 5)):
        for label in ("neg", "pos"):
            target = tmp_path / "reviews" / split / label
            target.mkdir(parents=True)
            for path in sorted((POLARITY / label).iterdir())[:count] if split == "train" else \
                    sorted((POLARITY / label).iterdir())[-count:]:
                shutil.copy(path, target)
    data = load_texts(tmp_path / "reviews")
    assert (len(data.train), len(data.test)) == (30, 10) and not data.notes
    assert data.test.loc[0, "id"].startswith("test/neg/")


def test_tsv_and_parquet_read_the_same_texts(tmp_path):
    frame = pd.read_csv(SST / "train.csv")
    frame.to_csv(tmp_path / "train.tsv", sep="\t", index=False)
    frame.to_parquet(tmp_path / "train.parquet")
    frame.to_csv(tmp_path / "semicolons.csv", sep=";", index=False)
    loaded = [load_texts(tmp_path / name, text_column="sentence")
              for name in ("train.tsv", "train.parquet", "semicolons.csv")]
    assert all(d.train["text"].tolist() == loaded[0].train["text"].tolist() for d in loaded)
    assert sorted(loaded[0].train["text"].tolist() + loaded[0].test["text"].tolist()) == sorted(frame["sentence"])


def test_compressed_tables_read_as_their_plain_files(tmp_path):
    """A CSV, TSV or JSON Lines file compressed with gzip, bzip2 or xz: the same texts, labels and row ids."""
    import bz2
    import gzip
    import lzma

    plain_csv, plain_jsonl = SST / "train.csv", TREC / "train.jsonl"
    for opener, ending in ((gzip.open, ".gz"), (bz2.open, ".bz2"), (lzma.open, ".xz")):
        for plain, columns in ((plain_csv, {"text_column": "sentence"}),
                               (plain_jsonl, {"text_column": "question", "label_column": "coarse"})):
            packed = tmp_path / f"{plain.name}{ending}"
            with opener(packed, "wb") as handle:
                handle.write(plain.read_bytes())
            assert not corpus.DataSource(path=str(packed)).is_imdb
            read, expected = load_texts(packed, **columns), load_texts(plain, **columns)
            for role in ("train", "test"):
                assert getattr(read, role)["text"].tolist() == getattr(expected, role)["text"].tolist()
                assert getattr(read, role)["label"].tolist() == getattr(expected, role)["label"].tolist()
                assert [key.replace(ending, "") for key in getattr(read, role)["id"]] == \
                    getattr(expected, role)["id"].tolist()
    tsv = tmp_path / "train.tsv.gz"
    pd.read_csv(plain_csv).to_csv(tsv, sep="\t", index=False)  # pandas compresses by the name
    assert sorted(load_texts(tsv, text_column="sentence").train["text"]) == \
        sorted(load_texts(plain_csv, text_column="sentence").train["text"])
    assert corpus.DataSource(path="aclImdb_v1.tar.gz").is_imdb
    whole = (tmp_path / "train.csv.gz").read_bytes()
    (tmp_path / "cut.csv.gz").write_bytes(whole[:len(whole) // 2])
    (tmp_path / "plain.csv.gz").write_bytes(plain_csv.read_bytes())
    pd.read_csv(plain_csv).to_parquet(tmp_path / "train.parquet.gz")
    for name, message in (("cut.csv.gz", "cut.csv.gz cannot be read as CSV: Compressed file ended"),
                          ("plain.csv.gz", "plain.csv.gz cannot be read as CSV: Not a gzipped file"),
                          ("train.parquet.gz", "a Parquet file is compressed inside: give the .parquet file")):
        with pytest.raises(DataError, match=message):
            load_texts(tmp_path / name, text_column="sentence")


@pytest.mark.parametrize(("name", "hint"), [
    ("reviews.json", "one JSON array: write one object per line"),
    ("reviews.xlsx", "a spreadsheet: save it as CSV"),
    ("reviews.txt", "plain text has no label column"),
    ("aclImdb_v1.tar", "an IMDB archive that was decompressed on download: extract it and give the aclImdb folder"),
    ("reviews.parquet.gz", "a Parquet file is compressed inside: give the .parquet file itself"),
])
def test_files_that_are_not_tables_say_what_to_give_not_that_an_imdb_archive_is_corrupt(tmp_path, name, hint):
    (tmp_path / name).write_text('[{"text": "a fine film", "label": "pos"}]', encoding="utf-8")
    with pytest.raises(DataError, match=rf"{name} is not a table this package reads \({hint}.*\)\. Give a table "
                                        r"named \.csv.*IMDB's aclImdb_v1\.tar\.gz or its aclImdb folder"):
        corpus.DataSource(path=str(tmp_path / name)).load()
    with pytest.raises(DataError, match=rf"{name} is not a table this package reads \({hint}"):
        load_texts(tmp_path / name)


def test_a_folder_of_tables_says_which_flag_takes_each_table(tmp_path):
    """SST-5's and TREC's folders hold their split tables; given as --data, each table's flag is named."""
    with pytest.raises(DataError, match=r"sst5 holds tables \('dev.csv', 'test.csv', 'train.csv'\), not class folders: "
                                        r".*e\.g\. --data \S+/sst5/train\.csv --test \S+/sst5/test\.csv "
                                        r"--validation \S+/sst5/dev\.csv\.$"):
        corpus.DataSource(path=str(SST)).load()
    with pytest.raises(DataError, match=r"e\.g\. --data \S+/trec/train\.jsonl --test \S+/trec/test\.jsonl\.$"):
        load_texts(TREC)
    (tmp_path / "questions.jsonl").write_text('{"text": "What is TMJ ?", "label": "ABBR"}\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"e\.g\. --data \S+/questions\.jsonl\.$"):  # no name says its split
        load_texts(tmp_path)
    (tmp_path / "questions.jsonl").unlink()
    with pytest.raises(DataError, match="has no class folders"):  # nothing there at all
        load_texts(tmp_path)


def test_a_test_or_validation_table_beside_the_training_table_is_named_when_not_given(tmp_path):
    """Given only SST-5's train.csv, a run carves its test and validation sets from it: the two tables beside it
    that were not read are named, with the flag that reads each."""
    alone = corpus.DataSource(path=str(SST / "train.csv"), text_column="sentence").tables_beside()
    assert alone == [f"`test.csv` sits beside `train.csv` and was not read: `--test {SST / 'test.csv'}` scores the "
                     "models on it.",
                     f"`dev.csv` sits beside `train.csv` and was not read: `--validation {SST / 'dev.csv'}` uses it "
                     "as given."]
    assert corpus.DataSource(path=str(SST / "train.csv"), test=str(SST / "test.csv"),
                             validation=str(SST / "dev.csv")).tables_beside() == []
    assert [w[:38] for w in corpus.DataSource(path=str(TREC / "train.jsonl")).tables_beside()] == \
        ["`test.jsonl` sits beside `train.jsonl`"]
    shutil.copy(SST / "train.csv", tmp_path / "reviews.csv")  # nothing beside it says its split
    (tmp_path / "notes.csv").write_text("text,label\nfine,pos\n", encoding="utf-8")
    assert corpus.DataSource(path=str(tmp_path / "reviews.csv")).tables_beside() == []
    assert corpus.DataSource().tables_beside() == [] and corpus.DataSource(path=str(SST)).tables_beside() == []


@pytest.mark.parametrize(("labels", "expected"), [
    (["pos", "neg"], ("neg", "pos")),
    ([1, 0], (0, 1)),
    ([True, False], (False, True)),
])
def test_string_integer_and_boolean_labels_keep_their_names(labels, expected, tmp_path):
    texts = pd.read_csv(SST / "train.csv")["sentence"].tolist()[:40]
    frame = pd.DataFrame({"review": texts, "sentiment": [labels[i % 2] for i in range(40)]})
    frame.to_csv(tmp_path / "data.csv", index=False)
    frame.to_json(tmp_path / "data.jsonl", orient="records", lines=True)
    for name in ("data.csv", "data.jsonl"):
        data = load_texts(tmp_path / name, text_column="review", label_column="sentiment")
        assert data.classes == expected and type(data.classes[0]) is type(expected[0]), name


def test_a_missing_column_lists_the_available_ones():
    with pytest.raises(DataError, match=r"has no column 'text'. Its columns are: 'sentence', 'label'. "
                                        r"Name the right ones with text_column"):
        load_texts(SST / "train.csv")


def test_empty_texts_are_counted_and_can_be_dropped(tmp_path):
    frame = pd.read_csv(SST / "train.csv")
    frame.loc[[3, 7], "sentence"] = ["", "   "]
    frame.to_csv(tmp_path / "train.csv", index=False)
    with pytest.raises(DataError, match=r"2 empty or missing text\(s\) \(rows train.csv:4, train.csv:8\).*drop_empty"):
        load_texts(tmp_path / "train.csv", text_column="sentence")
    data = load_texts(tmp_path / "train.csv", text_column="sentence", drop_empty=True)
    assert len(data.train) + len(data.test) == 118 and "dropped 2 empty text(s)" in data.notes[0]


def test_missing_labels_and_unseen_test_labels_are_named(tmp_path):
    frame = pd.read_csv(SST / "train.csv")
    frame.loc[5, "label"] = ""
    frame.to_csv(tmp_path / "train.csv", index=False)
    with pytest.raises(DataError, match=r"1 row\(s\) without a label \(empty, NA, NaN, null...; rows train.csv:6\)"):
        load_texts(tmp_path / "train.csv", text_column="sentence")
    test = pd.read_csv(SST / "test.csv")
    test.loc[0, "label"] = "ecstatic"
    test.to_csv(tmp_path / "test.csv", index=False)
    with pytest.raises(DataError, match=r"test set of .* has labels that never occur in training: \['ecstatic'\]"):
        load_texts(SST / "train.csv", test=tmp_path / "test.csv", text_column="sentence")


def test_mixed_label_types_are_refused():
    frame = pd.DataFrame({"text": ["good film", "bad film", "fine film", "dull film"] * 3,
                          "label": ["pos", 0, "pos", 0] * 3})
    with pytest.raises(DataError, match="Labels mix number and text values"):
        corpus.from_frames(frame)


def test_unreadable_files_name_the_file_and_the_place(tmp_path):
    (tmp_path / "latin.csv").write_bytes("text,label\nTrès bon,pos\nmauvais,neg\nbien,pos\nnul,neg\n".encode("latin-1"))
    with pytest.raises(DataError, match=r"latin.csv is not UTF-8 text \(byte 0xe8 at position 13\).*--encoding"):
        load_texts(tmp_path / "latin.csv")
    assert "Très bon" in load_texts(tmp_path / "latin.csv", encoding="latin-1", test_size=0.5).train["text"].tolist() \
        + load_texts(tmp_path / "latin.csv", encoding="latin-1", test_size=0.5).test["text"].tolist()
    (tmp_path / "broken.jsonl").write_text('{"text": "fine", "label": "a"}\n{"text": oops}\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"broken.jsonl, line 2, is not valid JSON"):
        load_texts(tmp_path / "broken.jsonl")
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    with pytest.raises(DataError, match=r"is not a table this package reads"):
        load_texts(tmp_path / "notes.docx")
    with pytest.raises(DataError, match="does not exist"):
        load_texts(tmp_path / "missing.csv")
    latin_folder = tmp_path / "folder" / "pos"
    latin_folder.mkdir(parents=True)
    (latin_folder / "a.txt").write_bytes("Très".encode("latin-1"))
    with pytest.raises(DataError, match=r"pos/a.txt in .* is not UTF-8 text"):
        load_texts(tmp_path / "folder")


def test_a_class_too_small_for_the_split_is_named_before_training():
    frame = pd.DataFrame({"text": [f"text number {i}" for i in range(23)],
                          "label": ["common"] * 20 + ["rare"] * 3})
    data = corpus.from_frames(frame, test=frame.iloc[[0, 20]])
    with pytest.raises(DataError, match=r"class 'rare' has 3 training text\(s\).*at least 5 are needed"):
        corpus.make_splits(data)
    with pytest.raises(DataError, match=r"too small to carve a stratified test set.*classes with one text: 'rare'\)"):
        corpus.from_frames(pd.concat([frame.iloc[:20], frame.iloc[[20]]]))


def test_a_label_column_of_texts_is_named_in_a_short_error():
    """SST-5 read with its columns swapped: 8,534 different labels are one line naming the column, not a list of
    every sentence."""
    frame = pd.read_csv(SST / "train.csv")
    frame = pd.concat([frame] * 3, ignore_index=True).assign(  # 360 sentences, each once
        sentence=lambda f: f["sentence"] + [f" ({i // 120})" for i in range(len(f))])
    with pytest.raises(DataError) as error:
        corpus.from_frames(frame, text_column="label", label_column="sentence")
    message = str(error.value)
    assert message.startswith("the train data of DataFrame has 360 different labels in 360 rows (e.g. '")
    assert message.endswith("Is 'sentence' the text? Name the columns with --text-column and --label-column.")
    assert len(message) < 400
    test = pd.DataFrame({"text": [f"question {i}" for i in range(60)], "label": [f"intent {i}" for i in range(60)]})
    train = pd.concat([test] * 3, ignore_index=True)  # 60 intents, 3 texts each; a test set of one text each is fine
    assert len(corpus.from_frames(train, test=test).classes) == 60
    # many single-text classes in a small file: the carve names five, and counts the rest
    many = pd.DataFrame({"text": [f"text {i}" for i in range(60)], "label": [f"c{i % 40}" for i in range(60)]})
    with pytest.raises(DataError, match=r"40 classes; classes with one text: 'c20', 'c21', 'c22', 'c23', 'c24' and "
                                        r"15 more\)"):
        corpus.from_frames(many)
    labels = [f"class {i}" for i in range(12)] * 6  # 12 classes, fine for a carve, too few for the validation carve
    data = corpus.from_frames(pd.DataFrame({"text": [f"text {i}" for i in range(72)], "label": labels}),
                              test_size=0.25)
    with pytest.raises(DataError) as error:
        corpus.make_splits(data, validation_size=0.2)
    assert "7 more classes have too few" in str(error.value) and str(error.value).count("training text(s)") == 5


def test_duplicates_shared_by_train_and_test_are_counted_and_can_be_dropped():
    frame = pd.read_csv(SST / "train.csv")
    test = pd.concat([pd.read_csv(SST / "test.csv"), frame.iloc[[0, 1, 2]]])
    data = corpus.from_frames(frame, test=test, text_column="sentence")
    assert corpus.shared_texts(data) == 3
    cleaned = corpus.drop_shared_texts(data)
    assert corpus.shared_texts(cleaned) == 0 and len(cleaned.train) == 117 and len(cleaned.test) == 63


def test_sample_keeps_the_class_shares():
    data = load_texts(TREC / "train.jsonl", test=TREC / "test.jsonl", text_column="question", label_column="coarse")
    sample = corpus.sample_corpus(data, 60, seed=0)
    assert sample.train["label"].value_counts().to_dict() == dict.fromkeys(data.classes, 10)
    assert len(sample.test) == len(data.test) == 48  # a split smaller than the sample is kept whole
