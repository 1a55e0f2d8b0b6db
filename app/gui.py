"""The composition root of the window: the Qt application, the engine client, the window, the start-up flags."""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from importlib import resources

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from engine.settings import SamplingSettings
from ui.engine_client import EngineClient
from ui.main_window import MainWindow
from ui.pyside_fix import guard_emit_refcount


DESKTOP_APP_ID = "io.github.localchat.LocalChat"


@dataclass(frozen=True)
class StartOptions:
    model: str | None = None
    provider: str = "auto"
    temperature: float | None = None
    max_tokens: int | None = None
    seed: int | None = None


def app_icon() -> QIcon:
    return QIcon(str(resources.files("resources") / "icon.svg"))


def build_window(options: StartOptions) -> MainWindow:
    """Make the window with its engine client and apply the start-up flags (needs a QApplication)."""
    settings = SamplingSettings()
    if options.temperature is not None:
        settings = replace(settings, temperature=options.temperature)
    if options.max_tokens is not None:
        settings = replace(settings, max_new_tokens=options.max_tokens)
    if options.seed is not None:
        settings = settings.with_seed(options.seed)
    settings.validated()  # a bad flag fails before any window or engine exists
    guard_emit_refcount()
    QApplication.setWindowIcon(app_icon())
    window = MainWindow(EngineClient())
    window.settings_panel.apply(settings)
    window.picker.set_provider(options.provider)
    if options.model:
        window.load_model(options.model)
    return window


def run(options: StartOptions) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("LocalChat")
    app.setDesktopFileName(DESKTOP_APP_ID)  # ties the window to packaging's .desktop entry and icon
    app.setStyle("Fusion")
    window = build_window(options)
    window.show()
    return app.exec()
