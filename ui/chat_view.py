"""The chat area: the welcome page until a model is loaded, then one widget per message in a scroll area.

The stream follows the newest text unless the user has scrolled up to read.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QStackedWidget, QVBoxLayout, QWidget

from ui.conversation_model import Node
from ui.message_widget import MessageWidget
from ui.welcome import WelcomeWidget

FOLLOW_SLACK_PX = 24
SIDE_INSET = 56


class ChatView(QStackedWidget):
    regenerate_requested = Signal(object)
    edit_submitted = Signal(object, str)
    alternative_requested = Signal(object, int)

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
        self.empty_hint = QLabel("Ask anything. The model runs on this computer; nothing leaves it.")
        self.empty_hint.setObjectName("emptyHint")
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.column.addWidget(self.empty_hint)
        self.column.addStretch()
        self.scroll.setWidget(column)
        self.addWidget(self.welcome)
        self.addWidget(self.scroll)
        self._messages: list[MessageWidget] = []
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
        for node in nodes:
            self.add_message(node)
        self.empty_hint.setVisible(not nodes)

    def add_message(self, node: Node) -> MessageWidget:
        widget = MessageWidget(node)
        widget.regenerate_requested.connect(self.regenerate_requested)
        widget.edit_submitted.connect(self.edit_submitted)
        widget.alternative_requested.connect(self.alternative_requested)
        self.column.insertWidget(self.column.count() - 1, _row(widget, user=node.role == "user"))
        self._messages.append(widget)
        self.empty_hint.hide()
        self._follow = True
        return widget

    def last_message(self) -> MessageWidget | None:
        return self._messages[-1] if self._messages else None

    def set_busy(self, busy: bool) -> None:
        for widget in self._messages:
            widget.set_busy(busy)

    def _on_scrolled(self, value: int) -> None:
        self._follow = value >= self.scroll.verticalScrollBar().maximum() - FOLLOW_SLACK_PX

    def _on_range_changed(self, _minimum: int, maximum: int) -> None:
        if self._follow:
            self.scroll.verticalScrollBar().setValue(maximum)


def _row(widget: MessageWidget, user: bool) -> QWidget:
    """The user's bubbles sit to the right and the assistant's to the left, as in most chat apps."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(SIDE_INSET if user else 0, 0, 0 if user else SIDE_INSET, 0)
    layout.addWidget(widget)
    return row
