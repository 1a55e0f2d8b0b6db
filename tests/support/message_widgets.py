"""A finished reply shown in a message widget on its own, for tests of how replies render."""

from __future__ import annotations

from engine.runtime.record import ReplyRecord
from ui.chat.conversation_model import ConversationTree
from ui.chat.message_widget import MessageWidget


def reply_widget(qtbot, text: str, question: str = "hi") -> MessageWidget:
    tree = ConversationTree()
    tree.append("user", question)
    reply = tree.append("assistant", text)
    reply.record = ReplyRecord(finish_reason="eos")
    widget = MessageWidget(reply)
    qtbot.addWidget(widget)
    return widget
