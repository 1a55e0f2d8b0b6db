"""The one place the window presents errors: a banner above the chat with the plain sentence and a close button.

It also carries notices (something the user asked for that cannot happen now, and why), in the accent colour
instead of red, so nothing the user does is silently ignored.
"""

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
        close.setAccessibleName("Dismiss")
        close.setToolTip("Dismiss")
        close.clicked.connect(self.hide)
        self.close_button = close
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        layout.addWidget(self.message, 1)
        layout.addWidget(close)
        self.hide()

    @property
    def is_notice(self) -> bool:
        return self.objectName() == "noticeBanner"

    def show_error(self, error: LocalChatError) -> None:
        self._show("errorBanner", "Error", error.user_message, error.detail)

    def show_notice(self, text: str, detail: str = "") -> None:
        """Not an error: why something the user asked for did not happen (yet)."""
        self._show("noticeBanner", "Notice", text, detail)

    def _show(self, name: str, role: str, text: str, detail: str) -> None:
        if self.objectName() != name:
            self.setObjectName(name)
            self.style().unpolish(self)
            self.style().polish(self)
        self.setAccessibleName(role)
        self.message.setAccessibleName(f"{role} message")
        self.message.setText(text)
        self.setToolTip(detail)
        self.show()
