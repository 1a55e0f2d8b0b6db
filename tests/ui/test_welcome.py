"""First run: the welcome recommends a model that fits this (fixed) machine; installed models open in one click."""

from __future__ import annotations

import pytest

from engine.models.catalog import load_catalog
from engine.models.hardware import Hardware
from engine.models.registry import Registry
from synthetic_model import REPLY_TEXT
from ui.models.model_library import ModelLibrary
from ui.models.welcome import NOTHING_FITS
from waits import WAIT_MS

GB = 1_000_000_000


@pytest.fixture
def attach(window, tmp_path):
    def attach(hardware: Hardware, providers=("cpu",)) -> ModelLibrary:
        library = ModelLibrary(Registry(tmp_path / "models"), load_catalog(), hardware, list(providers))
        window.attach_models(library)
        return library
    return attach


def test_first_run_recommends_the_first_catalog_model_that_fits(window, attach):
    attach(Hardware(ram_bytes=16 * GB))
    welcome = window.chat_view.welcome
    assert window.chat_view.currentWidget() is welcome
    assert welcome.offer.isVisible()
    assert "Phi-4 mini instruct" in welcome.offer.heading.text()
    assert welcome.offer.facts.text() == "4.9 GB download · MIT licence · runs on CPU · Fits this computer"
    assert welcome.offer.download_button.text() == "Download (4.9 GB)"
    assert welcome.open_button.isVisible()
    assert not window.banner.isVisible()  # an empty start is not an error


def test_a_smaller_machine_gets_a_smaller_model(window, attach):
    attach(Hardware(ram_bytes=8 * GB))
    assert "Phi-3.5 mini instruct" in window.chat_view.welcome.offer.heading.text()


def test_a_cuda_build_with_a_big_gpu_gets_the_gpu_variant(window, attach):
    attach(Hardware(ram_bytes=16 * GB, gpu_memory_bytes=8 * GB, gpu_name="GeForce"), providers=("cuda", "cpu"))
    assert "runs on CUDA" in window.chat_view.welcome.offer.facts.text()


def test_when_nothing_fits_the_welcome_says_so_without_an_error(window, attach):
    attach(Hardware(ram_bytes=1 * GB))
    welcome = window.chat_view.welcome
    assert not welcome.offer.isVisible()
    assert welcome.text.text() == NOTHING_FITS
    assert not window.banner.isVisible()


def test_installed_models_are_listed_and_open_with_one_click(window, attach, chat_model, qtbot):
    library = attach(Hardware(ram_bytes=16 * GB))
    library.add_local(chat_model)
    welcome = window.chat_view.welcome
    assert not welcome.offer.isVisible()
    buttons = [welcome.installed.itemAt(i).widget() for i in range(welcome.installed.count())]
    assert [b.accessibleName() for b in buttons] == ["Open synthetic-chat"]
    buttons[0].click()
    qtbot.waitUntil(lambda: window.controller.model is not None, timeout=WAIT_MS)
    window.composer.input.setPlainText("Hi")
    window.composer.button.click()
    qtbot.waitUntil(lambda: not window.controller.generating, timeout=WAIT_MS)
    assert window.controller.last_reply_text() == REPLY_TEXT
