"""One message in the chat, as a card: your messages in a bubble on the right, replies as plain document text
across the column, each with a row of actions underneath (Copy, Regenerate or Edit, Same seed, ‹ 1/2 ›).

The text itself is a ``MessageBody``; this module owns only the card around it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QPushButton, QTextEdit, QToolButton, QVBoxLayout,
                               QWidget)

from engine.remote.address import host_of
from engine.runtime.record import ReplyRecord
from ui.chat.action_row import ActionRow
from ui.chat.composer import MessageInput
from ui.chat.conversation_model import Node
from ui.chat.message_body import MessageBody
from ui.shell.bar_button import BarButton
from ui.shell.elided_label import ElidedLabel, ElidedRow


def figures(record: ReplyRecord, seeded: bool) -> str:
    """A reply's figures in one line: the seed, the tokens, the timings, and where it was written."""
    reused = f", {record.reused_tokens} reused from the cache" if record.reused_tokens else ""
    seed = f"Seed {record.seed} · " if seeded else ("Greedy (temperature 0) · " if record.seed is not None else "")
    text = (f"{seed}{record.generated_tokens} tokens written · first token after {record.ttft_s * 1000:.0f} ms · "
            f"{record.decode_tokens_per_s:.0f} tokens/s · {record.prompt_tokens} tokens read{reused}")
    if record.server:
        counted = ("token counts from the server" if record.counted_by == "server"
                   else "token counts and rate: client-side estimate")
        return f"{text} · {record.model or 'model'} on the server at {record.server} ({counted}; timings measured here)"
    return f"{text} · on {record.provider.upper()}"


ROLE_LABELS = {"user": "You", "assistant": "Assistant"}
FINISH_NOTES = {"cancelled": "Stopped", "max_tokens": "Reached the max new tokens limit",
                "context_full": "The conversation filled the model's context", "error": "Interrupted"}
COPIED_MS = 1500
BUSY_TIP = "Wait for the reply being written to finish (or stop it with Esc)"
BUBBLE_PADDING = 14


