"""The local server inside the window's process: the "Local server" switch's wiring.

The server shares the window's one engine process: both go through the same ``EngineTurns``, the window
via ``TurnTakingBackend`` (its EngineClient's backend, made by app.engine_choice.local_engine), the server
via its own jobs, so the window's chat and API clients alternate and neither waits on the other's GIL (the
engine runs in its own process; uvicorn runs on a thread here).  The server serves whatever model the
window has open on this computer; while the window uses a remote server as its engine, it answers 503.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from app.server.backend import ServerBackend
from app.server.protocol import Limits
from app.server.routes import ServerOptions
from app.server.runner import Address, ServerThread
from engine.errors import LocalChatError
from engine.process.shared import TurnTakingBackend
from engine.runtime.model import ModelInfo
from app.server.security import is_loopback, new_api_key
from ui.server.server_panel import ServerPanel
from ui.shell.main_window import MainWindow

NO_MODEL = "No model is open in the LocalChat window"
REMOTE = "The LocalChat window is using a remote server; the local server serves only models on this computer"
WAITING_POLL_MS = 500


class WindowServer(QObject):
    log_received = Signal(str)          # from the server's thread, shown on the GUI thread
    position_changed = Signal(int)      # the window's place in the queue, from its worker thread
    stopped = Signal()

    def __init__(self, window: MainWindow, panel: ServerPanel) -> None:
        super().__init__(window)
        self._window, self._panel = window, panel
        self._thread: ServerThread | None = None
        self.backend = ServerBackend(None, None)  # type: ignore[arg-type] - set from the window's engine below
        self._follow_engine()
        panel.start_requested.connect(self._on_start_requested)
        panel.stop_requested.connect(self.stop)
        self.log_received.connect(panel.append_log)
        self.position_changed.connect(self._on_position_changed)
        self.stopped.connect(lambda: panel.show_stopped())
        window.controller.model_changed.connect(self._on_model_changed)
        self._waiting = QTimer(self)
        self._waiting.setInterval(WAITING_POLL_MS)
        self._waiting.timeout.connect(lambda: panel.show_waiting(self.backend.waiting))

    @property
    def running(self) -> bool:
        return self._thread is not None

    @property
    def url(self) -> str | None:
        return self._thread.address.url() if self._thread else None

    def start(self, host: str, port: int, api_key: str | None, log_content: bool = False) -> None:
        options = ServerOptions(api_key=api_key or None, limits=Limits(), log_content=log_content,
                                on_log=self.log_received.emit)
        try:
            self._thread = ServerThread(self.backend, options, Address(host, port))
        except LocalChatError as error:
            self._panel.show_stopped(error.user_message)
            return
        self._thread.start()
        self._waiting.start()
        self._panel.show_running(self._thread.address.url())

    def stop(self) -> None:
        """Stop serving; the server's own shutdown runs off the GUI thread."""
        thread, self._thread = self._thread, None
        self._waiting.stop()
        if thread is None:
            self._panel.show_stopped()
            return
        threading.Thread(target=lambda: (thread.stop(), self.stopped.emit()), name="localchat-server-stop",
                         daemon=True).start()

    def _on_start_requested(self, host: str, port: int, api_key: str, log_content: bool) -> None:
        self.start(host, port, api_key, log_content)

    def _follow_engine(self) -> TurnTakingBackend | None:
        """Serve through the window's engine when it is this computer's (it is replaced on every switch)."""
        shared = self._window.client.backend
        if not isinstance(shared, TurnTakingBackend):
            self.backend.unavailable = REMOTE
            return None
        shared.on_position = self.position_changed.emit
        self.backend.engine, self.backend.turns, self.backend.unavailable = shared.engine, shared.turns, NO_MODEL
        return shared

    def _on_model_changed(self, info: ModelInfo | None) -> None:
        local = self._follow_engine() is not None and info is not None
        self.backend.info = info if local else None
        self.backend.model_id = info.name if local else None

    def _on_position_changed(self, ahead: int) -> None:
        if ahead > 0:
            self._window.status.show_idle(f"Queued behind the local server's requests ({ahead} ahead)…")


def attach_server(window: MainWindow) -> WindowServer:
    """The "Local server" switch in the top bar and its page; the server shares the window's local engine."""
    panel = ServerPanel(needs_key=lambda host: not is_loopback(host), new_key=new_api_key)
    window.add_top_bar_widget(panel.top_bar_switch)
    window.add_page(panel)
    panel.page_requested.connect(lambda: window.show_page(panel))
    panel.back_requested.connect(lambda: window.show_page(None))
    server = WindowServer(window, panel)
    window.server = server  # owned by the window (Qt parent); tests and tools reach it here
    QApplication.instance().aboutToQuit.connect(server.stop)
    return server
