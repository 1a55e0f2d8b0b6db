"""Fixtures for window tests: a real window with a real engine process on a synthetic model."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from app.gui import StartOptions, build_window
from app.storage.store import ConversationStore, default_path
from engine.runtime.settings import SamplingSettings
from synthetic_model import build_synthetic_model
from ui.engine_client import EngineClient
from ui.shell.main_window import MainWindow
from waits import WAIT_MS


@pytest.fixture(scope="session")
def counting_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A slow completion model that answers "count" with about 90 tokens ("one two three …")."""
    return build_synthetic_model(tmp_path_factory.mktemp("models") / "synthetic-counting", chat=False,
                                 context_length=4096, slow_matmuls=12)


@pytest.fixture
def window(qtbot):
    window = MainWindow(EngineClient())
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()


@pytest.fixture(autouse=True)
def collect_on_gui_thread():
    """Free Qt wrappers here, not wherever Python's collector happens to run next (the worker thread)."""
    yield
    gc.collect()


class Chat:
    """What a user does in the window, with waits for the engine."""

    def __init__(self, window: MainWindow, qtbot) -> None:
        self.window, self.qtbot = window, qtbot

    @property
    def controller(self):
        return self.window.controller

    def load(self, path: Path) -> None:
        self.window.load_model(str(path))
        self.qtbot.waitUntil(lambda: self.controller.model is not None, timeout=WAIT_MS)

    def use(self, **settings) -> None:
        """Set the settings panel as a user would, starting from the defaults."""
        self.window.settings_panel.apply(SamplingSettings(**settings))

    def send(self, text: str, wait: bool = True) -> None:
        self.window.composer.input.setPlainText(text)
        self.window.composer.button.click()
        if wait:
            self.wait_idle()

    def wait_idle(self) -> None:
        self.qtbot.waitUntil(lambda: not self.controller.generating, timeout=WAIT_MS)

    def wait_text(self) -> None:
        self.qtbot.waitUntil(lambda: bool(self.controller.generating and self.controller.tree.active_path()[-1].content),
                             timeout=WAIT_MS)

    def messages(self):
        return self.window.chat_view.messages

    def shown_text(self, index: int) -> str:
        """The text a user sees in message ``index`` (all its text views joined)."""
        widget = self.messages()[index]
        return "\n".join(view.toPlainText() if hasattr(view, "toPlainText") else view.text.toPlainText()
                         for view in widget.text_widgets())


@pytest.fixture
def chat(window, qtbot) -> Chat:
    return Chat(window, qtbot)


class App:
    """The whole app's window (store, sidebar, saved settings) and what a user does in it."""

    def __init__(self, qtbot, **options) -> None:
        self.qtbot = qtbot
        options.setdefault("temperature", 0.0)  # greedy: the synthetic model's reply is then exactly REPLY_TEXT
        self.window = build_window(StartOptions(**options))
        qtbot.addWidget(self.window)
        self.window.show()

    @property
    def controller(self):
        return self.window.controller

    @property
    def sidebar(self):
        return self.window.sidebar

    def load(self, path) -> None:
        self.window.load_model(str(path))
        self.qtbot.waitUntil(lambda: self.controller.model is not None, timeout=WAIT_MS)

    def send(self, text: str) -> None:
        self.window.composer.input.setPlainText(text)
        self.window.composer.button.click()
        self.wait_idle()

    def wait_idle(self) -> None:
        self.qtbot.waitUntil(lambda: not self.controller.generating, timeout=WAIT_MS)

    def shown(self) -> list[str]:
        return [widget.node.content for widget in self.window.chat_view.messages]

    def search(self, text: str) -> None:
        self.sidebar.search_box.setText(text)
        self.qtbot.waitUntil(lambda: not self.sidebar._search_timer.isActive(), timeout=WAIT_MS)


@pytest.fixture
def open_app(qtbot):
    apps = []

    def open_(**options) -> App:
        app = App(qtbot, **options)
        apps.append(app)
        return app

    yield open_
    for app in apps:
        app.window.close()


@pytest.fixture
def store():
    with ConversationStore(default_path()) as store:
        yield store