class MessageWidget(QFrame):
    regenerate_requested = Signal(object)
    edit_submitted = Signal(object, str)
    alternative_requested = Signal(object, int)
    seed_requested = Signal(int)
    copied = Signal()

    def __init__(self, node: Node, streaming: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.node = node
        user = node.role == "user"
        self.setObjectName("message")
        self.setAccessibleName("Your message" if user else f"{ROLE_LABELS.get(node.role, node.role)} message")
        self._editor: QWidget | None = None
        self._busy = False
        self.body = MessageBody(node)
        self.note = QLabel()
        self.note.setObjectName("messageNote")
        self.note.setWordWrap(True)
        self.note.hide()
        self.role_label = QLabel(ROLE_LABELS.get(node.role, node.role))
        self.role_label.setObjectName("roleLabel")
        self.card = QFrame()
        self.card.setObjectName(f"{node.role}Bubble")
        card = QVBoxLayout(self.card)
        padding = (BUBBLE_PADDING, 8, BUBBLE_PADDING, 8) if user else (0, 0, 0, 0)  # a reply has no bubble
        card.setContentsMargins(*padding)
        card.setSpacing(4)
        card.addWidget(self.role_label)
        self.role_label.setVisible(not user)  # your own messages need no label; the bubble says it
        card.addWidget(self.body)
        card.addWidget(self.note)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        if user:
            row = QHBoxLayout()
            row.addStretch(1)
            row.addWidget(self.card, 100)  # as wide as its text needs (its maximum), up to the column
            layout.addLayout(row)
        else:
            layout.addWidget(self.card)
        self._alternative_view: QWidget | None = None
        self._actions = self._build_actions()
        layout.addWidget(self._actions)
        self._show_alternatives()
        if streaming or (node.role == "assistant" and node.record is None and not node.content):
            self.body.start_stream()
        else:
            self.render_final()

    # --- the action row --------------------------------------------------------------------------------------

    def _build_actions(self) -> ActionRow:
        self.previous_button = self._tool("‹", "Previous version", "Show the previous version of this message")
        self.position_label = QLabel()
        self.position_label.setObjectName("alternativeLabel")
        self.position_label.setAccessibleName("Version")
        self.next_button = self._tool("›", "Next version", "Show the next version of this message")
        self.previous_button.clicked.connect(lambda: self.alternative_requested.emit(self.node, -1))
        self.next_button.clicked.connect(lambda: self.alternative_requested.emit(self.node, 1))
        self.copy_button = self._tool("Copy", "Copy message", "Copy this message's text", icon="copy")
        self.copy_button.clicked.connect(self._on_copy_clicked)
        self._copied_timer = QTimer(self)
        self._copied_timer.setSingleShot(True)
        self._copied_timer.setInterval(COPIED_MS)
        self._copied_timer.timeout.connect(self._show_copy_idle)
        # where the reply was written gives way first, then the figures, before a button is pushed out of the card
        self.figures_label = ElidedLabel(shortest="000 tokens…")
        self.figures_label.setObjectName("figuresLabel")
        self.figures_label.setAccessibleName("Reply figures")
        self.figures_label.hide()
        self.source_label = ElidedLabel(shortest="· 0…")  # at the least its dot, a letter and "…"
        self.source_label.setObjectName("figuresLabel")
        self.source_label.setAccessibleName("Written by")
        self.source_label.hide()
        if self.node.role == "assistant":
            actions = ActionRow(ElidedRow([self.figures_label, self.source_label], spacing=4))
            self.action_button = self._tool("Regenerate", "Regenerate reply",
                                            "Write a new reply; this one is kept as an earlier version",
                                            icon="regenerate")
            self.action_button.clicked.connect(lambda: self.regenerate_requested.emit(self.node))
            self.seed_button = self._tool("Same seed", "Use this reply's seed", "", icon="seed")
            self.seed_button.clicked.connect(lambda: self.seed_requested.emit(self.node.record.seed))
            self.seed_button.hide()
            widgets = [self.copy_button, self.action_button, self.seed_button,
                       self.previous_button, self.position_label, self.next_button]
        else:
            actions = ActionRow(right=True)
            self.action_button = self._tool("Edit", "Edit message",
                                            "Change this message and send it again; the original is kept",
                                            icon="edit")
            self.action_button.clicked.connect(self._on_edit_clicked)
            widgets = [self.previous_button, self.position_label, self.next_button, self.copy_button,
                       self.action_button]
        for widget in widgets:
            actions.add_button(widget)
        return actions

    def add_action(self, widget: QWidget) -> None:
        """Another part's button in this message's action row (before the figures); a ``BarButton`` without
        its icon beside its label, like the others, shows only its icon when the row is short."""
        self._actions.add_button(widget)

    def show_instead_of_text(self, widget: QWidget | None) -> None:
        """Show ``widget`` where the message's text is (another view of it), or the text again with None."""
        if self._alternative_view is not None:
            self._alternative_view.hide()
            self._alternative_view.deleteLater()
        self._alternative_view = widget
        self.body.setVisible(widget is None)
        if widget is not None:
            layout = self.card.layout()
            layout.insertWidget(layout.indexOf(self.body) + 1, widget)

    def _tool(self, text: str, name: str, tip: str, icon: str = "") -> QToolButton:
        """A flat action button; one with an ``icon`` shows only that when the row is short."""
        button = BarButton(icon, text, labelled_icon=False) if icon else QToolButton()
        button.setText(text)
        button.setAccessibleName(name)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        return button

    def focus_order(self) -> list[QWidget]:
        """What Tab visits in this message, top to bottom: its text (and anything in it), then its buttons."""
        inside = [w for w in [self.body, *self.body.findChildren(QWidget)]
                  if w.focusPolicy() & Qt.FocusPolicy.TabFocus]
        for view in inside:
            if isinstance(view, QTextEdit):
                view.setTabChangesFocus(True)  # Tab leaves the text instead of walking its links
        editor = [self.edit_box, self.edit_cancel_button, self.edit_send_button] if self._editor else []
        if self.node.role == "assistant":
            buttons = [self.copy_button, self.action_button, self.seed_button, self.previous_button, self.next_button]
        else:
            buttons = [self.previous_button, self.next_button, self.copy_button, self.action_button]
        return inside + editor + buttons

    def _show_alternatives(self) -> None:
        count = len(self.node.alternatives)
        index = self.node.alternative_index
        self.position_label.setText(f"{index + 1}/{count}")
        self.position_label.setAccessibleName(f"Version {index + 1} of {count}")
        for widget in (self.previous_button, self.position_label, self.next_button):
            widget.setVisible(count > 1)
        self.previous_button.setEnabled(index > 0 and not self._busy)
        self.next_button.setEnabled(index < count - 1 and not self._busy)

    def set_busy(self, busy: bool) -> None:
        """While a reply streams, the conversation's shape cannot change; the tooltip says why."""
        self._busy = busy
        self.action_button.setEnabled(not busy)
        self.action_button.setToolTip(BUSY_TIP if busy else self._action_tip())
        self._show_alternatives()

    def _action_tip(self) -> str:
        return ("Write a new reply; this one is kept as an earlier version" if self.node.role == "assistant"
                else "Change this message and send it again; the original is kept")

    # --- the text ---------------------------------------------------------------------------------------------

    def append_text(self, text: str) -> None:
        self.body.append_text(text)

    def text_widgets(self) -> list[QWidget]:
        return self.body.text_widgets()

    def render_final(self) -> None:
        self.body.render_final()
        self._show_note()
        self._fit_bubble()

    def _fit_bubble(self) -> None:
        """A short message of yours gets a short bubble, as in other chat apps; a long one wraps."""
        if self.node.role != "user":
            return
        metrics = self.fontMetrics()
        natural = max((metrics.horizontalAdvance(line) for line in self.node.content.split("\n")), default=0)
        self.card.setMaximumWidth(natural + 2 * BUBBLE_PADDING + 28)  # text view margins and a little air

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_bubble()

    def _show_details(self) -> None:
        """The reply's figures beside its buttons, and a way back to its seed: the same seed, conversation and
        settings give the same reply, which is how a user sees that sampling, not the model, made it differ.
        A greedy reply (temperature 0) drew nothing at random, so it has no seed to offer."""
        record = self.node.record
        if self.node.role != "assistant" or record is None or record.finish_reason == "error":
            return
        seeded = record.seed is not None and not self.node.greedy
        self.role_label.setToolTip(figures(record, seeded))
        estimate = " (estimate)" if record.counted_by == "client" else ""
        self.figures_label.setText(f"{record.generated_tokens} tokens · {record.decode_tokens_per_s:.0f} tokens/s"
                                   f"{estimate}")
        self.figures_label.setToolTip(self.role_label.toolTip())
        self.figures_label.setVisible(record.generated_tokens > 0)  # text stored without figures has none to show
        if record.server:
            self.source_label.setText(f"· {record.model or 'model'} on {host_of(record.server)}")
            self.source_label.setToolTip(f"Written by {record.model or 'a model'} on the server at {record.server}")
            self.source_label.show()
        if seeded:
            self.seed_button.setToolTip(f"Fix the seed to {record.seed} in Reply settings: with the same settings, "
                                        "Regenerate then writes this reply again")
        self.seed_button.setVisible(seeded)

    def _show_note(self) -> None:
        self._show_details()
        record = self.node.record
        reason = "error" if self.node.interrupted else (record.finish_reason if record else "eos")
        note = FINISH_NOTES.get(reason, "")
        if record is not None and record.dropped_messages:
            note = f"{note}. " if note else ""
            note += f"The {record.dropped_messages} oldest messages did not fit and were left out"
        if record is not None and record.notes:
            note = " ".join([f"{note}." if note else "", *record.notes]).strip()
        self.note.setText(note)
        self.note.setVisible(bool(note))

    # --- copy and edit ----------------------------------------------------------------------------------------

    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.node.content)
        self.copy_button.setText("Copied ✓")
        self.copy_button.setAccessibleName("Copied to the clipboard")
        self.copy_button.setProperty("icon_name", "check")  # what an icon-only Copy shows instead of its text
        self._actions.refresh_icons()
        self._copied_timer.start()
        self.copied.emit()

    def _show_copy_idle(self) -> None:
        self.copy_button.setText("Copy")
        self.copy_button.setAccessibleName("Copy message")
        self.copy_button.setProperty("icon_name", "copy")
        self._actions.refresh_icons()

    def start_edit(self) -> None:
        """Edit in place: the text is replaced by an editor (Enter sends, Shift+Enter adds a line, Esc cancels)."""
        self._on_edit_clicked()

    def _on_edit_clicked(self) -> None:
        if self._editor is not None or self.node.role != "user":
            return
        self._editor = QWidget()
        self.edit_box = _EditInput()
        self.edit_box.setPlainText(self.node.content)
        self.edit_box.setAccessibleName("Edit message")
        self.edit_box.setMinimumHeight(72)
        self.edit_box.submitted.connect(lambda: self._finish_edit(self.edit_box.toPlainText()))
        self.edit_box.cancelled.connect(lambda: self._finish_edit(None))
        self.edit_send_button, self.edit_cancel_button = QPushButton("Send"), QPushButton("Cancel")
        self.edit_send_button.setObjectName("primaryButton")
        self.edit_send_button.setAccessibleName("Send edited message")
        self.edit_cancel_button.setAccessibleName("Cancel editing")
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.edit_cancel_button)
        buttons.addWidget(self.edit_send_button)
        layout = QVBoxLayout(self._editor)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit_box)
        layout.addLayout(buttons)
        self.body.hide()  # the text is in the editor; showing it twice is confusing
        self.card.setMaximumWidth(16777215)
        self.card.layout().addWidget(self._editor)
        self.edit_box.setFocus()
        self.edit_box.moveCursor(self.edit_box.textCursor().MoveOperation.End)
        self.edit_send_button.clicked.connect(lambda: self._finish_edit(self.edit_box.toPlainText()))
        self.edit_cancel_button.clicked.connect(lambda: self._finish_edit(None))

    def _finish_edit(self, text: str | None) -> None:
        if self._editor is None:
            return
        self._editor.hide()
        self._editor.deleteLater()
        self._editor = None
        self.body.show()
        self._fit_bubble()
        if text is not None and text.strip():
            self.edit_submitted.emit(self.node, text.strip())
        else:
            self.action_button.setFocus()

    @property
    def editing(self) -> bool:
        return self._editor is not None


class _EditInput(MessageInput):
    """The Edit box keys are the composer's (Enter sends, Shift+Enter adds a line), plus Esc to cancel."""

    cancelled = Signal()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) \
                and event.key() == Qt.Key.Key_Escape:
            event.accept()  # Esc cancels the edit here; elsewhere in the window it stops a reply
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Escape:
            self.cancelled.emit()
            return
        super().keyPressEvent(event)
