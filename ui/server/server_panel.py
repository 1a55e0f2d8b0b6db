"""The local server's page and its top-bar switch: the URL and key with Copy, and a live request log.

Widgets only: the app layer (app/server/in_window.py) starts and stops the server when a switch asks
and reports back with ``show_running`` / ``show_stopped`` / ``append_log`` / ``show_waiting``.  The
top-bar switch (``top_bar_switch``) and the page's switch always show the same state.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (QApplication, QCheckBox, QFrame, QGridLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QPushButton, QSpinBox, QToolButton, QVBoxLayout, QWidget)

LOG_LINES = 500


class ServerSwitch(QWidget):
    """In the top bar: "Local server" on/off, and a button to the page with the URL, key and log."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check = QCheckBox("Local server")
        self.check.setAccessibleName("Local server switch in the top bar")
        self.check.setToolTip("Serve the open model to other apps through an OpenAI-compatible API")
        self.page_button = QToolButton()
        self.page_button.setText("Off")
        self.page_button.setAccessibleName("Local server details")
        self.page_button.setToolTip("Local server off. URL, API key and request log")
        self.page_button.setAutoRaise(True)
        self.page_button.setProperty("icon_name", "server")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.check)
        layout.addWidget(self.page_button)
        self.set_compact(False)

    def set_compact(self, compact: bool) -> None:
        """Compact, only the button to the page (where the switch is too), as a server icon."""
        self.check.setVisible(not compact)
        self.page_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly if compact
                                            else Qt.ToolButtonStyle.ToolButtonTextOnly)


