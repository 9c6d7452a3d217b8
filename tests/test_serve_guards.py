"""Damaged or hostile model folders, and a real server's limits: body size, Host names, headers, idle sockets."""

import json
import re
import selectors
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from imdb_baselines.modelfiles import ModelFileError, load_model
from imdb_baselines.serving import load_catalog
from tests.servers import free_port, running_server

ROOT = Path(__file__).resolve().parent.parent


def _damaged_copies(kept_report, tmp_path) -> Path:
    """A report whose models folder holds the kept models plus one damaged copy for each kind of damage."""
    report = tmp_path / "report"
    shutil.copytree(kept_report, report)
    models = report / "models"

    def copy(name):
        shutil.copytree(models / "nbsvm", models / name)
        return models / name, json.loads((models / name / "manifest.json").read_text())

    def save(folder, manifest):
        (folder / "manifest.json").write_text(json.dumps(manifest))

    folder, manifest = copy("no_kind")
    del manifest["kind"]
    save(folder, manifest)
    folder, manifest = copy("files_as_list")
    manifest["files"] = list(manifest["files"])
    save(folder, manifest)
    folder, manifest = copy("outside")
    manifest["files"] = {"/etc/hostname": "0" * 64, **manifest["files"]}
    save(folder, manifest)
    folder, manifest = copy("bad_zip")  # a damaged skops file whose sha256 the manifest was made to match
    (folder / "model.skops").write_bytes(b"PK\x03\x04 not really a zip")
    import hashlib

    manifest["files"]["model.skops"] = hashlib.sha256((folder / "model.skops").read_bytes()).hexdigest()
    save(folder, manifest)
    shutil.copytree(models / "fasttext", models / "truncated_keras")
    keras_file = models / "truncated_keras" / "model.keras"
    keras_file.write_bytes(keras_file.read_bytes()[:1000])
    manifest = json.loads((models / "truncated_keras" / "manifest.json").read_text())
    manifest["files"]["model.keras"] = hashlib.sha256(keras_file.read_bytes()).hexdigest()
    save(models / "truncated_keras", manifest)
    return report


def test_every_damaged_model_folder_is_one_failure_and_the_others_are_served(kept_report, tmp_path):
    report = _damaged_copies(kept_report, tmp_path)
    catalog = load_catalog(report)
    assert sorted(catalog.models) == ["fasttext", "naive_bayes", "nbsvm"]
    failures = catalog.failures
    assert sorted(failures) == ["bad_zip", "files_as_list", "no_kind", "outside", "truncated_keras"]
    assert "names no kind of model" in failures["no_kind"]
    assert "does not list its files" in failures["files_as_list"]
    assert "lists '/etc/hostname', which is not a file of the model's folder" in failures["outside"]
    assert "could not be loaded" in failures["bad_zip"] and "could not be loaded" in failures["truncated_keras"]
    for name in failures:
        with pytest.raises(ModelFileError):
            load_model(report / "models" / name)


def test_a_keras_model_with_a_lambda_layer_is_refused_without_running_it(kept_report, tmp_path):
    import keras

    folder = tmp_path / "lambda"
    shutil.copytree(kept_report / "models" / "fasttext", folder)
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Lambda(lambda x: x * 2)(inputs))
    model.save(folder / "model.keras")
    manifest = json.loads((folder / "manifest.json").read_text())
    import hashlib

    manifest["files"]["model.keras"] = hashlib.sha256((folder / "model.keras").read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelFileError, match=r"could not be loaded \(ValueError: .*[Ll]ambda"):
        load_model(folder)


