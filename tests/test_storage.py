import os
import threading
import time

import pytest

from imdb_baselines.storage import MARKER, OwnedFolder, TargetError, atomic_file, write_folder, write_marker
from imdb_baselines.storage import folders as folders_module


def _fill(text):
    def fill(folder):
        (folder / "report.md").write_text(text, encoding="utf-8")
    return fill


def _user_folder(tmp_path):
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "thesis.tex").write_text("hi", encoding="utf-8")
    return folder


def test_a_folder_of_user_files_is_refused_and_left_alone(tmp_path):
    folder = _user_folder(tmp_path)
    with pytest.raises(TargetError, match=r"already holds files that imdb-baselines did not write \(thesis.tex\)"):
        write_folder(folder, "report", _fill("new"))
    assert [p.name for p in folder.iterdir()] == ["thesis.tex"]
    assert (folder / "thesis.tex").read_text(encoding="utf-8") == "hi"


def test_files_links_and_other_kinds_are_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(TargetError, match="is a file"):
        write_folder(tmp_path / "notes.txt", "report", _fill("x"))
    os.symlink(tmp_path / "elsewhere", tmp_path / "link")
    with pytest.raises(TargetError, match="symbolic link"):
        write_folder(tmp_path / "link", "report", _fill("x"))
    model = write_folder(tmp_path / "model", "model", _fill("weights"))
    with pytest.raises(TargetError, match="holds a model written by imdb-baselines, not a report"):
        write_folder(model, "report", _fill("x"))
    (model / MARKER).write_text("not json", encoding="utf-8")  # a broken marker is no marker
    with pytest.raises(TargetError, match="did not write"):
        write_folder(model, "model", _fill("x"))
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_the_data_being_read_and_its_parents_are_protected(tmp_path):
    data = tmp_path / "aclImdb"
    data.mkdir()
    write_marker(tmp_path, "report")  # even a marked folder is refused when it holds the data
    for target in (data, tmp_path):
        with pytest.raises(TargetError, match="which this run reads"):
            OwnedFolder(target, "report").check(protect=[data])
    OwnedFolder(tmp_path / "elsewhere", "report").check(protect=[data])


def test_absent_and_empty_targets_are_written_and_own_content_replaced(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    for target in (tmp_path / "new" / "deeper", empty):
        path = write_folder(target, "report", _fill("first"))
        assert sorted(p.name for p in path.iterdir()) == [MARKER, "report.md"]
        write_folder(path, "report", _fill("second"))
        assert (path / "report.md").read_text(encoding="utf-8") == "second"
    leftovers = [p.name for p in tmp_path.iterdir() if ".partial-" in p.name or ".old-" in p.name]
    assert leftovers == []


def test_folders_follow_the_umask(tmp_path):
    previous = os.umask(0o022)
    try:
        path = write_folder(tmp_path / "report", "report", _fill("x"))
        with atomic_file(tmp_path / "file.txt", "w") as out:
            out.write("x")
    finally:
        os.umask(previous)
    assert path.stat().st_mode & 0o777 == 0o755
    assert (path / "report.md").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "file.txt").stat().st_mode & 0o777 == 0o644


def test_a_second_writer_is_refused_or_waits(tmp_path):
    first = OwnedFolder(tmp_path / "report", "report").claim()
    with pytest.raises(TargetError, match="Another imdb-baselines run is writing"):
        OwnedFolder(tmp_path / "report", "report").claim()
    waited = []

    def second():
        write_folder(tmp_path / "report", "report", _fill("second"), wait=True)
        waited.append(time.monotonic())

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.3)
    assert not waited  # still waiting for the lock
    released = time.monotonic()
    first.release()
    thread.join(timeout=10)
    assert waited and waited[0] >= released
    assert (tmp_path / "report" / "report.md").read_text(encoding="utf-8") == "second"


def test_without_an_atomic_exchange_a_failed_rename_restores_the_old_folder(tmp_path, monkeypatch):
    path = write_folder(tmp_path / "report", "report", _fill("old"))
    monkeypatch.setattr(folders_module, "exchange", lambda first, second: False)
    real_rename = os.rename

    def failing_second_rename(source, dest):
        if ".partial-" in str(source):
            raise OSError(28, "No space left on device")
        real_rename(source, dest)

    monkeypatch.setattr(folders_module.os, "rename", failing_second_rename)
    with pytest.raises(OSError, match="No space left"):
        write_folder(path, "report", _fill("new"))
    monkeypatch.setattr(folders_module.os, "rename", real_rename)
    assert (path / "report.md").read_text(encoding="utf-8") == "old"
    write_folder(path, "report", _fill("new"))  # the fallback path itself works
    assert (path / "report.md").read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]  # the lock file goes with the lock


def test_leftovers_of_a_killed_writer_are_recovered_by_the_next(tmp_path, caplog):
    # Killed between the two renames of the fallback: the old report is aside, the target absent.
    old = tmp_path / ".report.old-123-abcd"
    old.mkdir()
    write_marker(old, "report")
    (old / "report.md").write_text("old", encoding="utf-8")
    staging = tmp_path / ".report.partial-123-ef01"
    staging.mkdir()
    write_marker(staging, "report")
    (tmp_path / ".report.partial-124-0000").mkdir()  # killed before its marker was written
    foreign = tmp_path / ".report.partial-999-user"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("not ours", encoding="utf-8")
    with caplog.at_level("WARNING"), OwnedFolder(tmp_path / "report", "report").claimed():
        pass
    assert (tmp_path / "report" / "report.md").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".report.partial-999-user", "report"]
    assert "Restored the previous report" in caplog.text and "Removed .report.partial-123-ef01" in caplog.text


