"""The chat area: the welcome page until a model is loaded, then one widget per message in a scroll area.

The stream follows the newest text unless the user has scrolled up to read.  A long conversation
opens on its last ``PAGE`` messages, with a button for earlier ones, so opening it costs the same
however long it is.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QStackedWidget,
                               QVBoxLayout, QWidget)

from ui.chat.conversation_model import Node
from ui.chat.message_widget import MessageWidget
from ui.models.welcome import WelcomeWidget

FOLLOW_SLACK_PX = 24
SIDE_INSET = 56
PAGE = 40


class ChatView(QStackedWidget):
    regenerate_requested = Signal(object)
    edit_submitted = Signal(object, str)
    alternative_requested = Signal(object, int)
    seed_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.welcome = WelcomeWidget()
        self.scroll = QScrollArea()
        self.scroll.setObjectName("chatScroll")
        self.scroll.setAccessibleName("Conversation")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        column = QWidget()
        column.setObjectName("chatColumn")
        self.column = QVBoxLayout(column)
        self.column.setContentsMargins(16, 12, 16, 12)
        self.column.setSpacing(10)
        self.earlier_button = QPushButton()
        self.earlier_button.setAccessibleName("Show earlier messages")
        self.earlier_button.clicked.connect(self.show_earlier)
        self.earlier_button.hide()
        self.column.addWidget(self.earlier_button, 0, Qt.AlignmentFlag.AlignHCenter)
        self.empty_hint = QLabel("Ask anything. The model runs on this computer; nothing leaves it.")
        self.empty_hint.setObjectName("emptyHint")
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.column.addWidget(self.empty_hint)
        self.column.addStretch()
        self.scroll.setWidget(column)
        self.addWidget(self.welcome)
        self.addWidget(self.scroll)
        self._messages: list[MessageWidget] = []
        self._earlier: list[Node] = []  # the start of a long conversation, not shown yet
        self._keep_distance_from_end: int | None = None
        self._follow = True
        bar = self.scroll.verticalScrollBar()
        bar.valueChanged.connect(self._on_scrolled)
        bar.rangeChanged.connect(self._on_range_changed)

    def show_welcome(self, welcome: bool) -> None:
        self.setCurrentWidget(self.welcome if welcome else self.scroll)

    @property
    def messages(self) -> list[MessageWidget]:
        return list(self._messages)

    def show_path(self, nodes: list[Node]) -> None:
        """Show a conversation from scratch (new chat, another version chosen); not used while streaming."""
        for widget in self._messages:
            row = widget.parentWidget()
            self.column.removeWidget(row)
            row.hide()
            row.deleteLater()
        self._messages.clear()
        self._earlier = list(nodes[:-PAGE])
        for node in nodes[-PAGE:]:
            self.add_message(node)
        self.empty_hint.setVisible(not nodes)
        self._update_earlier_button()

    def show_earlier(self) -> None:
        """Put the previous page of messages above the ones shown, keeping the text in view where it is."""
        page, self._earlier = self._earlier[-PAGE:], self._earlier[:-PAGE]
        bar = self.scroll.verticalScrollBar()
        self._keep_distance_from_end = bar.maximum() - bar.value()
        self._follow = False
        first_row = self.column.indexOf(self.empty_hint) + 1
        widgets = [self._make_widget(node) for node in page]
        for offset, (node, widget) in enumerate(zip(page, widgets)):
            self.column.insertWidget(first_row + offset, _row(widget, user=node.role == "user"))
        self._messages[:0] = widgets
        self._update_earlier_button()

    def _update_earlier_button(self) -> None:
        count = len(self._earlier)
        self.earlier_button.setText(f"Show {min(count, PAGE)} earlier messages ({count} not shown)")
        self.earlier_button.setVisible(count > 0)

    def add_message(self, node: Node) -> MessageWidget:
        widget = self._make_widget(node)
        self.column.insertWidget(self.column.count() - 1, _row(widget, user=node.role == "user"))
        self._messages.append(widget)
        self.empty_hint.hide()
        self._follow = True
        return widget

    def _make_widget(self, node: Node) -> MessageWidget:
        widget = MessageWidget(node)
        widget.regenerate_requested.connect(self.regenerate_requested)
        widget.edit_submitted.connect(self.edit_submitted)
        widget.alternative_requested.connect(self.alternative_requested)
        widget.seed_requested.connect(self.seed_requested)
        return widget

    def last_message(self) -> MessageWidget | None:
        return self._messages[-1] if self._messages else None

    def set_busy(self, busy: bool) -> None:
        for widget in self._messages:
            widget.set_busy(busy)

    def _on_scrolled(self, value: int) -> None:
        self._follow = value >= self.scroll.verticalScrollBar().maximum() - FOLLOW_SLACK_PX

    def _on_range_changed(self, _minimum: int, maximum: int) -> None:
        if self._keep_distance_from_end is not None:
            self.scroll.verticalScrollBar().setValue(maximum - self._keep_distance_from_end)
            self._keep_distance_from_end = None
        elif self._follow:
            self.scroll.verticalScrollBar().setValue(maximum)


def _row(widget: MessageWidget, user: bool) -> QWidget:
    """The user's bubbles sit to the right and the assistant's to the left, as in most chat apps."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(SIDE_INSET if user else 0, 0, 0 if user else SIDE_INSET, 0)
    layout.addWidget(widget)
    return row
