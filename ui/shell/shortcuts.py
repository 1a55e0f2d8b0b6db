"""Every keyboard shortcut in one table: the window registers them from it and the shortcut sheet (Ctrl+/)
lists them from it, so the two cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget


@dataclass(frozen=True)
class Shortcut:
    action: str   # the window's slot name, or "" for keys that a widget handles itself
    keys: str     # portable text, as QKeySequence reads it
    what: str
    group: str


SHORTCUTS = (
    Shortcut("new_chat", "Ctrl+N", "New chat", "Conversations"),
    Shortcut("search_conversations", "Ctrl+K", "Search conversations", "Conversations"),
    Shortcut("toggle_sidebar", "Ctrl+B", "Fold or unfold the conversation list", "Conversations"),
    Shortcut("", "F2", "Rename the selected conversation", "Conversations"),
    Shortcut("", "Del", "Delete the selected conversation (Undo brings it back)", "Conversations"),
    Shortcut("focus_composer", "Ctrl+L", "Go to the message box", "Chat"),
    Shortcut("", "Enter", "Send (in the message box and when editing a message)", "Chat"),
    Shortcut("", "Shift+Enter", "New line", "Chat"),
    Shortcut("", "Up", "Edit your last message (in an empty message box)", "Chat"),
    Shortcut("stop", "Esc", "Stop the reply (cancels an edit while editing)", "Chat"),
    Shortcut("copy_last_reply", "Ctrl+Shift+C", "Copy the last reply", "Chat"),
    Shortcut("open_model_folder", "Ctrl+O", "Open a model folder", "Model"),
    Shortcut("toggle_settings", "Ctrl+,", "Show or hide Reply settings", "View"),
    Shortcut("toggle_wide", "Ctrl+Shift+W", "Wide chat column on or off", "View"),
    Shortcut("larger_text", "Ctrl++", "Larger text", "View"),
    Shortcut("smaller_text", "Ctrl+-", "Smaller text", "View"),
    Shortcut("default_text", "Ctrl+0", "Default text size", "View"),
    Shortcut("show_shortcuts", "Ctrl+/", "This list of shortcuts", "Help"),
)


def native(keys: str) -> str:
    """How these keys are written on this platform (⌘ on macOS)."""
    return QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText) or keys


class ShortcutSheet(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.setAccessibleName("Keyboard shortcuts")
        self.table = QTableWidget(len(SHORTCUTS), 3)
        self.table.setAccessibleName("Shortcut list")
        self.table.setHorizontalHeaderLabels(("Keys", "What it does", "Where"))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        for row, shortcut in enumerate(SHORTCUTS):
            for column, text in enumerate((native(shortcut.keys), shortcut.what, shortcut.group)):
                item = QTableWidgetItem(text)
                if column == 0:
                    item.setFont(self._bold())
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        intro = QLabel("Everything in LocalChat can be done from the keyboard; Tab moves between controls.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(560, 520)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _bold(self):
        font = self.font()
        font.setBold(True)
        return font
