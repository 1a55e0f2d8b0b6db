"""When a reply ends and its Markdown replaces the streamed text, what the user was reading stays in place."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint

from engine.runtime.record import ReplyRecord
from ui.chat.body_anchor import reading_anchor
from ui.chat.chat_view import ChatView
from ui.chat.code_block import CodeBlock
from message_widgets import chat_awaiting_reply
from waits import WAIT_MS

# Markdown that changes height when rendered: headings, gaps between paragraphs, list markers, code widgets.
SECTION = ("## Part {n}\n\nSome **bold** words and `code`, then\na second line of the paragraph.\n\n"
           "- a list item\n- another item\n\n```python\nprint({n})\n```\n\n")
REPLY = "".join(SECTION.format(n=n) for n in range(12)) + "The end: line to read."


def streamed(qtbot, question: str, text: str):
    """A chat view whose last reply has had ``text`` streamed into it, in chunks as the controller flushes them,
    tall enough to scroll; returns the view, the reply's widget and its node."""
    view, widget, reply = chat_awaiting_reply(qtbot, question, 700, 420)
    for start in range(0, len(text), 37):
        chunk = text[start:start + 37]
        reply.content += chunk
        widget.append_text(chunk)
    qtbot.waitUntil(lambda: view.scroll.verticalScrollBar().maximum() > 1000, timeout=WAIT_MS)
    return view, widget, reply


@pytest.fixture
def streaming_view(qtbot):
    view, widget, reply = streamed(qtbot, "Write a long answer", REPLY)
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


# Thinking that is shorter rendered: blank lines become small gaps, fence lines go, code sits in a table.
THOUGHT = "Step {n}: some **bold** words.\n\n```\ncode {n}\n```\n\n- a list item\n- another item\n\n\n"
THINKING = "<think>\n" + "".join(THOUGHT.format(n=n) for n in range(12)) + "Last thought.\n"


@pytest.fixture
def thinking_view(qtbot):
    """A reply still thinking, its long Thinking section open and streamed in as written."""
    view, widget, _reply = streamed(qtbot, "Think hard", THINKING)
    return view, widget


def thinking_y(view: ChatView, widget, text: str) -> int:
    thinking = widget.body.thinking.text
    cursor = thinking.document().find(text)
    assert not cursor.isNull(), f"{text!r} is not in the thinking"
    return thinking.viewport().mapTo(view.scroll.viewport(), QPoint(0, thinking.cursorRect(cursor).top())).y()


def read_thinking_at(view: ChatView, widget, text: str) -> None:
    bar = view.scroll.verticalScrollBar()
    bar.setValue(bar.value() + thinking_y(view, widget, text) - 40)  # the user scrolled up to read this line
    assert thinking_y(view, widget, text) == 40 and bar.value() < bar.maximum() - 100


def end_thinking(widget) -> None:
    widget.node.content += "</think>\n\nThe answer."
    widget.append_text("</think>\n\nThe answer.")


@pytest.mark.parametrize("reading", ["Step 2", "code 5", "Step 8"])
def test_the_thinking_line_being_read_stays_when_the_thinking_is_rendered(thinking_view, qtbot, reading):
    view, widget = thinking_view
    read_thinking_at(view, widget, reading)
    end_thinking(widget)
    section = widget.body.thinking
    assert section.rendered and section.expanded  # rendered, and left open: the user is reading it
    assert abs(thinking_y(view, widget, reading) - 40) <= 4
    widget.node.record = ReplyRecord(finish_reason="eos")
    widget.render_final()
    assert abs(thinking_y(view, widget, reading) - 40) <= 4


def test_a_reply_stopped_while_thinking_keeps_the_line_being_read(thinking_view, qtbot):
    view, widget = thinking_view
    read_thinking_at(view, widget, "Step 7")
    widget.node.record = ReplyRecord(finish_reason="cancelled")
    widget.render_final()
    assert widget.body.thinking.rendered
    assert abs(thinking_y(view, widget, "Step 7") - 40) <= 4


def test_without_the_anchor_rendering_the_thinking_would_jump(thinking_view, qtbot, monkeypatch):
    """Proof that the tests above can fail: the same render with no anchoring moves the text."""
    view, widget = thinking_view
    monkeypatch.setattr("ui.chat.message_body.reading_anchor", lambda body: None)
    read_thinking_at(view, widget, "Step 5")
    end_thinking(widget)
    view.scroll.widget().layout().activate()
    assert abs(thinking_y(view, widget, "Step 5") - 40) > 20
