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


def chat_awaiting_reply(qtbot, question: str, width: int, height: int):
    """A chat view of ``width`` × ``height``, shown, whose conversation is ``question`` and an empty reply;
    returns the view, the reply's widget and its node."""
    from ui.chat.chat_view import ChatView

    tree = ConversationTree()
    tree.append("user", question)
    reply = tree.append("assistant")
    view = ChatView()
    qtbot.addWidget(view)
    view.resize(width, height)
    view.show_welcome(False)
    view.show_path(tree.active_path())
    view.show()
    return view, view.messages[-1], reply
