import gzip
import hashlib
import os
import shutil
import tarfile

import pytest

from imdb_baselines import corpus
from imdb_baselines.corpus import ImdbDataError, load_imdb
from imdb_baselines.corpus import imdb as imdb_module
from tests.conftest import FIXTURE_PER_CLASS, FIXTURE_ROOT


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_folder_loads_with_columns_labels_and_ratings(fixture_corpus):
    train = fixture_corpus.train
    assert list(train.columns) == ["id", "rating", "label", "text", "movie"]
    assert len(train) == len(fixture_corpus.test) == 2 * FIXTURE_PER_CLASS
    assert set(train.loc[train.label == 1, "rating"]) <= set(range(7, 11))
    assert set(train.loc[train.label == 0, "rating"]) <= set(range(1, 5))
    assert len(fixture_corpus.unsup) == 40 and set(fixture_corpus.unsup.label) == {-1}
    first = train.iloc[0]
    name = FIXTURE_ROOT / "train" / "neg" / f"{first.id}_{first.rating}.txt"
    assert first.text == name.read_text(encoding="utf-8")


def test_archive_and_folder_give_the_same_reviews(fixture_archive, fixture_corpus, tmp_path):
    loaded = load_imdb(fixture_archive, cache_dir=tmp_path / "c", reviews_per_class=FIXTURE_PER_CLASS)
    assert loaded.train.equals(fixture_corpus.train) and loaded.test.equals(fixture_corpus.test)
    assert loaded.unsup is None and loaded.sha256 == _sha(fixture_archive)


def test_archive_is_parsed_once_then_read_from_cache(fixture_archive, tmp_path, monkeypatch):
    cache = tmp_path / "c"
    first = load_imdb(fixture_archive, cache_dir=cache, reviews_per_class=FIXTURE_PER_CLASS)
    assert len(list((cache / "parsed").glob("*.npz"))) == 2

    def no_parse(source):
        raise AssertionError("the archive was parsed again")

    monkeypatch.setattr(imdb_module, "_read_archive", no_parse)
    again = load_imdb(fixture_archive, cache_dir=cache, reviews_per_class=FIXTURE_PER_CLASS,
                      include_unsup=True)
    assert again.train.equals(first.train) and len(again.unsup) == 40


def test_truncated_archive_is_a_clear_error_and_caches_nothing(fixture_archive, tmp_path):
    data = fixture_archive.read_bytes()
    broken = tmp_path / "truncated.tar.gz"
    broken.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImdbDataError, match="truncated or corrupt"):
        load_imdb(broken, cache_dir=tmp_path / "c", reviews_per_class=None)
    assert not (tmp_path / "c" / "parsed").exists() or not any((tmp_path / "c" / "parsed").iterdir())


def test_file_that_is_not_an_archive(tmp_path):
    path = tmp_path / "reviews.tar.gz"
    path.write_text("just some text", encoding="utf-8")
    with pytest.raises(ImdbDataError, match="not a readable .tar.gz archive"):
        load_imdb(path, cache_dir=tmp_path / "c")


