"""Where the user writes: Enter sends, Shift+Enter starts a new line, and Send turns into Stop while a reply streams.

Typing stays possible while a reply streams, so the next message can be prepared;
only sending waits until the reply ends.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QPushButton, QWidget


class MessageInput(QPlainTextEdit):
    submitted = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        is_enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if is_enter and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.submitted.emit()
            return
        if is_enter:  # Shift+Enter: a plain new line, not Qt's line separator
            self.insertPlainText("\n")
            return
        super().keyPressEvent(event)


class Composer(QWidget):
    send_requested = Signal(str)
    stop_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.input = MessageInput()
        self.input.setObjectName("composerInput")
        self.input.setAccessibleName("Message")
        self.input.setPlaceholderText("Write a message… (Enter sends, Shift+Enter for a new line)")
        self.input.setTabChangesFocus(True)
        self.input.setFixedHeight(84)
        self.input.submitted.connect(self._on_submitted)
        self.button = QPushButton("Send")
        self.button.setObjectName("sendButton")
        self.button.setAccessibleName("Send")
        self.button.setMinimumWidth(84)
        self.button.clicked.connect(self._on_button_clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 6, 16, 10)
        layout.addWidget(self.input, 1)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignBottom)
        self._generating = False
        self._can_send = False
        self._refresh()

    def set_generating(self, generating: bool) -> None:
        self._generating = generating
        self._refresh()

    def set_can_send(self, can_send: bool, reason: str = "") -> None:
        """Sending needs a loaded model; ``reason`` tells the user why it is not possible yet."""
        self._can_send = can_send
        self.button.setToolTip("" if can_send else reason)
        self._refresh()

    def text(self) -> str:
        return self.input.toPlainText()

    def restore(self, text: str) -> None:
        """Put back a message that could not be sent, keeping anything typed since."""
        current = self.input.toPlainText()
        self.input.setPlainText(text if not current.strip() else f"{text}\n\n{current}")

    def _refresh(self) -> None:
        self.button.setText("Stop" if self._generating else "Send")
        self.button.setAccessibleName("Stop reply" if self._generating else "Send message")
        self.button.setEnabled(self._generating or self._can_send)

    def _on_submitted(self) -> None:
        if self._generating or not self._can_send:
            return
        text = self.input.toPlainText().strip()
        if text:
            self.input.clear()
            self.send_requested.emit(text)

    def _on_button_clicked(self) -> None:
        if self._generating:
            self.stop_requested.emit()
        else:
            self._on_submitted()
