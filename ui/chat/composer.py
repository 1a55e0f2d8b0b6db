"""Where the user writes: a rounded box with Send inside it; Enter sends, Shift+Enter starts a new line, and Send
turns into Stop while a reply streams.

Typing stays possible while a reply streams, so the next message can be prepared; only sending waits
until the reply ends.  Up in an empty box asks to edit the last message, as in most chat apps.  The box
grows with its text up to a few lines, then scrolls.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

MAX_LINES = 8
PLACEHOLDER = "Message the model…"
KEYS_TIP = "Enter sends, Shift+Enter adds a line, Up (in an empty box) edits your last message"


def is_send_key(event: QKeyEvent) -> bool:
    """Enter without Shift: what sends, in the composer and in the Edit box alike."""
    return (event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier)


class MessageInput(QPlainTextEdit):
    """Enter emits ``submitted``; Shift+Enter inserts a plain new line (not Qt's line separator)."""

    submitted = Signal()
    edit_last_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if is_send_key(event):
            self.submitted.emit()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.insertPlainText("\n")
            return
        if event.key() == Qt.Key.Key_Up and not self.toPlainText() and not event.modifiers():
            self.edit_last_requested.emit()
            return
        super().keyPressEvent(event)


class Composer(QWidget):
    send_requested = Signal(str)
    stop_requested = Signal()
    edit_last_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composerArea")
        self.input = MessageInput()
        self.input.setObjectName("composerInput")
        self.input.setAccessibleName("Message")
        self.input.setPlaceholderText(PLACEHOLDER)
        self.input.setToolTip(KEYS_TIP)
        self.input.setTabChangesFocus(True)
        self.input.setFrameShape(QFrame.Shape.NoFrame)
        self.input.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.input.submitted.connect(self._on_submitted)
        self.input.edit_last_requested.connect(self.edit_last_requested)
        self.input.document().contentsChanged.connect(self._fit_height)
        self.button = QPushButton("Send")
        self.button.setObjectName("sendButton")
        self.button.setAccessibleName("Send")
        self.button.setMinimumWidth(72)
        self.button.clicked.connect(self._on_button_clicked)
        self.hint = QLabel()
        self.hint.setObjectName("composerHint")
        self.hint.setAccessibleName("Composer note")
        self.hint.setWordWrap(True)
        self.hint.hide()
        self.frame = QFrame()
        self.frame.setObjectName("composerFrame")
        inner = QHBoxLayout(self.frame)
        inner.setContentsMargins(12, 6, 6, 6)
        inner.setSpacing(6)
        inner.addWidget(self.input, 1)
        inner.addWidget(self.button, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 10)
        layout.setSpacing(4)
        layout.addWidget(self.hint)
        layout.addWidget(self.frame)
        self._generating = False
        self._can_send = False
        self._refresh()
        self._fit_height()

    def set_generating(self, generating: bool) -> None:
        self._generating = generating
        self._refresh()

    def set_can_send(self, can_send: bool, reason: str = "") -> None:
        """Sending needs a loaded model; ``reason`` tells the user why it is not possible yet."""
        self._can_send = can_send
        self.button.setToolTip("" if can_send else reason)
        self._refresh()

    def set_hint(self, text: str) -> None:
        """A line above the box saying why sending waits (a reply streaming in another chat), or nothing."""
        self.hint.setText(text)
        self.hint.setVisible(bool(text))

    def text(self) -> str:
        return self.input.toPlainText()

    def restore(self, text: str) -> None:
        """Put back a message that could not be sent, keeping anything typed since."""
        current = self.input.toPlainText()
        self.input.setPlainText(text if not current.strip() else f"{text}\n\n{current}")

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() == event.Type.FontChange:
            self._fit_height()

    def _fit_height(self) -> None:
        """From one line up to MAX_LINES, then the box scrolls."""
        line = self.input.fontMetrics().lineSpacing()
        lines = max(1, min(MAX_LINES, self.input.document().size().height()
                           if self.input.document().size().height() else 1))
        margins = self.input.contentsMargins()
        frame = 2 * self.input.document().documentMargin() + margins.top() + margins.bottom() + 6
        self.input.setFixedHeight(int(max(2, lines) * line + frame))

    def _refresh(self) -> None:
        self.button.setText("Stop" if self._generating else "Send")
        self.button.setAccessibleName("Stop reply" if self._generating else "Send message")
        self.button.setEnabled(self._generating or self._can_send)

    def _on_submitted(self) -> None:
        if self._generating and self.input.toPlainText().strip():
            self.set_hint("The reply is still being written; send when it ends, or stop it with Esc.")
            return
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
