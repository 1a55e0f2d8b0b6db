"""The user's choices survive a restart; start-up flags win over them for that run."""

from __future__ import annotations

from app.gui import StartOptions, build_window
from app.storage.settings import AppSettings
from engine.runtime.settings import SamplingSettings
from waits import WAIT_MS


def open_window(qtbot, **options):
    window = build_window(StartOptions(**options))
    qtbot.addWidget(window)
    window.show()
    return window


def test_settings_and_window_size_survive_a_restart(qtbot, chat_model):
    first = open_window(qtbot, model=str(chat_model))
    qtbot.waitUntil(lambda: first.controller.model is not None, timeout=WAIT_MS)
    first.settings_panel.apply(SamplingSettings(temperature=0.35, top_p=0.5, top_k=12, max_new_tokens=99, seed=42))
    first.settings_panel.system_prompt_edit.setPlainText("Answer briefly.")
    first.picker.set_provider("cpu")
    first.resize(1180, 560)
    first.close()
    saved = AppSettings.load()
    assert (saved.temperature, saved.seed, saved.provider, saved.last_model) == (0.35, 42, "cpu", str(chat_model))

    second = open_window(qtbot)
    assert second.settings_panel.settings() == SamplingSettings(temperature=0.35, top_p=0.5, top_k=12,
                                                                max_new_tokens=99, seed=42)
    assert second.settings_panel.system_prompt() == "Answer briefly."
    assert second.picker.provider() == "cpu"
    assert second.height() == 560  # the offscreen screen is 800 px wide, narrower than the window can be
    qtbot.waitUntil(lambda: second.controller.model is not None, timeout=WAIT_MS)  # the last model, loaded again
    assert second.controller.model.path == str(chat_model)
    second.close()


def test_keeping_token_choices_survives_a_restart(qtbot):
    first = open_window(qtbot)
    first.settings_panel.choices_check.setChecked(True)
    first.close()
    assert AppSettings.load().token_choices
    second = open_window(qtbot)
    assert second.settings_panel.choices_check.isChecked() and second.inspector.show_tokens.isChecked()
    second.settings_panel.choices_check.setChecked(False)
    second.close()
    assert not AppSettings.load().token_choices


def test_flags_override_saved_settings(qtbot):
    AppSettings(temperature=1.5, max_new_tokens=77, provider="cpu").save()
    window = open_window(qtbot, temperature=0.2, provider="auto")
    settings = window.settings_panel.settings()
    assert (settings.temperature, settings.max_new_tokens) == (0.2, 77)
    assert window.picker.provider() == "cpu"  # "auto" is the flag's default, so the saved choice stays
    window.close()


def test_changes_are_saved_shortly_after_they_happen(qtbot):
    window = open_window(qtbot)
    window.settings_panel.apply(SamplingSettings(temperature=1.25))
    qtbot.waitUntil(lambda: AppSettings.load().temperature == 1.25, timeout=WAIT_MS)
    window.close()


def test_chosen_theme_applies_at_once_and_survives_a_restart(qtbot):
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    def window_is_dark() -> bool:
        return QApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128

    first = open_window(qtbot)
    first.settings_panel.set_theme("dark")
    assert window_is_dark()
    first.close()
    assert AppSettings.load().theme == "dark"
    second = open_window(qtbot)
    assert second.settings_panel.theme() == "dark" and window_is_dark()
    second.settings_panel.set_theme("light")
    assert not window_is_dark()
    second.close()
    assert AppSettings.load().theme == "light"
