"""The one place the window presents errors: a banner above the chat with the plain sentence and a close button."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from engine.errors import LocalChatError


class ErrorBanner(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorBanner")
        self.setAccessibleName("Error")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Error message")
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setAccessibleName("Dismiss error")
        close.setToolTip("Dismiss")
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        layout.addWidget(self.message, 1)
        layout.addWidget(close)
        self.hide()

    def show_error(self, error: LocalChatError) -> None:
        self.message.setText(error.user_message)
        self.setToolTip(error.detail)
        self.show()
