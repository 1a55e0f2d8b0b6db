"""The chat area: the welcome page until a model is loaded, then one widget per message in a centred column.

The column is at most ``COLUMN_WIDTH`` px wide (lines of about 80–90 characters, as in ChatGPT or LM Studio)
unless wide mode is on.  The stream follows the newest text unless the user has scrolled up to read.  A long
conversation opens on its last ``PAGE`` messages, with a button for earlier ones, so opening it costs the same
however long it is.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QStackedWidget,
                               QVBoxLayout, QWidget)

from ui.chat.conversation_model import Node
from ui.chat.message_widget import MessageWidget
from ui.models.welcome import WelcomeWidget

UNSHOWABLE = "⚠ This message could not be shown; the details are in LocalChat's log."
log = logging.getLogger(__name__)

FOLLOW_SLACK_PX = 24
COLUMN_WIDTH = 760
WIDE_MARGIN = 24
PAGE = 40
NO_LIMIT = 16777215


def centred(widget: QWidget, name: str = "") -> tuple[QWidget, QHBoxLayout]:
    """``widget`` in a row that keeps it centred when it is narrower than the row (its maximum width)."""
    row = QWidget()
    if name:
        row.setObjectName(name)
    layout = QHBoxLayout(row)
    layout.setContentsMargins(16, 0, 16, 0)
    layout.addStretch(1)
    layout.addWidget(widget, 100)
    layout.addStretch(1)
    return row, layout


def set_column_width(widget: QWidget, row: QHBoxLayout, wide: bool) -> None:
    widget.setMaximumWidth(NO_LIMIT if wide else COLUMN_WIDTH)
    margin = WIDE_MARGIN if wide else 16
    row.setContentsMargins(margin, 0, margin, 0)


class ChatView(QStackedWidget):
    regenerate_requested = Signal(object)
    edit_submitted = Signal(object, str)
    alternative_requested = Signal(object, int)
    seed_requested = Signal(int)
    copied = Signal()
    messages_changed = Signal()  # widgets were added or replaced (the window keeps the Tab order right)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.welcome = WelcomeWidget()
        self.scroll = QScrollArea()
        self.scroll.setObjectName("chatScroll")
        self.scroll.setAccessibleName("Conversation")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its messages take focus, not the frame
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.column_widget = QWidget()
        self.column_widget.setObjectName("chatColumn")
        self.column = QVBoxLayout(self.column_widget)
        self.column.setContentsMargins(0, 16, 0, 16)
        self.column.setSpacing(18)
        self.earlier_button = QPushButton()
        self.earlier_button.setAccessibleName("Show earlier messages")
        self.earlier_button.clicked.connect(self.show_earlier)
        self.earlier_button.hide()
        self.column.addWidget(self.earlier_button, 0, Qt.AlignmentFlag.AlignHCenter)
        self.empty_hint = QLabel("Ask anything. The model runs on this computer; nothing leaves it.")
        self.empty_hint.setObjectName("emptyHint")
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.setWordWrap(True)
        self.column.addWidget(self.empty_hint)
        self.column.addStretch()
        canvas, self._canvas_row = centred(self.column_widget, "chatCanvas")
        self.scroll.setWidget(canvas)
        self.addWidget(self.welcome)
        self.addWidget(self.scroll)
        self._messages: list[MessageWidget] = []
        self._earlier: list[Node] = []  # the start of a long conversation, not shown yet
        self._keep_distance_from_end: int | None = None
        self._follow = True
        self._busy = False
        self.wide = False
        set_column_width(self.column_widget, self._canvas_row, False)
        bar = self.scroll.verticalScrollBar()
        bar.valueChanged.connect(self._on_scrolled)
        bar.rangeChanged.connect(self._on_range_changed)

    def show_welcome(self, welcome: bool) -> None:
        self.setCurrentWidget(self.welcome if welcome else self.scroll)

    def set_wide(self, wide: bool) -> None:
        """Wide mode: the column uses the whole width (for tables and logs)."""
        self.wide = wide
        set_column_width(self.column_widget, self._canvas_row, wide)

    @property
    def messages(self) -> list[MessageWidget]:
        return list(self._messages)

    def show_path(self, nodes: list[Node], streaming: Node | None = None) -> None:
        """Show a conversation from scratch (new chat, another version chosen, another conversation).

        ``streaming`` is a reply still being written (the user came back to its conversation): it is shown
        with its text so far, and the stream goes on into it.
        """
        for widget in self._messages:
            self.column.removeWidget(widget)
            widget.hide()
            widget.deleteLater()
        self._messages.clear()
        self._earlier = list(nodes[:-PAGE])
        for node in nodes[-PAGE:]:
            self._append(node, streaming=node is streaming)
        self.empty_hint.setVisible(not nodes)
        self._update_earlier_button()
        self._follow = True
        self.messages_changed.emit()

    def show_earlier(self) -> None:
        """Put the previous page of messages above the ones shown, keeping the text in view where it is."""
        page, self._earlier = self._earlier[-PAGE:], self._earlier[:-PAGE]
        bar = self.scroll.verticalScrollBar()
        self._keep_distance_from_end = bar.maximum() - bar.value()
        self._follow = False
        first_row = self.column.indexOf(self.empty_hint) + 1
        widgets = [self._make_widget(node) for node in page]
        for offset, widget in enumerate(widgets):
            self.column.insertWidget(first_row + offset, widget)
        self._messages[:0] = widgets
        self._update_earlier_button()
        self.messages_changed.emit()

    def _update_earlier_button(self) -> None:
        count = len(self._earlier)
        self.earlier_button.setText(f"Show {min(count, PAGE)} earlier messages ({count} not shown)")
        self.earlier_button.setVisible(count > 0)

    def add_message(self, node: Node) -> MessageWidget:
        widget = self._append(node)
        self.messages_changed.emit()
        return widget

    def _append(self, node: Node, streaming: bool = False) -> MessageWidget:
        widget = self._make_widget(node, streaming)
        self.column.insertWidget(self.column.count() - 1, widget)
        self._messages.append(widget)
        self.empty_hint.hide()
        self._follow = True
        return widget

    def _make_widget(self, node: Node, streaming: bool = False) -> MessageWidget:
        try:
            widget = MessageWidget(node, streaming=streaming)
        except Exception:  # noqa: BLE001 - whatever a message holds, the chat must open
            log.exception("a %s message could not be shown: %r", node.role, node.content[:200])
            widget = MessageWidget(Node(node.role, UNSHOWABLE))  # on its own: no versions, nothing to act on
        widget.regenerate_requested.connect(self.regenerate_requested)
        widget.edit_submitted.connect(self.edit_submitted)
        widget.alternative_requested.connect(self.alternative_requested)
        widget.seed_requested.connect(self.seed_requested)
        widget.copied.connect(self.copied)
        widget.set_busy(self._busy)
        return widget

    def last_message(self) -> MessageWidget | None:
        return self._messages[-1] if self._messages else None

    def widget_for(self, node: Node) -> MessageWidget | None:
        return next((widget for widget in self._messages if widget.node is node), None)

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in self._messages:
            widget.set_busy(busy)

    def rerender(self) -> None:
        """Render every finished message again (after a theme change, so no colour of the old one stays); the
        reply being written takes the new colours where it is."""
        for widget in self._messages:
            if widget.body.streaming:
                widget.body.restyle_stream()
            elif not widget.editing:
                widget.render_final()

    def focus_order(self) -> list[QWidget]:
        """Everything Tab visits in the conversation, top to bottom."""
        order: list[QWidget] = [self.earlier_button]
        for widget in self._messages:
            order.extend(widget.focus_order())
        return order

    def _on_scrolled(self, value: int) -> None:
        self._follow = value >= self.scroll.verticalScrollBar().maximum() - FOLLOW_SLACK_PX

    def _on_range_changed(self, _minimum: int, maximum: int) -> None:
        if self._keep_distance_from_end is not None:
            self.scroll.verticalScrollBar().setValue(maximum - self._keep_distance_from_end)
            self._keep_distance_from_end = None
        elif self._follow:
            self.scroll.verticalScrollBar().setValue(maximum)
