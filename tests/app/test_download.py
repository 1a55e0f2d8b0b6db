"""Downloads from a fake Hub on 127.0.0.1: only the variant, progress, cancel, resume, checks, errors."""

from __future__ import annotations

import errno
import hashlib
import os
import socket
import threading
from pathlib import Path

import pytest

from engine.models import download, transfer
from engine.models.download import (AccessDenied, ChecksumMismatch, DiskFull, DownloadCancelled, DownloadProgress,
                             NoNetwork, NotFoundOnHub, translate_errors)
from engine.errors import NotAGenaiModel
from engine.models.registry import Registry
from hub_server import FakeHub, files_from_folder
from synthetic_model import build_synthetic_model

REPO = "test-org/synthetic-onnx"
CHUNK = transfer.CHUNK_BYTES  # the granularity of progress, cancel and resume


@pytest.fixture(scope="session")
def repo_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    model = build_synthetic_model(tmp_path_factory.mktemp("hub") / "model")
    files = files_from_folder(model, "cpu-int4") | files_from_folder(model, "cuda-int4")
    files["README.md"] = b"# synthetic\n"
    files["transformersjs/onnx/model.onnx"] = b"not a genai export"
    return files


@pytest.fixture
def hub(repo_files: dict[str, bytes], monkeypatch: pytest.MonkeyPatch):
    server = FakeHub(REPO, dict(repo_files)).start()
    monkeypatch.setenv("HF_ENDPOINT", server.url)
    yield server
    server.stop()


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    return Registry(tmp_path / "models")


def install(registry: Registry, **kwargs):
    return registry.add_hub(REPO, "cpu-int4", model_id="synthetic", backoff_seconds=0.01, **kwargs)


def test_downloads_only_the_variant_and_the_model_loads(hub: FakeHub, registry: Registry,
                                                        repo_files: dict[str, bytes]) -> None:
    installed = install(registry, provider="cpu")

    assert sorted(hub.fetched()) == sorted(p for p in repo_files if p.startswith("cpu-int4/"))
    assert [m.id for m in registry.list_installed()] == ["synthetic"]
    assert installed.provider == "cpu" and installed.repo_id == REPO and installed.subfolder == "cpu-int4"
    for path, data in repo_files.items():
        if path.startswith("cpu-int4/"):
            assert (installed.path / path.split("/", 1)[1]).read_bytes() == data
    assert not (registry.models_dir / "synthetic.partial").exists()

    from engine.runtime.model import load_model

    loaded = load_model(registry.resolve("synthetic"), "cpu")
    assert loaded.info.context_length == 256


def test_progress_is_monotonic_and_ends_at_the_total(hub: FakeHub, registry: Registry,
                                                     repo_files: dict[str, bytes]) -> None:
    events: list[DownloadProgress] = []
    install(registry, on_progress=events.append)

    total = sum(len(d) for p, d in repo_files.items() if p.startswith("cpu-int4/"))
    done = [e.bytes_done for e in events]
    assert done == sorted(done)
    assert {e.total_bytes for e in events} == {total}
    assert events[-1].bytes_done == total and events[-1].seconds_left == 0
    assert any(e.bytes_per_second > 0 for e in events)


def test_resumes_after_a_dropped_connection_from_the_byte_it_broke_at(hub: FakeHub, registry: Registry) -> None:
    big = os.urandom(20 * CHUNK + 123)
    hub.files["cpu-int4/model.onnx.data"] = big
    hub.faults.drop["cpu-int4/model.onnx.data"] = 1  # cut after half the body
    events: list[DownloadProgress] = []

    installed = install(registry, on_progress=events.append)

    ranges = [r.range for r in hub.requests if r.path.endswith("/model.onnx.data") and r.method == "GET"]
    assert len(ranges) == 2 and ranges[0] is None
    resumed_at = int(ranges[1].removeprefix("bytes=").rstrip("-"))
    assert len(big) // 2 - CHUNK <= resumed_at <= len(big) // 2
    assert hashlib.sha256((installed.path / "model.onnx.data").read_bytes()).digest() == hashlib.sha256(big).digest()
    done = [e.bytes_done for e in events]
    assert done == sorted(done)


