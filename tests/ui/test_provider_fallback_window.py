"""The window says, in the banner and the status bar, when the model does not run where the user asked."""

from __future__ import annotations

import pytest

from app.gui import StartOptions, build_window
from distributions import the_other_flavour
from engine.runtime import genai as genai_module
from engine.runtime.genai import flavour_problem, installed_flavours
from engine.runtime.providers import built_in_providers
from waits import WAIT_MS


pytestmark = pytest.mark.providers


def test_a_provider_that_cannot_be_used_is_named_with_its_reason(window, chat_model, qtbot, monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")  # the engine process starts with every GPU hidden
    window.load_model(str(chat_model), "cuda")
    qtbot.waitUntil(lambda: window.controller.model is not None, timeout=WAIT_MS)
    info = window.controller.model
    assert info.provider == "cpu"
    built_in = "cuda" in built_in_providers()
    expected = "CUDA could not start (" if built_in else "This build of onnxruntime-genai has no CUDA"
    assert info.fallback_reason.startswith(expected)
    # The model works, so it is a notice (not an error) with onnxruntime-genai's own words on hover.
    assert window.banner.isVisible() and window.banner.is_notice
    assert window.banner.message.text() == info.fallback_reason and window.banner.toolTip() == info.fallback_detail
    assert info.fallback_from == "cuda"
    assert window.status.activity.text() == "Running on the CPU instead of CUDA"
    assert window.status.activity.toolTip() == info.fallback_reason
    assert window.status.model_label.text() == f"{chat_model.name} · CPU"


def test_two_flavours_found_at_start_up_are_named_in_the_banner(qtbot, tmp_path, monkeypatch, capsys):
    (installed, _), = installed_flavours()
    the_other_flavour(tmp_path, installed)
    monkeypatch.syspath_prepend(str(tmp_path))  # a second flavour's metadata, as pip would leave it
    window = build_window(StartOptions())
    qtbot.addWidget(window)
    problem = flavour_problem()
    assert problem.startswith("Two onnxruntime-genai flavours are installed")
    assert not window.banner.isHidden() and window.banner.message.text() == problem
    assert capsys.readouterr().err == f"localchat: {problem}\n"
    window.close()


def test_no_flavour_says_how_to_install_one_and_the_window_still_opens(qtbot, monkeypatch):
    monkeypatch.setattr(genai_module, "installed_flavours", lambda: [])  # injected: metadata finds none
    window = build_window(StartOptions())
    qtbot.addWidget(window)
    assert window.banner.message.text() == genai_module.missing_sentence() and not window.banner.isHidden()
    assert window.sidebar.isEnabled()  # history stays readable
    window.close()
