"""The conversation list left of the chat: new chat, search, rename, delete with undo, export and import.

It folds down to an icon rail (expand, new chat, search) to leave the chat more room.

The sidebar only shows entries and says what the user asked for; the app layer owns the
store and answers by calling ``show_entries``.  File dialogs live here because they are
part of asking; what is written or read is the app's business.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (QFileDialog, QFrame, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QMenu, QPushButton, QToolButton, QVBoxLayout, QWidget)

from ui.history.entry_delegate import NEEDLE_ROLE, SNIPPET_ROLE, ConversationDelegate
from ui.inert_text import inert_text
from ui.shell.icons import color_icons, is_theme_change

UNTITLED = "New chat"
UNDO_MS = 10000
SEARCH_DELAY_MS = 150
EXPORT_FORMATS = {"markdown": ("Markdown", "md"), "json": ("JSON", "json")}
ID_ROLE = Qt.ItemDataRole.UserRole
FULL_WIDTH = 260
RAIL_WIDTH = 52


@dataclass(frozen=True)
class SidebarEntry:
    """One conversation as the list shows it; ``snippet`` is the matching text while searching."""

    id: int
    title: str
    snippet: str = ""


class Sidebar(QWidget):
    conversation_selected = Signal(int)
    new_chat_requested = Signal()
    collapse_requested = Signal(bool)  # True: fold to the icon rail
    search_changed = Signal(str)
    rename_requested = Signal(int, str)
    delete_requested = Signal(int)
    undo_delete_requested = Signal(int)
    export_requested = Signal(int, str, str)  # conversation id, "markdown" or "json", file path
    import_requested = Signal(str)            # file path

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.setAccessibleName("Conversations")
        self.collapse_button = self._rail_button("menu", "Hide conversations", "Fold the sidebar (Ctrl+B)")
        self.collapse_button.clicked.connect(lambda: self.collapse_requested.emit(not self.collapsed))
        self.rail_new_button = self._rail_button("plus", "New chat", "New chat (Ctrl+N)")
        self.rail_new_button.clicked.connect(self.new_chat_requested)
        self.rail_search_button = self._rail_button("search", "Search conversations",
                                                    "Search conversations (Ctrl+K)")
        self.rail_search_button.clicked.connect(self.focus_search)
        self.new_button = QPushButton("New chat")
        self.new_button.setAccessibleName("New chat")
        self.new_button.setToolTip("Start a new conversation (Ctrl+N)")
        self.new_button.clicked.connect(self.new_chat_requested)
        self.more_button = QToolButton()
        self.more_button.setText("⋯")
        self.more_button.setAccessibleName("More conversation actions")
        self.more_button.setToolTip("Export or import conversations")
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.more_button.setMenu(self._build_more_menu())
        self.search_box = QLineEdit()
        self.search_box.setAccessibleName("Search conversations")
        self.search_box.setPlaceholderText("Search conversations")
        self.search_box.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(lambda: self.search_changed.emit(self.search_text()))
        self.search_box.textChanged.connect(self._search_timer.start)
        self.list = QListWidget()
        self.list.setObjectName("conversationList")
        self.list.setAccessibleName("Conversation list")
        self.list.setItemDelegate(ConversationDelegate(self.list))
        self.list.installEventFilter(self)
        self.list.setFrameShape(QFrame.Shape.NoFrame)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)  # one line per title; the tooltip has all of it
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setEditTriggers(QListWidget.EditTrigger.DoubleClicked | QListWidget.EditTrigger.EditKeyPressed)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._on_context_menu)
        self.list.currentItemChanged.connect(self._on_current_changed)
        self.list.itemChanged.connect(self._on_item_edited)
        self.empty_label = QLabel()
        self.empty_label.setObjectName("emptyHint")
        self.empty_label.setWordWrap(True)
        self.empty_label.hide()
        self.undo_bar = self._build_undo_bar()
        top = QHBoxLayout()
        top.setSpacing(4)
        top.addWidget(self.collapse_button)
        top.addWidget(self.new_button, 1)
        top.addWidget(self.more_button)
        self._full = QWidget()
        full = QVBoxLayout(self._full)
        full.setContentsMargins(0, 0, 0, 0)
        full.setSpacing(6)
        full.addWidget(self.search_box)
        full.addWidget(self.empty_label)
        full.addWidget(self.list, 1)
        full.addWidget(self.undo_bar)
        self._rail = QWidget()
        rail = QVBoxLayout(self._rail)
        rail.setContentsMargins(0, 0, 0, 0)
        rail.addWidget(self.rail_new_button)
        rail.addWidget(self.rail_search_button)
        rail.addStretch()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self._full, 1)
        layout.addWidget(self._rail, 1)
        self.collapsed = False
        self.set_collapsed(False)
        self.refresh_icons()
        self._entries: list[SidebarEntry] = []
        self._deleted_id: int | None = None
        self._undo_timer = QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.setInterval(UNDO_MS)
        self._undo_timer.timeout.connect(self.undo_bar.hide)

    def _rail_button(self, icon: str, name: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setObjectName(f"{icon}RailButton")
        button.setProperty("icon_name", icon)
        button.setAccessibleName(name)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.setFixedSize(34, 34)
        return button

    def set_collapsed(self, collapsed: bool) -> None:
        """The full list (about 260 px) or the icon rail (expand, new chat, search)."""
        self.collapsed = collapsed
        self._full.setVisible(not collapsed)
        self._rail.setVisible(collapsed)
        self.new_button.setVisible(not collapsed)
        self.more_button.setVisible(not collapsed)
        self.collapse_button.setAccessibleName("Show conversations" if collapsed else "Hide conversations")
        self.collapse_button.setToolTip(("Unfold" if collapsed else "Fold") + " the sidebar (Ctrl+B)")
        self.setFixedWidth(RAIL_WIDTH if collapsed else FULL_WIDTH)

    def focus_search(self) -> None:
        """Ctrl+K: unfold if needed and put the cursor in the search box, its text selected."""
        if self.collapsed:
            self.collapse_requested.emit(False)
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if is_theme_change(event):
            self.refresh_icons()
        super().changeEvent(event)

    def refresh_icons(self) -> None:
        """Icons in the palette's text colour (again after a theme change)."""
        color_icons(self, (self.collapse_button, self.rail_new_button, self.rail_search_button))

    def eventFilter(self, watched: object, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Delete removes the selected conversation (with Undo), as in a file list."""
        if watched is self.list and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() == Qt.Key.Key_Delete and self.list.state() != QListWidget.State.EditingState:
            conversation_id = self.current_id()
            if conversation_id is not None:
                self.delete_requested.emit(conversation_id)
                return True
        return super().eventFilter(watched, event)

    def _build_more_menu(self) -> QMenu:
        menu = QMenu(self)
        for key, (label, _suffix) in EXPORT_FORMATS.items():
            menu.addAction(f"Export this chat as {label}…", lambda key=key: self._on_export(self.current_id(), key))
        menu.addSeparator()
        menu.addAction("Import a chat from JSON…", self._on_import)
        return menu

    def _build_undo_bar(self) -> QFrame:
        bar = QFrame()
        bar.setObjectName("undoBar")
        self.undo_label = QLabel()
        self.undo_label.setWordWrap(True)
        self.undo_button = QPushButton("Undo")
        self.undo_button.setAccessibleName("Undo delete")
        self.undo_button.clicked.connect(self._on_undo_clicked)
        layout = QHBoxLayout(bar)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.undo_label, 1)
        layout.addWidget(self.undo_button)
        bar.hide()
        return bar

    # --- what the app shows --------------------------------------------------------------------------------------

    def show_entries(self, entries: list[SidebarEntry], current_id: int | None) -> None:
        """Replace the list (newest first, as given) and select ``current_id`` without announcing it."""
        self._entries = list(entries)
        self.list.blockSignals(True)
        self.list.clear()
        for entry in entries:
            title = inert_text(entry.title) or UNTITLED
            item = QListWidgetItem(title)
            item.setData(ID_ROLE, entry.id)
            snippet = inert_text(entry.snippet) if entry.snippet and entry.snippet != entry.title else ""
            item.setData(SNIPPET_ROLE, snippet)
            item.setData(NEEDLE_ROLE, self.search_text())
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{title}: {snippet}" if snippet else title)
            item.setToolTip(title)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            self.list.addItem(item)
            if entry.id == current_id:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        searching = bool(self.search_text())
        self.empty_label.setText("No conversation contains that text." if searching else "No conversations yet.")
        self.empty_label.setVisible(not entries)

    def search_text(self) -> str:
        return self.search_box.text().strip()

    def current_id(self) -> int | None:
        item = self.list.currentItem()
        return item.data(ID_ROLE) if item is not None else None

    def titles(self) -> list[str]:
        """The titles as listed, top to bottom."""
        return [self.list.item(row).text().split("\n")[0] for row in range(self.list.count())]

    def show_deleted(self, conversation_id: int, title: str) -> None:
        self._deleted_id = conversation_id
        self.undo_label.setText(f"Deleted “{inert_text(title) or UNTITLED}”")
        self.undo_bar.show()
        self._undo_timer.start()

    def rename(self, conversation_id: int) -> None:
        """Start editing a conversation's title in place."""
        item = self._item(conversation_id)
        if item is not None:
            self.list.blockSignals(True)
            item.setText(self._entry(conversation_id).title)  # edit the title, not the snippet under it
            self.list.blockSignals(False)
            self.list.editItem(item)

    # --- what the user does ------------------------------------------------------------------------------------

    def _on_current_changed(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if item is not None:
            self.conversation_selected.emit(item.data(ID_ROLE))

    def _on_item_edited(self, item: QListWidgetItem) -> None:
        entry = self._entry(item.data(ID_ROLE))
        title = item.text().split("\n")[0].strip()
        if entry is not None and title != entry.title and title != UNTITLED:
            self.rename_requested.emit(entry.id, title)

    def _on_context_menu(self, position: QPoint) -> None:
        item = self.list.itemAt(position) or self.list.currentItem()  # the Menu key opens it for the selection
        if item is None:
            return
        conversation_id = item.data(ID_ROLE)
        menu = QMenu(self)
        menu.addAction("Rename\tF2", lambda: self.rename(conversation_id))
        for key, (label, _suffix) in EXPORT_FORMATS.items():
            menu.addAction(f"Export as {label}…", lambda key=key: self._on_export(conversation_id, key))
        menu.addSeparator()
        menu.addAction("Delete\tDel", lambda: self.delete_requested.emit(conversation_id))
        menu.exec(self.list.viewport().mapToGlobal(position))

    def _on_export(self, conversation_id: int | None, key: str) -> None:
        if conversation_id is None:
            return
        label, suffix = EXPORT_FORMATS[key]
        entry = self._entry(conversation_id)
        name = "".join(c for c in (entry.title if entry else "") if c.isalnum() or c in " -_").strip() or "chat"
        path, _filter = QFileDialog.getSaveFileName(self, f"Export as {label}", f"{name}.{suffix}",
                                                    f"{label} (*.{suffix})")
        if path:
            self.export_requested.emit(conversation_id, key, path)

    def _on_import(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, "Import a chat", "", "LocalChat JSON export (*.json)")
        if path:
            self.import_requested.emit(path)

    def _on_undo_clicked(self) -> None:
        self.undo_bar.hide()
        self._undo_timer.stop()
        if self._deleted_id is not None:
            deleted, self._deleted_id = self._deleted_id, None
            self.undo_delete_requested.emit(deleted)

    # --- helpers -----------------------------------------------------------------------------------------------

    def _entry(self, conversation_id: int) -> SidebarEntry | None:
        return next((entry for entry in self._entries if entry.id == conversation_id), None)

    def _item(self, conversation_id: int) -> QListWidgetItem | None:
        for row in range(self.list.count()):
            if self.list.item(row).data(ID_ROLE) == conversation_id:
                return self.list.item(row)
        return None