def test_the_dependency_floors_are_past_the_published_advisories():
    # skops: CVE-2025-54412 and -54413 (trusted-type checks, fixed in 0.12), CVE-2025-54886 (fixed in 0.13);
    # Keras: CVE-2025-49655 (3.11.3), CVE-2026-1462 (a safe_mode bypass through TFSMLayer, fixed in 3.13.2).
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [Requirement(r) for r in project["dependencies"]]
    requirements += [Requirement(r) for extra in project["optional-dependencies"].values() for r in extra]
    floors = {r.name: min(Version(s.version) for s in r.specifier if s.operator == ">=") for r in requirements
              if any(s.operator == ">=" for s in r.specifier)}
    assert floors["skops"] >= Version("0.13")
    assert floors["keras"] >= Version("3.13.2")


@pytest.fixture(scope="module")
def server(kept_report):
    with running_server(kept_report, "--max-texts", "4", "--max-chars", "1000", "--timeout-keep-alive", "2") as port:
        yield port


def _exchange(port: int, request: bytes, *, chunks: list[bytes] = ()) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(request)
        try:
            for chunk in chunks:
                connection.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before the whole body came
        answer = b""
        while b"\r\n\r\n" not in answer or len(answer) < answer.index(b"\r\n\r\n") + 4 + int(
                re.search(rb"content-length: (\d+)", answer.lower()).group(1)):
            data = connection.recv(65536)
            if not data:
                break
            answer += data
    return answer


def test_a_body_larger_than_the_limits_allow_is_refused_with_413_before_it_is_read(server):
    head = (b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 209715200\r\n\r\n")
    answer = _exchange(server, head)
    assert answer.startswith(b"HTTP/1.1 413") and b"larger than" in answer and b"--max-texts" in answer
    streamed = (b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b'{"texts": ["' + b"a" * 60_000
    chunks = [b"%x\r\n%s\r\n" % (len(chunk), chunk)] + [b"%x\r\n%s\r\n" % (60_000, b"a" * 60_000)] * 2
    assert _exchange(server, streamed, chunks=chunks).startswith(b"HTTP/1.1 413")
    fine = json.dumps({"text": "A moving film."}).encode()
    ok = _exchange(server, b"POST /predict HTTP/1.1\r\nHost: localhost:1\r\nContent-Type: application/json\r\n"
                   b"Content-Length: %d\r\n\r\n%s" % (len(fine), fine))
    assert ok.startswith(b"HTTP/1.1 200")


def test_a_foreign_host_is_refused_and_the_page_has_security_headers(server):
    rebound = _exchange(server, b"GET /health HTTP/1.1\r\nHost: attacker.example\r\n\r\n")
    assert rebound.startswith(b"HTTP/1.1 400") and b"answers only requests addressed to" in rebound
    page = _exchange(server, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").lower()
    assert page.startswith(b"http/1.1 200")
    for header in (b"content-security-policy: default-src 'self'", b"x-content-type-options: nosniff",
                   b"x-frame-options: deny", b"referrer-policy: no-referrer"):
        assert header in page


def test_an_idle_connection_is_closed_after_the_timeout(server):
    with socket.create_connection(("127.0.0.1", server), timeout=30) as idle:
        started = time.monotonic()
        assert idle.recv(100) == b""  # closed by the server, not by our timeout
        assert time.monotonic() - started < 15


def test_a_public_host_is_warned_about(kept_report):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "imdb_baselines.cli.serve", str(kept_report / "models" / "nbsvm"),
                                "--host", "0.0.0.0", "--port", str(port)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    try:
        deadline, seen = time.monotonic() + 60, ""
        with selectors.DefaultSelector() as waiting:
            waiting.register(process.stderr, selectors.EVENT_READ)
            while "reachable from other machines" not in seen and time.monotonic() < deadline:
                if waiting.select(timeout=1):  # never block on a server that says nothing
                    seen += process.stderr.readline()
        assert "reachable from other machines, with no authentication" in seen
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_a_port_out_of_range_is_one_line():
    done = subprocess.run([sys.executable, "-m", "imdb_baselines.cli.serve", "somewhere", "--port", "70000"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--port must be in [0, 65535]" in done.stderr and "Traceback" not in done.stderr
