"""One message in the chat: a labelled bubble with its text, its actions and its alternatives (‹ 1/2 ›)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QToolButton, QVBoxLayout,
                               QWidget)

from ui.chat.code_block import CodeBlock
from ui.chat.conversation_model import Node
from ui.chat.markdown_blocks import split_blocks
from ui.chat.safe_text import SafeBrowser
from ui.chat.token_choices import TokenChoicesDialog

ROLE_LABELS = {"user": "You", "assistant": "Assistant"}
FINISH_NOTES = {"cancelled": "Stopped", "max_tokens": "Reached the max new tokens limit",
                "context_full": "The conversation filled the model's context", "error": "Interrupted"}


class MessageWidget(QFrame):
    regenerate_requested = Signal(object)
    edit_submitted = Signal(object, str)
    alternative_requested = Signal(object, int)
    seed_requested = Signal(int)

    def __init__(self, node: Node, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.node = node
        self.setObjectName(f"{node.role}Bubble")
        self.setAccessibleName(f"{ROLE_LABELS.get(node.role, node.role)} message")
        self._stream: SafeBrowser | None = None
        self._editor: QWidget | None = None
        self.body = QVBoxLayout()
        self.body.setSpacing(6)
        self.note = QLabel()
        self.note.setObjectName("messageNote")
        self.note.setWordWrap(True)
        self.note.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 8)
        layout.setSpacing(4)
        layout.addLayout(self._build_header())
        layout.addLayout(self.body)
        layout.addWidget(self.note)
        self._show_alternatives()
        if node.role == "assistant" and node.record is None and not node.content:
            self._start_stream()
        else:
            self.render_final()

    def _build_header(self) -> QHBoxLayout:
        header = QHBoxLayout()
        header.setSpacing(2)
        self.role_label = QLabel(ROLE_LABELS.get(self.node.role, self.node.role))
        self.role_label.setObjectName("roleLabel")
        header.addWidget(self.role_label)
        header.addSpacing(8)
        self.previous_button = self._tool("‹", "Previous version", "Show the previous version of this message")
        self.position_label = QLabel()
        self.position_label.setObjectName("alternativeLabel")
        self.position_label.setAccessibleName("Version")
        self.next_button = self._tool("›", "Next version", "Show the next version of this message")
        self.previous_button.clicked.connect(lambda: self.alternative_requested.emit(self.node, -1))
        self.next_button.clicked.connect(lambda: self.alternative_requested.emit(self.node, 1))
        for widget in (self.previous_button, self.position_label, self.next_button):
            header.addWidget(widget)
        header.addStretch()
        self.copy_button = self._tool("Copy", "Copy message", "Copy this message's text")
        self.copy_button.clicked.connect(self._on_copy_clicked)
        header.addWidget(self.copy_button)
        if self.node.role == "assistant":
            self.seed_button = self._tool("Same seed", "Use this reply's seed", "")
            self.seed_button.clicked.connect(lambda: self.seed_requested.emit(self.node.record.seed))
            self.seed_button.hide()
            header.addWidget(self.seed_button)
            self.choices_button = self._tool("Token choices", "Show token choices",
                                             "See, for every token of this reply, the tokens the model weighed")
            self.choices_button.clicked.connect(self._on_choices_clicked)
            self.choices_button.hide()
            header.addWidget(self.choices_button)
            self.action_button = self._tool("Regenerate", "Regenerate reply",
                                            "Write a new reply; this one is kept as an earlier version")
            self.action_button.clicked.connect(lambda: self.regenerate_requested.emit(self.node))
        else:
            self.action_button = self._tool("Edit", "Edit message",
                                            "Change this message and send it again; the original is kept")
            self.action_button.clicked.connect(self._on_edit_clicked)
        header.addWidget(self.action_button)
        return header

    def _tool(self, text: str, name: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setAccessibleName(name)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        return button

    def _show_alternatives(self) -> None:
        count = len(self.node.alternatives)
        index = self.node.alternative_index
        self.position_label.setText(f"{index + 1}/{count}")
        for widget in (self.previous_button, self.position_label, self.next_button):
            widget.setVisible(count > 1)
        self.previous_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < count - 1)

    def set_busy(self, busy: bool) -> None:
        """While a reply streams, the conversation's shape cannot change."""
        for button in (self.previous_button, self.next_button, self.action_button):
            button.setEnabled(not busy)
        if not busy:
            self._show_alternatives()

    def _start_stream(self) -> None:
        self._stream = SafeBrowser()
        self._stream.setAccessibleName("Reply text")
        self.body.addWidget(self._stream)

    def append_text(self, text: str) -> None:
        assert self._stream is not None, "text arrived for a message that is not streaming"
        self._stream.append_plain(text)

    def text_widgets(self) -> list[QWidget]:
        return [self.body.itemAt(i).widget() for i in range(self.body.count())]

    def render_final(self) -> None:
        """Replace the streamed plain text with the message rendered once (Markdown for the assistant)."""
        blocks = split_blocks(self.node.content) if self.node.role == "assistant" else []
        stream, self._stream = self._stream, None
        if stream is not None and len(blocks) == 1 and blocks[0].kind == "text":
            stream.set_markdown(blocks[0].text)  # prose only: the streaming view can show it as it is
            stream.setAccessibleName("Message text")
            self._show_note()
            return
        self._clear_body()
        if self.node.role == "assistant":
            for block in blocks:
                self.body.addWidget(CodeBlock(block.text, block.language) if block.kind == "code"
                                    else self._prose(block.text, markdown=True))
        else:
            self.body.addWidget(self._prose(self.node.content, markdown=False))
        self._show_note()

    def _prose(self, text: str, markdown: bool) -> SafeBrowser:
        view = SafeBrowser()
        view.setAccessibleName("Message text")
        if markdown:
            view.set_markdown(text)
        else:
            view.setPlainText(text)
        return view

    def _on_choices_clicked(self) -> None:
        TokenChoicesDialog(self.node.steps, self).exec()

    def _show_details(self) -> None:
        """The reply's figures on its label, and a way back to its seed: the same seed, conversation and
        settings give the same reply, which is how a user sees that sampling, not the model, made it differ."""
        record = self.node.record
        if self.node.role != "assistant" or record is None or record.seed is None:
            return
        self.choices_button.setVisible(bool(self.node.steps))
        reused = f", {record.reused_tokens} reused from the cache" if record.reused_tokens else ""
        self.role_label.setToolTip(
            f"Seed {record.seed} · {record.generated_tokens} tokens written · first token after "
            f"{record.ttft_s * 1000:.0f} ms · {record.decode_tokens_per_s:.0f} tokens/s · "
            f"{record.prompt_tokens} tokens read{reused} · on {record.provider.upper()}")
        self.seed_button.setToolTip(f"Fix the seed to {record.seed} in Reply settings: with the same settings, "
                                    "Regenerate then writes this reply again")
        self.seed_button.show()

    def _show_note(self) -> None:
        self._show_details()
        record = self.node.record
        reason = "error" if self.node.interrupted else (record.finish_reason if record else "eos")
        note = FINISH_NOTES.get(reason, "")
        if record is not None and record.dropped_messages:
            note = f"{note}. " if note else ""
            note += f"The {record.dropped_messages} oldest messages did not fit and were left out"
        self.note.setText(note)
        self.note.setVisible(bool(note))

    def _clear_body(self) -> None:
        while self.body.count():
            widget = self.body.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()

    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.node.content)

    def _on_edit_clicked(self) -> None:
        if self._editor is not None:
            return
        self._editor = QWidget()
        self.edit_box = QPlainTextEdit(self.node.content)
        self.edit_box.setAccessibleName("Edit message")
        self.edit_box.setFixedHeight(90)
        self.edit_send_button, cancel = QPushButton("Send"), QPushButton("Cancel")
        self.edit_send_button.setAccessibleName("Send edited message")
        cancel.setAccessibleName("Cancel editing")
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(cancel)
        buttons.addWidget(self.edit_send_button)
        layout = QVBoxLayout(self._editor)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit_box)
        layout.addLayout(buttons)
        self.body.addWidget(self._editor)
        self.edit_box.setFocus()
        self.edit_send_button.clicked.connect(lambda: self._finish_edit(self.edit_box.toPlainText()))
        cancel.clicked.connect(lambda: self._finish_edit(None))

    def _finish_edit(self, text: str | None) -> None:
        self._editor.deleteLater()
        self._editor = None
        if text is not None and text.strip():
            self.edit_submitted.emit(self.node, text.strip())
