"""EngineChooser: builds the backend the window's engine choice names, and keeps that choice.

The window's EnginePanel says what the user wants (this computer, or a server's address, key and model);
this class, in the composition root, makes the Backend for it and hands it to the EngineClient, tests
connections off the GUI thread, and stores the choice: address and model in settings.json, the key in the
OS keyring (app.storage.secrets) or, where there is none, in settings.json with the panel's warning.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app import paths
from app.settings_keeper import SettingsKeeper
from app.storage.secrets import KeyStore
from app.storage.settings import AppSettings
from engine.backend import Backend
from engine.errors import LocalChatError
from app.server.runner import DEFAULT_QUEUE
from engine.process.client import EngineProcess
from engine.process.shared import TurnTakingBackend
from engine.process.turns import EngineTurns
from engine.remote.openai_backend import OpenAIBackend
from ui.backend.engine_panel import EngineChoice, EnginePanel
from ui.shell.main_window import MainWindow

TEST_CONNECT_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class StartEngine:
    backend: Backend
    choice: EngineChoice
    from_flags: bool = False  # chosen with --backend: used for this run, not saved


def local_engine() -> TurnTakingBackend:
    """This computer's engine, in its own process, taken in turns with the local server (app/server/in_window.py)."""
    engine = EngineProcess(hash_cache=str(paths.model_hash_cache()))
    return TurnTakingBackend(engine, EngineTurns(engine, max_waiting=DEFAULT_QUEUE))


def start_engine(preferences: AppSettings, keys: KeyStore, flag_url: str | None = None, flag_key: str | None = None,
                 flag_model: str | None = None) -> StartEngine:
    """The engine the window starts with: ``--backend`` flags, else the saved choice, else this computer."""
    if flag_url:
        choice = EngineChoice(True, flag_url, flag_key or "", flag_model or "")
        backend = OpenAIBackend(flag_url, flag_key)
        return StartEngine(backend, replace(choice, url=backend.base_url), from_flags=True)
    key = (keys.load(preferences.server_url) or preferences.server_key) if preferences.server_url else ""
    choice = EngineChoice(preferences.engine == "server", preferences.server_url, key, preferences.server_model)
    if choice.server and choice.url:
        try:
            return StartEngine(OpenAIBackend(choice.url, key or None), choice)
        except LocalChatError:  # a stored address that no longer parses: this computer, and the panel shows it
            pass
    return StartEngine(local_engine(), replace(choice, server=False))


class EngineChooser(QObject):
    _listed = Signal(int, object)  # test number, list of model names or a LocalChatError (from a test thread)

    def __init__(self, window: MainWindow, keeper: SettingsKeeper, keys: KeyStore, start: StartEngine) -> None:
        super().__init__(window)
        self.window, self.keeper, self.keys = window, keeper, keys
        self.panel = EnginePanel()
        window.attach_engine_choice(self.panel)
        self.panel.set_choice(start.choice)
        self.panel.set_key_warning(not keys.in_keyring)
        self._tests = 0
        self._listed.connect(self._on_listed)
        self.panel.test_requested.connect(self._on_test_requested)
        self.panel.apply_requested.connect(self._on_apply_requested)
        window.local_model_requested.connect(self._on_local_model_requested)
        self.choice = start.choice
        window.show_engine(start.choice.url if start.choice.server else None, start.choice.model)

    def start(self) -> None:
        """Pick the server's model at start, when a server is the engine."""
        if self.choice.server:
            self.window.load_directly(self.choice.model)

    # --- the panel ---------------------------------------------------------------------------------------

    def _on_test_requested(self, url: str, key: str) -> None:
        self._tests += 1
        number = self._tests

        def run() -> None:
            try:
                backend = OpenAIBackend(url, key or None, connect_timeout_s=TEST_CONNECT_TIMEOUT_S,
                                        read_timeout_s=TEST_CONNECT_TIMEOUT_S * 2)
                result: object = [model.name for model in backend.list_models()]
                backend.close()
            except LocalChatError as error:
                result = error
            self._listed.emit(number, result)

        threading.Thread(target=run, name="localchat-connection-test", daemon=True).start()

    def _on_listed(self, number: int, result: object) -> None:
        if number != self._tests:
            return  # an older test, overtaken by the one the panel now waits for
        if isinstance(result, LocalChatError):
            self.panel.show_test_failed(result)
        else:
            self.panel.show_models(result)

    def _on_apply_requested(self, choice: EngineChoice) -> None:
        self.window.engine_dialog.accept()
        if choice.server:
            self._use_server(choice)
        elif self.choice.server:
            self._use_local()
        else:  # this computer already: keep its engine and model, only remember the server's details
            self._remember(choice)

    def _on_local_model_requested(self, path: str, provider: str) -> None:
        """A model folder or download opened while a server was the engine: this computer takes over."""
        self._use_local(load=False)
        self.window.load_directly(path, provider)

    # --- switching ---------------------------------------------------------------------------------------

    def _use_server(self, choice: EngineChoice) -> None:
        try:
            backend = OpenAIBackend(choice.url, choice.key or None)
        except LocalChatError as error:
            self.window.banner.show_error(error)
            return
        self._remember(choice)
        self.window.client.use_backend(backend)
        self.window.show_engine(backend.base_url, choice.model)
        self.window.load_directly(choice.model)

    def _use_local(self, load: bool = True) -> None:
        self._remember(replace(self.choice, server=False))
        self.window.client.use_backend(local_engine())
        self.window.show_engine(None)
        last = self.keeper.preferences.last_model
        if not load:
            return
        if last and Path(last).is_dir():
            self.window.load_model(last)
        else:
            self.window.controller.unload_model()

    def _remember(self, choice: EngineChoice) -> None:
        """Keep the choice for next time: the key in the keyring when one works, else in the settings file."""
        self.choice = choice
        in_keyring = bool(choice.url) and self.keys.save(choice.url, choice.key)
        self.keeper.preferences = replace(self.keeper.preferences, engine="server" if choice.server else "local",
                                          server_url=choice.url, server_model=choice.model,
                                          server_key="" if in_keyring else choice.key)
        self.keeper.save()