def test_writing_requires_a_claim(tmp_path):
    with pytest.raises(RuntimeError, match="must be claimed"):
        OwnedFolder(tmp_path / "report", "report").stage()


def test_an_unwritable_place_is_a_clear_error(tmp_path):
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(TargetError, match="Cannot write"):
        OwnedFolder(tmp_path / "file" / "report", "report").claim()


def test_a_target_inside_the_data_is_refused_before_any_lock_is_taken(tmp_path):
    data = tmp_path / "polarity"
    (data / "pos").mkdir(parents=True)
    target = OwnedFolder(data / "report", "report")
    with pytest.raises(TargetError, match=r"is inside .*polarity, which this run reads"):
        target.claim(protect=[data])
    assert sorted(p.name for p in data.iterdir()) == ["pos"]  # no lock file, no report folder inside the data


def test_files_a_user_put_in_a_written_folder_are_named_and_kept(tmp_path):
    report = write_folder(tmp_path / "report", "report", _fill("first"))
    (report / "models").mkdir()
    (report / "models" / "my-notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(TargetError, match=r"did not write \('models', 'models/my-notes.txt'\)|did not write "
                                          r"\(models, models/my-notes.txt\)"):
        write_folder(report, "report", _fill("second"))
    assert (report / "models" / "my-notes.txt").read_text(encoding="utf-8") == "keep me"
    assert (report / "report.md").read_text(encoding="utf-8") == "first"
    (report / "models" / "my-notes.txt").unlink()
    (report / "models").rmdir()
    write_folder(report, "report", _fill("second"))  # only what it wrote: replaced
    assert (report / "report.md").read_text(encoding="utf-8") == "second"


def test_no_lock_file_is_left_beside_a_target_and_a_forked_child_holds_no_lock(tmp_path):
    target = OwnedFolder(tmp_path / "report", "report")
    with pytest.raises(TargetError):
        OwnedFolder(tmp_path / "report", "model").claim(protect=[tmp_path / "report"])
    target.claim()
    child = os.fork()
    if child == 0:  # a worker forked while the lock is held, as the tokenizer's are
        time.sleep(3)
        os._exit(0)
    try:
        target.release()
        other = OwnedFolder(tmp_path / "report", "report").claim()  # not blocked by the child that lives on
        other.release()
    finally:
        os.waitpid(child, 0)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_name_too_long_for_the_staging_folder_beside_it_is_refused_before_writing(tmp_path):
    with pytest.raises(TargetError, match="at most 229"):
        OwnedFolder(tmp_path / ("r" * 240), "report").claim()
    OwnedFolder(tmp_path / ("r" * 229), "report").check()
    assert list(tmp_path.iterdir()) == []


def test_a_lock_file_with_content_is_not_the_packages_and_stays(tmp_path):
    (tmp_path / ".report.lock").write_text("my notes", encoding="utf-8")
    write_folder(tmp_path / "report", "report", _fill("new"))
    assert (tmp_path / ".report.lock").read_text(encoding="utf-8") == "my notes"


def test_locks_work_where_fcntl_is_missing(tmp_path):
    """Without ``fcntl`` (Windows) the package imports and locks through ``msvcrt.locking``.

    Here ``fcntl`` is blocked and ``msvcrt`` is given as a module whose ``locking`` takes a real POSIX record
    lock (``os.lockf``), so two processes contend for the same file as on Windows.
    """
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(f"""
        import os, subprocess, sys, time, types
        import numpy, pandas, sklearn  # the libraries first, as they import on this platform
        msvcrt = types.ModuleType("msvcrt")
        msvcrt.LK_NBLCK, msvcrt.LK_UNLCK = 2, 0
        def locking(fd, mode, nbytes):
            os.lseek(fd, 0, os.SEEK_SET)
            os.lockf(fd, os.F_TLOCK if mode == msvcrt.LK_NBLCK else os.F_ULOCK, nbytes)
        msvcrt.locking = locking
        sys.modules["fcntl"], sys.modules["msvcrt"] = None, msvcrt  # import fcntl now raises ImportError
        from imdb_baselines import corpus  # the whole data layer imports
        from imdb_baselines.storage import locks
        assert locks.fcntl is None
        handle = locks.acquire({str(tmp_path / 'x.lock')!r}, wait=False)
        print("held", flush=True)
        if sys.argv[1] == "hold":
            time.sleep(30)
    """)
    env = dict(os.environ)
    holder = subprocess.Popen([sys.executable, "-c", script, "hold"], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert holder.stdout.readline().strip() == "held"
        second = subprocess.run([sys.executable, "-c", script, "try"], capture_output=True, text=True, env=env,
                                timeout=120)
        assert second.returncode == 1 and "LockTakenError" in second.stderr, second.stderr[-500:]
    finally:
        holder.kill()
        holder.wait()
    after = subprocess.run([sys.executable, "-c", script, "try"], capture_output=True, text=True, env=env, timeout=120)
    assert after.returncode == 0 and after.stdout.strip() == "held", after.stderr[-500:]
