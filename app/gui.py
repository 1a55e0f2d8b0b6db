"""The composition root of the window: the Qt application, the engine client, the window, the start-up flags."""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from importlib import resources

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from app import paths
from app.flavour import available_providers
from app.models import resolve_model
from engine.catalog import load_catalog
from engine.hardware import detect_hardware
from engine.registry import Registry
from engine.settings import SamplingSettings
from ui.engine_client import EngineClient
from ui.main_window import MainWindow
from ui.model_library import ModelLibrary
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
    model = resolve_model(options.model) if options.model else None  # a folder, or an installed model's id
    guard_emit_refcount()
    QApplication.setWindowIcon(app_icon())
    window = MainWindow(EngineClient())
    window.attach_models(ModelLibrary(Registry(paths.models_dir()), load_catalog(), detect_hardware(),
                                      available_providers()))
    window.settings_panel.apply(settings)
    window.picker.set_provider(options.provider)
    if model:
        window.load_model(model)
    return window


def run(options: StartOptions) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("LocalChat")
    app.setDesktopFileName(DESKTOP_APP_ID)  # ties the window to packaging's .desktop entry and icon
    app.setStyle("Fusion")
    window = build_window(options)
    window.show()
    return app.exec()
