"""Downloads in the window, from a fake Hub on 127.0.0.1: progress, cancel, sign-in, not found, then chat."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.models import download
from engine.models.catalog import Catalog, CatalogModel, Variant
from engine.models.hardware import Hardware
from engine.models.registry import Registry
from hub_server import FakeHub, files_from_folder
from synthetic_model import REPLY_TEXT, build_synthetic_model
from ui.models.model_library import ModelLibrary
from waits import WAIT_MS

REPO = "test-org/synthetic-onnx"
SYNTHETIC = CatalogModel(
    id="synthetic", name="Synthetic chat", repo=REPO, description="A tiny model for tests.", license="MIT",
    context_length=256, source_note="tests", variants=(Variant("cpu", "cpu-int4", 1_300_000, False, 100_000_000, 0,
                                                               "tests"),))


@pytest.fixture(scope="module")
def repo_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    model = build_synthetic_model(tmp_path_factory.mktemp("hub") / "model", chat=True)
    return files_from_folder(model, "cpu-int4")


@pytest.fixture
def hub(repo_files, monkeypatch: pytest.MonkeyPatch):
    server = FakeHub(REPO, dict(repo_files)).start()
    monkeypatch.setenv("HF_ENDPOINT", server.url)
    yield server
    server.stop()


@pytest.fixture
def library(window, tmp_path: Path) -> ModelLibrary:
    library = ModelLibrary(Registry(tmp_path / "models"), Catalog((SYNTHETIC,)), Hardware(ram_bytes=8_000_000_000),
                           ["cpu"])
    window.attach_models(library)
    return library


def bar(window):
    return window.download_bar


def test_download_from_the_welcome_shows_progress_then_opens_the_model(window, library, hub, qtbot):
    hub.faults.bytes_per_second = 2_000_000  # slow enough to see progress
    seen = []
    library.download_progressed.connect(seen.append)
    window.chat_view.welcome.offer.download_button.click()
    assert bar(window).isVisible() and bar(window).title.text() == "Downloading Synthetic chat"
    assert not window.chat_view.welcome.offer.download_button.isEnabled()
    qtbot.waitUntil(lambda: any(0 < e.bytes_done < e.total_bytes for e in seen), timeout=WAIT_MS)
    assert " of " in bar(window).details.text() and "/s" in bar(window).details.text()
    qtbot.waitUntil(lambda: window.controller.model is not None, timeout=WAIT_MS)  # first run: opened for you
    assert not bar(window).isVisible()
    assert [m.id for m in library.installed()] == ["synthetic"]
    window.composer.input.setPlainText("Hi")
    window.composer.button.click()
    qtbot.waitUntil(lambda: not window.controller.generating, timeout=WAIT_MS)
    assert window.controller.last_reply_text() == REPLY_TEXT


def test_download_from_the_models_view_lists_the_model(window, library, hub, qtbot):
    window.show_models(True)
    with qtbot.waitSignal(library.download_finished, timeout=WAIT_MS):
        window.models_view.variant_rows[("synthetic", "cpu")].download_button.click()
    assert list(window.models_view.installed_rows) == ["synthetic"]


def test_cancel_leaves_nothing_installed(window, library, hub, qtbot):
    hub.faults.bytes_per_second = 300_000
    started = []
    library.download_progressed.connect(lambda e: e.bytes_done and started.append(e))
    window.chat_view.welcome.offer.download_button.click()
    qtbot.waitUntil(lambda: bool(started), timeout=WAIT_MS)
    with qtbot.waitSignal(library.download_cancelled, timeout=WAIT_MS):
        bar(window).cancel_button.click()
        assert bar(window).cancel_button.text() == "Cancelling…"
        assert not bar(window).cancel_button.isEnabled()
    assert library.installed() == [] and library.registry.list_installed() == []
    assert not bar(window).isVisible() and not window.banner.isVisible()
    assert window.status.activity.text() == "Download cancelled"
    assert window.chat_view.welcome.offer.download_button.isEnabled()


def test_401_asks_to_sign_in_and_a_token_retries(window, library, hub, qtbot, monkeypatch):
    hub.faults.status = 401
    tokens = []

    def store_token(token: str) -> None:
        tokens.append(token)
        hub.faults.status = None

    monkeypatch.setattr(download, "store_token", store_token)
    window.chat_view.welcome.offer.download_button.click()
    qtbot.waitUntil(window.banner.isVisible, timeout=WAIT_MS)
    assert "sign in with a Hugging Face token" in window.banner.message.text()
    assert bar(window).token_field.isVisible()
    bar(window).token_field.setText(" hf_example ")
    with qtbot.waitSignal(library.download_finished, timeout=WAIT_MS):
        bar(window).sign_in_button.click()
    assert tokens == ["hf_example"]
    assert [m.id for m in library.installed()] == ["synthetic"]


def test_404_says_not_found(window, library, hub, qtbot):
    window.show_models(True)
    window.models_view.repo_field.setText(REPO)
    window.models_view.subfolder_field.setText("no-such-folder")
    window.models_view.hub_button.click()
    qtbot.waitUntil(window.banner.isVisible, timeout=WAIT_MS)
    assert window.banner.message.text() == f"{REPO}/no-such-folder was not found on the Hugging Face Hub."
    assert library.installed() == [] and not bar(window).isVisible()


def test_auto_runs_a_variant_on_its_provider_and_the_fallback_reason_is_shown(window, library, hub, qtbot):
    library.registry.add_hub(REPO, "cpu-int4", model_id="synthetic", provider="cuda", backoff_seconds=0.01)
    library.installed_changed.emit()
    window.show_models(True)
    window.models_view.installed_rows["synthetic"].open_button.click()
    qtbot.waitUntil(lambda: window.controller.model is not None, timeout=WAIT_MS)
    reason = "This build of onnxruntime-genai has no CUDA support; using the CPU instead."
    assert window.controller.model.fallback_reason == reason
    assert window.status.activity.text() == "Running on the CPU instead of CUDA"
    assert window.status.activity.toolTip() == reason and window.status.model_label.toolTip() == reason
    with qtbot.waitSignal(window.controller.model_changed, timeout=WAIT_MS):
        window.picker.set_provider("cpu")  # forcing the CPU reloads without a fallback
    qtbot.waitUntil(lambda: window.controller.model is not None, timeout=WAIT_MS)
    assert window.controller.model.fallback_reason is None


def test_the_bar_moves_with_every_chunk_and_cancel_stops_within_one(window, library, hub, qtbot, tmp_path):
    """A 3 MiB file at 1 MB/s: the bar moves many times inside it, and Cancel stops it within one chunk."""
    from engine.models import transfer

    big = "cpu-int4/model.onnx.data"
    hub.files[big] = bytes(range(256)) * (3 * 4096)
    hub.faults.bytes_per_second = 1_000_000
    inside: list[int] = []
    library.download_progressed.connect(
        lambda e: e.current_file == big and 0 < e.bytes_done < e.total_bytes and inside.append(bar(window).progress.value()))
    part = transfer.part_path(library.registry.models_dir / "synthetic.partial" / big)
    window.chat_view.welcome.offer.download_button.click()
    qtbot.waitUntil(lambda: len(set(inside)) >= 4, timeout=WAIT_MS)  # the bar itself moved, four times
    with qtbot.waitSignal(library.download_cancelled, timeout=WAIT_MS):
        held_at_click = part.stat().st_size
        bar(window).cancel_button.click()
    assert part.stat().st_size - held_at_click <= transfer.CHUNK_BYTES
    assert part.stat().st_size < len(hub.files[big])  # stopped, not finished
