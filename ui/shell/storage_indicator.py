"""A persistent line above the chat saying what storage trouble means for the user right now.

Unlike the error banner, which a new reply hides, this stays for as long as it is true: while
messages are kept in memory only it cannot be dismissed; a one-off notice (a history file set
aside at start) stays until the user dismisses it.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

# Amber at low opacity reads as "warning" on light, dark and high-contrast palettes alike.
STYLE = ("#storageIndicator { background: rgba(245, 158, 11, 0.14); border: 1px solid rgba(245, 158, 11, 0.65);"
         " border-radius: 8px; } #storageIndicator QLabel#storageIcon { color: rgb(217, 119, 6); font-weight: bold; }")


class StorageIndicator(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("storageIndicator")
        self.setAccessibleName("Storage status")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Storage status message")
        self.dismiss_button = QToolButton()
        self.dismiss_button.setText("✕")
        self.dismiss_button.setAutoRaise(True)
        self.dismiss_button.setAccessibleName("Dismiss storage notice")
        self.dismiss_button.setToolTip("Dismiss")
        self.dismiss_button.clicked.connect(self._on_dismiss_clicked)
        self.setStyleSheet(STYLE)
        icon = QLabel("⚠")
        icon.setObjectName("storageIcon")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        layout.addWidget(icon)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.dismiss_button)
        self._unsaved: str | None = None
        self._notice: str | None = None
        self.hide()

    @property
    def unsaved(self) -> str | None:
        return self._unsaved

    def show_unsaved(self, sentence: str | None) -> None:
        """What is unsaved and why (None once everything is saved again)."""
        self._unsaved = sentence
        self._update()

    def show_notice(self, sentence: str) -> None:
        """A one-off notice, shown until dismissed (behind any unsaved state)."""
        self._notice = sentence
        self._update()

    def _on_dismiss_clicked(self) -> None:
        self._notice = None
        self._update()

    def _update(self) -> None:
        text = self._unsaved or self._notice
        self.message.setText(text or "")
        self.dismiss_button.setVisible(self._unsaved is None)
        self.setVisible(bool(text))
