"""When a reply ends and its Markdown replaces the streamed text, what the user was reading stays in place."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint

from engine.runtime.record import ReplyRecord
from ui.chat.body_anchor import reading_anchor
from ui.chat.chat_view import ChatView
from ui.chat.code_block import CodeBlock
from ui.chat.conversation_model import ConversationTree
from waits import WAIT_MS

# Markdown that changes height when rendered: headings, gaps between paragraphs, list markers, code widgets.
SECTION = ("## Part {n}\n\nSome **bold** words and `code`, then\na second line of the paragraph.\n\n"
           "- a list item\n- another item\n\n```python\nprint({n})\n```\n\n")
REPLY = "".join(SECTION.format(n=n) for n in range(12)) + "The end: line to read."


@pytest.fixture
def streaming_view(qtbot):
    tree = ConversationTree()
    tree.append("user", "Write a long answer")
    reply = tree.append("assistant")
    view = ChatView()
    qtbot.addWidget(view)
    view.resize(700, 420)
    view.show_welcome(False)
    view.show_path(tree.active_path())
    view.show()
    widget = view.messages[-1]
    for start in range(0, len(REPLY), 37):  # chunks as the controller would flush them
        chunk = REPLY[start:start + 37]
        reply.content += chunk
        widget.append_text(chunk)
    qtbot.waitUntil(lambda: view.scroll.verticalScrollBar().maximum() > 1000, timeout=WAIT_MS)
    reply.record = ReplyRecord(finish_reason="eos")
    return view, widget


def screen_y(view: ChatView, widget, text: str) -> int:
    """Where ``text`` is on screen (y in the scroll area's viewport), in whichever view of ``widget`` shows it."""
    for part in widget.text_widgets():
        document_view = part.text if isinstance(part, CodeBlock) else part
        cursor = document_view.document().find(text)
        if not cursor.isNull():
            rect = document_view.cursorRect(cursor)
            return document_view.viewport().mapTo(view.scroll.viewport(), QPoint(0, rect.top())).y()
    raise AssertionError(f"{text!r} is not shown")


@pytest.mark.parametrize("reading", ["Part 5", "another item", "print(7)"])
def test_the_line_being_read_stays_where_it_was(streaming_view, qtbot, reading):
    view, widget = streaming_view
    bar = view.scroll.verticalScrollBar()
    bar.setValue(bar.value() + screen_y(view, widget, reading) - 40)  # the user scrolled up to read this line
    before = screen_y(view, widget, reading)
    assert before == 40 and bar.value() < bar.maximum() - 100
    widget.render_final()
    qtbot.waitUntil(lambda: len(widget.text_widgets()) > 1, timeout=WAIT_MS)
    assert widget.text_widgets()[1].__class__ is CodeBlock  # rendered: code blocks are widgets now
    assert abs(screen_y(view, widget, reading) - before) <= 4


def test_without_the_anchor_the_render_would_jump(streaming_view, qtbot, monkeypatch):
    """Proof that the test above can fail: the same render with no anchoring moves the text."""
    view, widget = streaming_view
    monkeypatch.setattr("ui.chat.message_body.reading_anchor", lambda body: None)
    bar = view.scroll.verticalScrollBar()
    bar.setValue(bar.value() + screen_y(view, widget, "Part 5") - 40)
    widget.render_final()
    view.scroll.widget().layout().activate()
    assert abs(screen_y(view, widget, "Part 5") - 40) > 20


def test_a_view_following_the_stream_stays_at_the_end(streaming_view, qtbot):
    view, widget = streaming_view
    bar = view.scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.value() == bar.maximum(), timeout=WAIT_MS)
    assert reading_anchor(widget.body) is None
    widget.render_final()
    height = view.scroll.viewport().height()
    qtbot.waitUntil(lambda: 0 <= screen_y(view, widget, "The end: line to read.") < height, timeout=WAIT_MS)
    assert bar.value() == bar.maximum()