class ServerPanel(QFrame):
    start_requested = Signal(str, int, str, bool)  # host, port, API key ('' for none), log message text
    stop_requested = Signal()
    page_requested = Signal()   # show this page (from the top bar, or when the switch needs something first)
    back_requested = Signal()

    def __init__(self, needs_key: Callable[[str], bool], new_key: Callable[[], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("serverPanel")
        self.setAccessibleName("Local server")
        self._needs_key, self._new_key = needs_key, new_key
        self.switch = QCheckBox("Serve the open model")
        self.switch.setAccessibleName("Local server switch")
        self.switch.setToolTip("Serve the loaded model through an OpenAI-compatible API for other apps")
        self.switch.toggled.connect(self._on_switch_toggled)
        self.state = QLabel("Off")
        self.state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_url = QPushButton("Copy URL")
        self.copy_url.clicked.connect(lambda: self._copy(self._url))
        back = QPushButton("← Chat")
        back.setAccessibleName("Back to the chat")
        back.clicked.connect(self.back_requested)
        title = QLabel("Local server")
        title.setObjectName("pageTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        about = QLabel("Other apps on this computer (editors, scripts, Open WebUI, LangChain) can use the open model "
                       "through an OpenAI-compatible API at this URL. The chat here keeps working: requests take "
                       "turns with it.")
        about.setWordWrap(True)
        heading = QHBoxLayout()
        heading.addWidget(back)
        heading.addWidget(title)
        heading.addStretch(1)
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        for widget in (self.switch, self.state, self.copy_url):
            header.addWidget(widget)
        header.addStretch(1)
        self.top_bar_switch = ServerSwitch()
        self.top_bar_switch.check.toggled.connect(self.switch.setChecked)
        self.top_bar_switch.page_button.clicked.connect(self.page_requested)
        self.details = self._build_details()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.setSpacing(10)
        layout.addLayout(heading)
        layout.addWidget(about)
        layout.addLayout(header)
        layout.addWidget(self.details, 1)
        self._url = ""
        self._show_state(running=False)
        self._on_host_edited(self.host.text())

    def _build_details(self) -> QWidget:
        box = QWidget()
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        self.host = QLineEdit("127.0.0.1")
        self.host.setAccessibleName("Server address")
        self.host.textChanged.connect(self._on_host_edited)
        self.port = QSpinBox()
        self.port.setAccessibleName("Server port")
        self.port.setRange(0, 65535)
        self.port.setSpecialValueText("any free port")  # 0
        self.port.setValue(8080)
        self.key = QLineEdit()
        self.key.setAccessibleName("API key")
        self.key.setPlaceholderText("none: only for 127.0.0.1")
        self.key.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
        self.key.textChanged.connect(lambda _: self._on_host_edited(self.host.text()))
        self.copy_key = QPushButton("Copy key")
        self.copy_key.clicked.connect(lambda: self._copy(self.key.text()))
        self.make_key = QPushButton("New key")
        self.make_key.clicked.connect(self._on_new_key_clicked)
        self.note = QLabel()
        self.note.setObjectName("serverNote")
        self.note.setWordWrap(True)
        self.log_content = QCheckBox("Log message text")
        self.log_content.setToolTip("Off: the log shows each request's figures only, never what was written")
        self.waiting = QLabel("")
        self.log = QPlainTextEdit()
        self.log.setAccessibleName("Request log")
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(LOG_LINES)
        self.log.setPlaceholderText("Requests appear here while the server runs.")
        self.log.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.log.setMinimumHeight(110)
        self.log.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        grid.addWidget(QLabel("Address"), 0, 0)
        grid.addWidget(self.host, 0, 1)
        grid.addWidget(QLabel("Port"), 0, 2)
        grid.addWidget(self.port, 0, 3)
        grid.addWidget(QLabel("API key"), 1, 0)
        grid.addWidget(self.key, 1, 1, 1, 3)
        grid.addWidget(self.copy_key, 1, 4)
        grid.addWidget(self.make_key, 1, 5)
        grid.addWidget(self.note, 2, 0, 1, 6)
        grid.addWidget(self.log_content, 3, 0, 1, 3)
        grid.addWidget(self.waiting, 3, 3, 1, 3, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.log, 4, 0, 1, 6)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(4, 1)
        return box

    # -- reports from the app layer

    def show_running(self, url: str) -> None:
        self._url = url
        self._show_state(running=True)

    def show_stopped(self, reason: str | None = None) -> None:
        self._show_state(running=False, reason=reason)
        if reason:
            self.page_requested.emit()

    def append_log(self, line: str) -> None:
        self.log.appendPlainText(line)

    def show_waiting(self, count: int) -> None:
        self.waiting.setText(f"{count} waiting" if count else "")

    # -- internals

    def _show_state(self, running: bool, reason: str | None = None) -> None:
        for switch in (self.switch, self.top_bar_switch.check):
            switch.blockSignals(True)
            switch.setChecked(running)
            switch.blockSignals(False)
        port = self._url.rsplit(":", 1)[-1].split("/")[0]
        self.top_bar_switch.page_button.setText(f":{port}" if running else ("Needs attention" if reason else "Off"))
        state = f"on at {self._url}" if running else ("needs attention" if reason else "off")
        self.top_bar_switch.page_button.setToolTip(f"Local server {state}. URL, API key and request log")
        self.state.setText(f"On · {self._url}" if running else (reason or "Off"))
        self.state.setProperty("error", bool(reason) and not running)
        self.state.style().unpolish(self.state)
        self.state.style().polish(self.state)
        self.copy_url.setVisible(running)
        for widget in (self.host, self.port, self.key, self.make_key, self.log_content):
            widget.setEnabled(not running)

    def _on_switch_toggled(self, on: bool) -> None:
        if not on:
            self.stop_requested.emit()
            return
        host = self.host.text().strip() or "127.0.0.1"
        if self._needs_key(host) and not self.key.text().strip():
            self._show_state(running=False, reason=f"{host} can be reached from other machines: set an API key first")
            self.page_requested.emit()
            return
        self.state.setText("Starting…")
        self.start_requested.emit(host, self.port.value(), self.key.text().strip(), self.log_content.isChecked())

    def _on_host_edited(self, host: str) -> None:
        if self._needs_key(host.strip() or "127.0.0.1"):
            self.note.setText("Other machines can reach this address, so an API key is required. Clients send it "
                              "as 'Authorization: Bearer KEY'.")
        else:
            self.note.setText("Only apps on this computer can connect" +
                              ("; they must send the key." if self.key.text().strip() else "."))

    def _on_new_key_clicked(self) -> None:
        self.key.setText(self._new_key())
        self._on_host_edited(self.host.text())

    def _copy(self, text: str) -> None:
        if text:
            QApplication.clipboard().setText(text)
