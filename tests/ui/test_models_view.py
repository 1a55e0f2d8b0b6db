"""The Models page: catalog with fit hints, installed models with sizes, remove, add from a folder."""

from __future__ import annotations

import pytest
from layout_check import settle
from PySide6.QtWidgets import QFileDialog, QMessageBox

from engine.models.catalog import load_catalog
from engine.models.hardware import Hardware
from engine.models.registry import Registry, folder_size
from ui.models.model_library import ModelLibrary
from ui.shell.units import human_bytes
from waits import WAIT_MS

GB = 1_000_000_000


@pytest.fixture
def library(window, tmp_path) -> ModelLibrary:
    library = ModelLibrary(Registry(tmp_path / "models"), load_catalog(), Hardware(ram_bytes=8 * GB), ["cpu"])
    window.attach_models(library)
    return library


@pytest.fixture
def view(window, library):
    window.picker.models_button.click()
    assert window.models_view.isVisible() and not window.chat_view.isVisible()
    return window.models_view


def answer(monkeypatch, button: QMessageBox.StandardButton) -> list[str]:
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda parent, title, text: asked.append(text) or button)
    return asked


def test_catalog_entries_have_fit_hints_with_the_figures_in_a_tooltip(view):
    rows = view.variant_rows
    assert len(rows) == sum(len(m.variants) for m in load_catalog().models)
    assert rows[("phi-3.5-mini-instruct", "cpu")].fit_label.text() == "Fits this computer"
    assert rows[("phi-4-mini-instruct", "cpu")].fit_label.text() == "May be slow here"
    tip = rows[("phi-4-mini-instruct", "cpu")].fit_label.toolTip()
    assert "6.5 GB of RAM" in tip and "this computer has 8.0 GB" in tip
    cuda = rows[("phi-4-mini-instruct", "cuda")]
    assert cuda.fit_label.text() == "Needs LocalChat for CUDA" and not cuda.download_button.isEnabled()


def test_installed_models_show_their_size_and_open(view, library, chat_model, window, qtbot):
    library.add_local(chat_model)
    row = view.installed_rows["synthetic-chat"]
    assert row.size_label.text() == human_bytes(folder_size(chat_model))
    row.open_button.click()
    assert window.chat_view.isVisible() and not view.isVisible()
    qtbot.waitUntil(lambda: window.controller.model is not None, timeout=WAIT_MS)


def test_remove_asks_first_and_forgets_the_model(view, library, chat_model, monkeypatch):
    library.add_local(chat_model)
    asked = answer(monkeypatch, QMessageBox.StandardButton.No)
    view.installed_rows["synthetic-chat"].remove_button.click()
    assert "stays where it is" in asked[0]
    assert [m.id for m in library.installed()] == ["synthetic-chat"]
    answer(monkeypatch, QMessageBox.StandardButton.Yes)
    view.installed_rows["synthetic-chat"].remove_button.click()
    assert library.installed() == [] and view.installed_rows == {}
    assert (chat_model / "genai_config.json").is_file()  # the user's folder is left alone


def test_add_from_folder_lists_the_model(view, chat_model, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: str(chat_model))
    view.folder_button.click()
    assert list(view.installed_rows) == ["synthetic-chat"]


def test_a_folder_without_genai_config_shows_the_plain_error(view, window, tmp_path, monkeypatch):
    empty = tmp_path / "just-some-folder"
    empty.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: str(empty))
    view.folder_button.click()
    assert window.banner.isVisible()
    assert window.banner.message.text() == (f"{empty} is not an ONNX Runtime GenAI model folder: "
                                            "it has no genai_config.json.")
    assert view.installed_rows == {}


def test_the_model_flag_accepts_an_installed_id(chat_model, qtbot):
    from app import paths
    from app.gui import StartOptions, build_window
    from engine.errors import ModelFolderMissing

    Registry(paths.models_dir()).add_local(chat_model)
    window = build_window(StartOptions(model="synthetic-chat"))
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.controller.model is not None, timeout=WAIT_MS)
    assert window.controller.model.path == str(chat_model.resolve())
    window.close()
    with pytest.raises(ModelFolderMissing, match="no installed model called 'nothing-here'"):
        build_window(StartOptions(model="nothing-here"))


def test_auto_prefers_the_provider_a_variant_was_built_for():
    from ui.models.model_picker import effective_provider

    assert effective_provider("auto", "cuda") == "cuda"
    assert effective_provider("auto", None) == "auto"
    assert effective_provider("cpu", "cuda") == "cpu"


def test_the_models_page_gets_its_room_when_reply_settings_are_open(view, window):
    window.resize(1100, 760)
    window.set_settings_open(True)
    settle()
    window.show_page(view)
    settle()
    assert view.width() >= view.minimumSizeHint().width()
    window.show_page(None)  # back to the chat: what the user opened comes back
    settle()
    assert window.settings_scroll.isVisible()
