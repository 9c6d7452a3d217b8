"""A cache that heals itself, and a loader that reads only what belongs to the dataset."""

import io
import logging
import os
import shutil
import tarfile
import zipfile

import numpy as np
import pytest

from imdb_baselines.corpus import ImdbDataError, load_imdb
from imdb_baselines.corpus import imdb as imdb_module
from tests.conftest import FIXTURE_PER_CLASS, FIXTURE_ROOT


def _load(source, cache, **options):
    return load_imdb(source, cache_dir=cache, reviews_per_class=FIXTURE_PER_CLASS, **options)


def _labelled_cache_file(cache):
    (path,) = (cache / "parsed").glob("*-labelled-v3.npz")
    return path


def _rewrite_npz(path, **changes):
    with np.load(path, allow_pickle=False) as data:
        arrays = {key: data[key] for key in data.files}
    arrays.update(changes)
    with open(path, "wb") as out:
        np.savez(out, **arrays)


def _count_parses(monkeypatch):
    calls = []
    real = imdb_module._read_archive

    def counting(*args):
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(imdb_module, "_read_archive", counting)
    return calls


def _truncate(path):
    path.write_bytes(path.read_bytes()[:1000])


def _flip_a_byte(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _drop_an_offset(path):
    with np.load(path, allow_pickle=False) as data:
        offsets = data["offsets"]
    _rewrite_npz(path, offsets=offsets[:-1])


def _replace_a_text(path):
    with np.load(path, allow_pickle=False) as data:
        blob = data["blob"].copy()
    blob[:5] = np.frombuffer(b"WRONG", dtype=np.uint8)
    _rewrite_npz(path, blob=blob)


def _garbage_zip(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("split.npy", b"not an array")


@pytest.mark.parametrize("damage", [_truncate, _flip_a_byte, _drop_an_offset, _replace_a_text, _garbage_zip])
def test_a_damaged_cache_is_discarded_with_one_warning_and_rebuilt(damage, fixture_archive, tmp_path, monkeypatch,
                                                                   caplog):
    cache = tmp_path / "c"
    first = _load(fixture_archive, cache)
    damage(_labelled_cache_file(cache))
    parses = _count_parses(monkeypatch)
    with caplog.at_level(logging.WARNING):
        again = _load(fixture_archive, cache)
    assert again.train.equals(first.train) and again.test.equals(first.test)
    assert parses == [1]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "Discarding the unusable cache file" in warnings[0].getMessage()
    caplog.clear()
    _load(fixture_archive, cache)  # healed: read from the cache, silently
    assert parses == [1] and not caplog.records


def test_another_archives_cache_copied_in_is_not_trusted(fixture_archive, tmp_path, monkeypatch, caplog):
    cache = tmp_path / "c"
    _load(fixture_archive, cache)
    other = tmp_path / "other.tar.gz"  # the same reviews, one changed: another archive
    with tarfile.open(fixture_archive) as source, tarfile.open(other, "w:gz") as out:
        for member in source:
            data = source.extractfile(member).read() if member.isfile() else None
            if member.name.endswith("/train/pos/" + sorted(os.listdir(FIXTURE_ROOT / "train" / "pos"))[0]):
                data = b"A different review."
                member.size = len(data)
            out.addfile(member, io.BytesIO(data) if data is not None else None)
    mine = _labelled_cache_file(cache)
    other_digest = imdb_module.sha256_of(other)
    shutil.copy(mine, mine.with_name(f"{other_digest[:32]}-labelled-v3.npz"))
    parses = _count_parses(monkeypatch)
    with caplog.at_level(logging.WARNING):
        loaded = _load(other, cache)
    assert parses == [1] and "parsed from another archive" in caplog.text
    assert "A different review." in loaded.train["text"].tolist()


def test_a_killed_cache_write_leaves_nothing_behind_after_the_next_load(fixture_archive, tmp_path):
    cache = tmp_path / "c"
    parsed = cache / "parsed"
    parsed.mkdir(parents=True)
    digest = imdb_module.sha256_of(fixture_archive)
    stale = parsed / f".{digest[:32]}-labelled-v3.npz.abc123.part"
    stale.write_bytes(b"\0" * 1000)
    _load(fixture_archive, cache)
    assert sorted(p.name for p in parsed.iterdir() if p.name.endswith(".part")) == []


def test_no_cache_is_written_for_an_archive_that_fails_the_layout_check(fixture_archive, tmp_path):
    with pytest.raises(ImdbDataError, match="missing reviews"):
        load_imdb(fixture_archive, cache_dir=tmp_path / "c")  # 12,500 per class required
    assert list((tmp_path / "c" / "parsed").glob("*.npz")) == []


def _copy_fixture(tmp_path):
    root = tmp_path / "aclImdb"
    shutil.copytree(FIXTURE_ROOT, root)
    return root


def test_a_link_out_of_the_dataset_is_refused_by_name(tmp_path):
    root = _copy_fixture(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("a system file", encoding="utf-8")
    victim = sorted((root / "train" / "pos").iterdir())[0]
    victim.unlink()
    victim.symlink_to(secret)
    with pytest.raises(ImdbDataError, match=f"link.*lead out of the dataset folder: {victim}"):
        _load(root, tmp_path / "c")
    victim.unlink()
    victim.symlink_to(sorted((root / "test" / "pos").iterdir())[0])  # a link inside the dataset is fine
    assert len(_load(root, tmp_path / "c").train) == 2 * FIXTURE_PER_CLASS


def test_archive_members_outside_the_exact_layout_are_refused(fixture_archive, tmp_path):
    bad = tmp_path / "bad.tar.gz"
    shutil.copy(fixture_archive, tmp_path / "plain.tar.gz")
    with tarfile.open(fixture_archive) as source, tarfile.open(bad, "w:gz") as out:
        for member in source:
            out.addfile(member, source.extractfile(member) if member.isfile() else None)
        extra = tarfile.TarInfo("aclImdb/x/../train/pos/10705_7.txt")
        extra.size = 5
        out.addfile(extra, io.BytesIO(b"sneak"))
    with pytest.raises(ImdbDataError, match=r"'\.\.' segment.*aclImdb/x/\.\./train/pos/10705_7\.txt"):
        _load(bad, tmp_path / "c")


def test_an_oversized_review_is_refused_before_it_is_read(tmp_path):
    root = _copy_fixture(tmp_path)
    victim = sorted((root / "train" / "neg").iterdir())[0]
    victim.write_bytes(b"word " * 300_000)
    with pytest.raises(ImdbDataError, match=r"has 1,500,000 bytes, more than the 1,000,000 one text may have"):
        _load(root, tmp_path / "c")
    assert len(_load(root, tmp_path / "c", max_review_bytes=2_000_000).train) == 2 * FIXTURE_PER_CLASS
    archive = tmp_path / "big.tar.gz"
    with tarfile.open(archive, "w:gz") as out:
        out.add(root, arcname="aclImdb")
    with pytest.raises(ImdbDataError, match="more than the 1,000,000"):
        _load(archive, tmp_path / "c")


def test_a_device_is_refused(tmp_path):
    with pytest.raises(ImdbDataError, match="neither a regular file nor a folder: /dev/zero"):
        _load("/dev/zero", tmp_path / "c")


def test_a_review_that_is_not_utf8_is_the_same_clear_error_in_a_folder_and_an_archive(tmp_path):
    root = _copy_fixture(tmp_path)
    victim = sorted((root / "test" / "pos").iterdir())[0]
    victim.write_bytes("Très bien".encode("latin-1"))
    name = f"aclImdb/test/pos/{victim.name}"
    with pytest.raises(ImdbDataError, match=f"{name} in .* is not UTF-8 text \\(byte 0xe8 at position 2\\)"):
        _load(root, tmp_path / "c")
    archive = tmp_path / "latin.tar.gz"
    with tarfile.open(archive, "w:gz") as out:
        out.add(root, arcname="aclImdb")
    with pytest.raises(ImdbDataError, match=f"{name} in .* is not UTF-8 text \\(byte 0xe8 at position 2\\)"):
        _load(archive, tmp_path / "c")
