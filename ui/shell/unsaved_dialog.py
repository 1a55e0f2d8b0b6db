"""On close, while conversations are kept in memory only: export them, close anyway, or stay."""

from __future__ import annotations

from typing import Literal

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

Choice = Literal["export", "discard", "cancel"]


class UnsavedDialog(QMessageBox):
    def __init__(self, parent: QWidget | None, titles: list[str], reason: str) -> None:
        super().__init__(parent)
        self.setObjectName("unsavedDialog")
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle("Conversations not saved")
        count = len(titles)
        self.setText(f"{count} conversation{'s have' if count != 1 else ' has'} changes that are only in memory "
                     "and will be lost. Export them before closing?")
        self.setInformativeText(reason)
        self.setDetailedText("\n".join(title or "New chat" for title in titles))
        self.export_button = self.addButton("Export…", QMessageBox.ButtonRole.AcceptRole)
        self.discard_button = self.addButton("Close without saving", QMessageBox.ButtonRole.DestructiveRole)
        self.cancel_button = self.addButton(QMessageBox.StandardButton.Cancel)
        self.setDefaultButton(self.export_button)
        self.setEscapeButton(self.cancel_button)

    def choice(self) -> Choice:
        clicked = self.clickedButton()
        if clicked is self.export_button:
            return "export"
        if clicked is self.discard_button:
            return "discard"
        return "cancel"


def choose_folder(parent: QWidget | None) -> str:
    """The folder to export into ('' if the user backed out)."""
    return QFileDialog.getExistingDirectory(parent, "Export unsaved conversations to")