def test_missing_path_says_what_to_pass(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist.*aclImdb_v1.tar.gz"):
        load_imdb(tmp_path / "nope.tar.gz")


def test_full_size_is_required_by_default(fixture_archive, tmp_path):
    with pytest.raises(ImdbDataError) as info:
        load_imdb(fixture_archive, cache_dir=tmp_path / "c")
    message = str(info.value)
    assert "12,460 missing reviews in aclImdb/train/pos/ (40 found, 12,500 expected)" in message
    assert "aclImdb/test/neg/" in message


def test_layout_errors_name_missing_and_extra_files(tmp_path):
    root = tmp_path / "aclImdb"
    shutil.copytree(FIXTURE_ROOT, root)
    shutil.rmtree(root / "test" / "neg")
    (root / "train" / "pos" / "notes.txt").write_text("hello", encoding="utf-8")
    victim = sorted((root / "train" / "neg").iterdir())[0]
    victim.rename(victim.with_name(victim.stem.split("_")[0] + "_9.txt"))
    with pytest.raises(ImdbDataError) as info:
        load_imdb(tmp_path, reviews_per_class=None)
    message = str(info.value)
    assert "missing folder or no reviews: aclImdb/test/neg/" in message
    assert "1 files not named ID_RATING.txt: aclImdb/train/pos/notes.txt" in message
    assert "ratings outside 7-10 (pos) or 1-4 (neg)" in message


def test_imdb_data_variable_is_used_when_no_path(monkeypatch, fixture_archive):
    monkeypatch.setenv("IMDB_DATA", str(fixture_archive))
    loaded = load_imdb(reviews_per_class=FIXTURE_PER_CLASS)
    assert loaded.source == str(fixture_archive)


def test_download_from_file_url_verifies_and_caches(fixture_archive, tmp_path, monkeypatch):
    monkeypatch.delenv("IMDB_DATA", raising=False)
    cache = tmp_path / "c"
    loaded = load_imdb(cache_dir=cache, url=fixture_archive.as_uri(), sha256=_sha(fixture_archive),
                       reviews_per_class=FIXTURE_PER_CLASS)
    assert (cache / "aclImdb_v1.tar.gz").read_bytes() == fixture_archive.read_bytes()
    assert loaded.sha256 == _sha(fixture_archive)
    assert [p.name for p in cache.iterdir() if p.name.endswith(".part")] == []


def test_a_killed_download_leaves_nothing_after_the_next(fixture_archive, tmp_path, monkeypatch):
    monkeypatch.delenv("IMDB_DATA", raising=False)
    cache = tmp_path / "c"
    cache.mkdir()
    (cache / ".aclImdb_v1.tar.gz.x1y2z3.part").write_bytes(b"\0" * 4096)  # what a killed download leaves
    load_imdb(cache_dir=cache, url=fixture_archive.as_uri(), sha256=_sha(fixture_archive),
              reviews_per_class=FIXTURE_PER_CLASS)
    assert sorted(p.name for p in cache.iterdir()) == ["aclImdb_v1.tar.gz", "parsed"]


def test_download_with_wrong_hash_leaves_no_file(fixture_archive, tmp_path, monkeypatch):
    monkeypatch.delenv("IMDB_DATA", raising=False)
    cache = tmp_path / "c"
    with pytest.raises(ImdbDataError, match="has sha256 .* expected 0000"):
        load_imdb(cache_dir=cache, url=fixture_archive.as_uri(), sha256="0" * 64)
    assert [p.name for p in cache.iterdir()] == []  # no partial file, no lock file


def test_no_network_tells_the_user_to_pass_a_local_copy(tmp_path, monkeypatch):
    monkeypatch.delenv("IMDB_DATA", raising=False)
    monkeypatch.setattr(corpus.download.time, "sleep", lambda seconds: None)
    url = (tmp_path / "unreachable.tar.gz").as_uri()
    with pytest.raises(ImdbDataError, match=r"after 4 attempts.*local copy.*IMDB_DATA"):
        load_imdb(cache_dir=tmp_path / "c", url=url)
    assert [p.name for p in (tmp_path / "c").iterdir()] == []


def test_no_download_and_no_data(tmp_path, monkeypatch):
    monkeypatch.delenv("IMDB_DATA", raising=False)
    with pytest.raises(FileNotFoundError, match="No IMDB data found"):
        load_imdb(cache_dir=tmp_path, download=False)


def test_corrupt_gzip_stream(tmp_path):
    path = tmp_path / "bad.tar.gz"
    path.write_bytes(gzip.compress(b"not a tar file at all" * 100))
    with pytest.raises(ImdbDataError, match="not a readable"):
        load_imdb(path, cache_dir=tmp_path / "c")


def test_summary_counts_both_classes(fixture_corpus):
    text = fixture_corpus.summary()
    assert "train           80 texts  0: 40  1: 40" in text
    assert "unsup           40 texts  median 6" in text and "characters" in text


@pytest.mark.full_data
def test_full_archive_loads_and_caches(full_data, tmp_path):
    import time

    started = time.perf_counter()
    first = load_imdb(full_data, cache_dir=tmp_path)
    parse = time.perf_counter() - started
    started = time.perf_counter()
    again = load_imdb(full_data, cache_dir=tmp_path)
    cached = time.perf_counter() - started
    print(f"archive parse {parse:.2f} s, cached load {cached:.2f} s")
    assert len(first.train) == len(first.test) == 25_000
    for frame in (first.train, first.test):
        assert frame["label"].value_counts().to_dict() == {0: 12_500, 1: 12_500}
    assert again.train.equals(first.train) and again.sha256 == first.sha256
    assert os.path.getsize(full_data) == 56_744_641 or first.sha256 == corpus.ARCHIVE_SHA256


def test_layout_check_counts_tar_members_in_review_folders_only(tmp_path):
    path = tmp_path / "a.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        archive.add(FIXTURE_ROOT, arcname="aclImdb")
        extra = tmp_path / "README"
        extra.write_text("readme", encoding="utf-8")
        archive.add(extra, arcname="aclImdb/README")
    assert len(load_imdb(path, cache_dir=tmp_path / "c", reviews_per_class=40).train) == 80


def test_a_host_that_does_not_resolve_fails_at_once_and_says_what_to_type(tmp_path, monkeypatch):
    import socket
    import urllib.error

    monkeypatch.delenv("IMDB_DATA", raising=False)
    attempts = []

    def unresolvable(url, timeout):
        attempts.append(url)
        raise urllib.error.URLError(socket.gaierror(-2, "Name or service not known"))

    monkeypatch.setattr(corpus.download.urllib.request, "urlopen", unresolvable)
    monkeypatch.setattr(corpus.download.time, "sleep", lambda seconds: pytest.fail("retried a DNS failure"))
    with pytest.raises(ImdbDataError, match=r"host name does not resolve.*--data PATH \(make compare ARGS="):
        load_imdb(cache_dir=tmp_path / "c")
    assert len(attempts) == 1
