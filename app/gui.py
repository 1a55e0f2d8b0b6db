"""The composition root of the window: the Qt application, the engine client, the window, the start-up flags.

The window starts with the saved settings (flags override them), the conversation
history (the latest conversation reopened) and, with ``--send TEXT``, sends TEXT once
the model has loaded, as if typed: handy for scripts and demos, and how the crash test
drives the real app without a human.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from importlib import resources

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from app import paths
from app.history import ChatHistory
from app.linux_libraries import window_problem
from app.models import resolve_model
from app.storage.settings import AppSettings
from app.engine_choice import EngineChooser, start_engine
from app.settings_keeper import SettingsKeeper, saved_sampling
from app.storage.secrets import KeyStore
from app.storage.store import ConversationStore
from engine.models.catalog import load_catalog
from engine.errors import FlavourConflict
from engine.runtime.genai import flavour_problem, flavour_providers
from engine.models.hardware import detect_hardware
from engine.models.registry import Registry
from app.server.in_window import attach_server
from ui.engine_client import EngineClient
from ui.inspect.inspector import attach_inspector
from ui.shell.main_window import MainWindow
from ui.models.model_library import ModelLibrary


DESKTOP_APP_ID = "io.github.localchat.LocalChat"


@dataclass(frozen=True)
class StartOptions:
    model: str | None = None
    provider: str = "auto"
    temperature: float | None = None
    max_tokens: int | None = None
    seed: int | None = None
    send: str | None = None
    backend: str | None = None  # a server's base URL: it is the engine for this run
    api_key: str | None = None
    remote_model: str | None = None


def app_icon() -> QIcon:
    return QIcon(str(resources.files("resources") / "icon.svg"))


def build_window(options: StartOptions) -> MainWindow:
    """Make the window with its engine client and apply the start-up flags (needs a QApplication)."""
    preferences = AppSettings.load()
    settings = saved_sampling(preferences)
    if options.temperature is not None:
        settings = replace(settings, temperature=options.temperature)
    if options.max_tokens is not None:
        settings = replace(settings, max_new_tokens=options.max_tokens)
    if options.seed is not None:
        settings = settings.with_seed(options.seed)
    settings.validated()  # a bad flag fails before any window or engine exists
    model = resolve_model(options.model) if options.model else None  # a folder, or an installed model's id
    keys = KeyStore()
    engine = start_engine(preferences, keys, options.backend, options.api_key, options.remote_model)
    QApplication.setWindowIcon(app_icon())
    window = MainWindow(EngineClient(engine.backend))
    window.inspector = attach_inspector(window)
    attach_server(window)
    window.attach_models(ModelLibrary(Registry(paths.models_dir()), load_catalog(), detect_hardware(),
                                      flavour_providers()))
    window.settings_panel.apply(settings)
    window.picker.set_provider(preferences.provider if options.provider == "auto" else options.provider)
    keeper = SettingsKeeper(window, preferences)
    chooser = EngineChooser(window, keeper, keys, engine)
    if model and not engine.choice.server:
        window.load_model(model)
    keeper.restore(model_given=bool(options.model) or engine.choice.server)
    chooser.start()
    ChatHistory(ConversationStore.open_default(), window).start()
    problem = flavour_problem()  # after any load request and the first conversation shown, which hide the banner
    if problem:
        print(f"localchat: {problem}", file=sys.stderr)
        window.banner.show_error(FlavourConflict(problem))
    if options.send:
        send_once_loaded(window, options.send)
    return window


def send_once_loaded(window: MainWindow, text: str) -> None:
    """Send ``text`` the first time a model is ready."""
    def on_model_changed(info: object) -> None:
        if info is not None:
            window.controller.model_changed.disconnect(on_model_changed)
            window.controller.send(text)

    window.controller.model_changed.connect(on_model_changed)


def run(options: StartOptions) -> int:
    if QApplication.instance() is None:
        problem = window_problem()  # Qt would abort inside QApplication() with its own text
        if problem:
            print(f"localchat: {problem}", file=sys.stderr)
            return 1
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("LocalChat")
    app.setDesktopFileName(DESKTOP_APP_ID)  # ties the window to packaging's .desktop entry and icon
    app.setStyle("Fusion")
    window = build_window(options)
    window.show()
    return app.exec()