def test_a_hub_that_keeps_dropping_the_connection_is_not_called_no_internet(hub: FakeHub, registry: Registry,
                                                                             capfd: pytest.CaptureFixture) -> None:
    hub.files["cpu-int4/model.onnx.data"] = os.urandom(4 * CHUNK)
    hub.faults.drop["cpu-int4/model.onnx.data"] = 1000
    hub.faults.drop_at = 0  # cut before any byte of the body: no progress, ever

    with pytest.raises(download.ConnectionDropped) as caught:
        install(registry)

    assert "kept dropping the connection" in caught.value.user_message
    assert "internet" not in caught.value.user_message
    assert registry.list_installed() == []
    assert "Error while downloading" not in capfd.readouterr().err  # no library warnings on the terminal


def test_huggingface_hub_warnings_go_to_the_log_not_the_terminal(capfd: pytest.CaptureFixture,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    download._hub()
    from huggingface_hub.utils import logging as hf_logging

    hf_logging.get_logger("huggingface_hub.file_download").warning("Trying to resume download...")
    assert "Trying to resume" not in capfd.readouterr().err
    assert "Trying to resume" in caplog.text


def test_cancel_leaves_nothing_installed_and_a_later_download_continues(hub: FakeHub, registry: Registry) -> None:
    hub.faults.bytes_per_second = 1_000_000  # model.onnx (~1.2 MB) takes about a second
    cancel = threading.Event()

    def on_progress(event: DownloadProgress) -> None:
        if event.current_file.endswith("model.onnx"):
            threading.Timer(0.2, cancel.set).start()

    with pytest.raises(DownloadCancelled):
        install(registry, on_progress=on_progress, cancel=cancel)

    assert registry.list_installed() == []
    staging = registry.models_dir / "synthetic.partial" / "cpu-int4"
    assert (staging / "genai_config.json").is_file()
    assert not (staging / "model.onnx").exists()
    assert not list(staging.parent.rglob("*.incomplete"))

    hub.faults.bytes_per_second = None
    fetched_before = len(hub.fetched())
    install(registry)
    assert "cpu-int4/genai_config.json" not in hub.fetched()[fetched_before:]
    assert registry.get("synthetic") is not None


def test_checksum_mismatch_is_an_error_and_nothing_is_installed(hub: FakeHub, registry: Registry) -> None:
    hub.faults.corrupt.add("cpu-int4/model.onnx")
    with pytest.raises(ChecksumMismatch, match="damaged"):
        install(registry)
    assert registry.list_installed() == []
    assert not (registry.models_dir / "synthetic.partial" / "cpu-int4" / "model.onnx").exists()


def test_unauthorised_asks_to_sign_in(hub: FakeHub, registry: Registry) -> None:
    hub.faults.status = 401
    with pytest.raises(AccessDenied) as caught:
        install(registry)
    assert "sign in with a Hugging Face token" in caught.value.user_message
    assert registry.list_installed() == []


def test_missing_repo_and_missing_subfolder_say_not_found(hub: FakeHub, registry: Registry) -> None:
    with pytest.raises(NotFoundOnHub, match="was not found"):
        registry.add_hub(REPO, "no-such-folder")
    hub.faults.status = 404
    with pytest.raises(NotFoundOnHub, match="was not found"):
        install(registry)


def test_a_folder_without_genai_config_is_refused(hub: FakeHub, registry: Registry) -> None:
    with pytest.raises(NotAGenaiModel):
        registry.add_hub(REPO, "transformersjs")
    assert hub.fetched() == []


def test_no_network_says_so(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    with pytest.raises(NoNetwork, match="Cannot reach the Hugging Face Hub"):
        install(registry)


def test_not_enough_disk_space_is_found_before_downloading(hub: FakeHub, registry: Registry,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(download.shutil, "disk_usage", lambda path: type("Usage", (), {"free": 1000})())
    with pytest.raises(DiskFull, match="Not enough disk space"):
        install(registry)
    assert hub.fetched() == []


def test_disk_full_while_writing_is_a_plain_error() -> None:
    with pytest.raises(DiskFull):
        with translate_errors(REPO):
            raise OSError(errno.ENOSPC, "No space left on device")


def test_hf_endpoint_is_read_at_call_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://mirror.example/")
    assert download.hub_endpoint() == "http://mirror.example"
    monkeypatch.delenv("HF_ENDPOINT")
    assert download.hub_endpoint() is None
