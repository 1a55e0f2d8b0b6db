"""SettingsKeeper: the window starts with the user's last choices and saves them when they change.

Saving is debounced (dragging a slider changes it many times a second) and done once
more when the window closes, with its geometry.  A failed save is shown once in the
banner; the window keeps working with the values on screen.
"""

from __future__ import annotations

import base64
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QObject, QTimer

from app.storage.settings import AppSettings, SettingsNotSaved
from engine.errors import InvalidSetting
from engine.runtime.settings import SamplingSettings
from ui.chat.settings_panel import default_text_size
from ui.shell.main_window import MainWindow

SAVE_DELAY_MS = 500
_SAMPLING = ("temperature", "top_p", "top_k", "repetition_penalty", "max_new_tokens", "seed")


def saved_sampling(preferences: AppSettings) -> SamplingSettings:
    """The stored sampling values, or the defaults if they are outside what the engine accepts."""
    stored = SamplingSettings(**{name: getattr(preferences, name) for name in _SAMPLING})
    try:
        return stored.validated()
    except InvalidSetting:
        return SamplingSettings()


class SettingsKeeper(QObject):
    def __init__(self, window: MainWindow, preferences: AppSettings, path: Path | None = None) -> None:
        super().__init__(window)
        self.window, self.preferences, self._path = window, preferences, path
        self._reported = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_DELAY_MS)
        self._timer.timeout.connect(self.save)
        window.settings_panel.changed.connect(self._timer.start)
        window.settings_panel.system_prompt_edit.textChanged.connect(self._timer.start)
        window.settings_panel.theme_changed.connect(self._timer.start)
        window.settings_panel.text_size_changed.connect(self._timer.start)
        window.settings_panel.choices_check.toggled.connect(self._timer.start)
        window.top_bar.wide_button.toggled.connect(self._timer.start)
        window.top_bar.settings_button.toggled.connect(self._timer.start)
        window.sidebar.collapse_requested.connect(self._timer.start)
        window.picker.provider_combo.currentIndexChanged.connect(self._timer.start)
        window.controller.model_changed.connect(self._on_model_changed)
        window.installEventFilter(self)

    def restore(self, *, model_given: bool) -> None:
        """Put back what the start-up flags did not set: system prompt, geometry, theme, token choices, the last
        model."""
        preferences, window = self.preferences, self.window
        window.settings_panel.system_prompt_edit.setPlainText(preferences.system_prompt)
        if preferences.window_geometry:
            window.restoreGeometry(QByteArray(base64.b64decode(preferences.window_geometry)))
        window.settings_panel.set_theme(preferences.theme)
        if preferences.text_size:
            window.settings_panel.set_text_size(preferences.text_size)
        window.settings_panel.choices_check.setChecked(preferences.token_choices)
        window.set_wide(preferences.wide_column)
        window.set_settings_open(preferences.settings_open)
        window.set_sidebar_open(preferences.sidebar_open)  # last: on a narrow window the settings fold first
        if not model_given and preferences.last_model and Path(preferences.last_model).is_dir():
            window.load_model(preferences.last_model)
        self._timer.stop()  # restoring is not a change to save

    def save(self) -> None:
        self._timer.stop()
        panel, window = self.window.settings_panel, self.window
        sampling = panel.settings()
        sidebar_open, settings_open, wide = window.panel_wishes()
        text_size = panel.text_size()
        self.preferences = replace(
            self.preferences, provider=window.picker.provider(), system_prompt=panel.system_prompt(),
            theme=panel.theme(), token_choices=panel.choices_check.isChecked(), wide_column=wide, sidebar_open=sidebar_open, settings_open=settings_open,
            text_size=0.0 if text_size == round(default_text_size()) else text_size,  # 0: follow the system
            window_geometry=base64.b64encode(bytes(window.saveGeometry())).decode("ascii"),
            **{name: getattr(sampling, name) for name in _SAMPLING})
        try:
            self.preferences.save(self._path)
        except SettingsNotSaved as error:
            if not self._reported:  # once: a read-only config folder would otherwise nag on every slider move
                self._reported = True
                window.banner.show_error(error)

    def _on_model_changed(self, info: object) -> None:
        if info is not None and info.server is None:  # a server's model is kept with the engine choice
            self.preferences = replace(self.preferences, last_model=info.path)
            self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.save()
        return False
