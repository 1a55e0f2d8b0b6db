"""``localchat``: subcommands go to the CLI, flags preselect the window."""

from __future__ import annotations


import pytest

from app import main as entry
from app.gui import StartOptions, build_window


def test_subcommands_and_version_go_to_the_cli(monkeypatch):
    calls = []
    monkeypatch.setattr("app.cli.run", lambda argv: calls.append(list(argv)) or 0)
    monkeypatch.setattr("app.gui.run", lambda options: pytest.fail("the window must not open"))
    assert entry.main(["doctor"]) == 0
    assert entry.main(["--version"]) == 0
    assert calls == [["doctor"], ["--version"]]


def test_gui_flags_reach_the_window(monkeypatch):
    seen = []
    monkeypatch.setattr("app.gui.run", lambda options: seen.append(options) or 0)
    assert entry.main(["--model", "m", "--provider", "cpu", "--temperature", "0.3", "--max-tokens", "7",
                       "--seed", "5"]) == 0
    assert seen == [StartOptions(model="m", provider="cpu", temperature=0.3, max_tokens=7, seed=5)]


def test_start_options_preselect_settings_and_provider(qtbot):
    window = build_window(StartOptions(provider="cpu", temperature=0.3, max_tokens=7, seed=5))
    qtbot.addWidget(window)
    settings = window.settings_panel.settings()
    assert (settings.temperature, settings.max_new_tokens, settings.seed) == (0.3, 7, 5)
    assert window.picker.provider() == "cpu"
    assert not window.windowIcon().isNull()
    window.close()


def test_a_bad_flag_is_refused_before_the_window_opens(qtbot, capsys):
    assert entry.main(["--temperature", "9"]) == 2
    assert "Temperature must be" in capsys.readouterr().err
