"""Reasoning models' <think> text: a Thinking section, live while it streams, folded afterwards."""

from __future__ import annotations

import pytest
from message_widgets import reply_widget

from engine.runtime.record import ReplyRecord
from ui.chat.conversation_model import ConversationTree
from ui.chat.message_widget import MessageWidget
from ui.chat.render.thinking import ThinkingStream, split_thinking
from waits import WAIT_MS

REPLY = "<think>\nThe user greets me.\nI should greet back.\n</think>\n\nHello! **How** can I help?"
R1_REPLY = "The user greets me.\nGreet back.\n</think>\n\nHello!"


def stream(chunks: list[str]) -> tuple[str, str, bool]:
    router, thinking, answer, moved = ThinkingStream(), [], [], False
    for chunk in chunks:
        think, said = router.feed(chunk)
        if router.earlier_was_thinking:
            router.earlier_was_thinking, moved = False, True
            thinking, answer = ["".join(answer)], []
        thinking.append(think)
        answer.append(said)
    think, said = router.flush()
    return ("".join(thinking) + think).lstrip("\n"), ("".join(answer) + said).lstrip("\n"), moved


def test_split_thinking_of_a_whole_reply():
    parts = split_thinking(REPLY)
    assert parts.thinking == "The user greets me.\nI should greet back."
    assert parts.answer == "Hello! **How** can I help?"
    assert REPLY.split("\n")[parts.answer_line] == "Hello! **How** can I help?"
    assert split_thinking("no tags here") .thinking is None
    unfinished = split_thinking("<think>still going")
    assert (unfinished.thinking, unfinished.answer, unfinished.thinking_done) == ("still going", "", False)
    r1 = split_thinking(R1_REPLY)
    assert (r1.thinking, r1.answer) == ("The user greets me.\nGreet back.", "Hello!")


@pytest.mark.parametrize("cut", range(1, len(REPLY)))
def test_tags_split_across_two_chunks_are_found(cut):
    thinking, answer, _ = stream([REPLY[:cut], REPLY[cut:]])
    assert thinking.strip("\n") == "The user greets me.\nI should greet back."
    assert answer == "Hello! **How** can I help?"


def test_one_character_chunks_and_r1_shaped_replies():
    thinking, answer, moved = stream(list(REPLY))
    assert (thinking.strip("\n"), answer, moved) == ("The user greets me.\nI should greet back.",
                                                     "Hello! **How** can I help?", False)
    thinking, answer, moved = stream(list(R1_REPLY))
    assert (thinking.strip("\n"), answer, moved) == ("The user greets me.\nGreet back.", "Hello!", True)
    assert stream(["a < b and </th", "ing> is html"])[:2] == ("", "a < b and </thing> is html")


def streaming_reply(qtbot) -> MessageWidget:
    tree = ConversationTree()
    tree.append("user", "hi")
    widget = MessageWidget(tree.append("assistant"))
    qtbot.addWidget(widget)
    widget.show()
    return widget


def feed(widget: MessageWidget, chunks: list[str]) -> None:
    for chunk in chunks:
        widget.node.content += chunk
        widget.append_text(chunk)


def test_thinking_is_shown_live_then_folds_and_stays_folded_after_the_render(qtbot):
    widget = streaming_reply(qtbot)
    feed(widget, ["<thi", "nk>\nThe user gre", "ets me.\nI should"])
    section = widget.body.thinking
    assert section is not None and section.live and section.expanded
    assert section.toggle.text() == "Thinking…"
    assert section.plain_text() == "The user greets me.\nI should"
    assert widget.text_widgets()[0].toPlainText() == ""  # no answer yet, and no tag shown
    feed(widget, [" greet back.\n</th", "ink>\n\nHello! **How**", " can I help?"])
    assert not section.live and not section.expanded and section.toggle.text() == "Thinking"
    assert widget.text_widgets()[0].toPlainText() == "Hello! **How** can I help?"
    widget.node.record = ReplyRecord(finish_reason="eos")
    widget.render_final()
    section = widget.body.thinking
    assert section.plain_text() == "The user greets me.\nI should greet back." and not section.expanded
    answer = widget.text_widgets()[0]
    assert answer.toPlainText() == "Hello! How can I help?"  # rendered: the stars became bold
    section.toggle.click()
    assert section.expanded
    qtbot.waitUntil(section.text.isVisible, timeout=WAIT_MS)  # a widget added to a shown one appears next loop


def test_an_r1_shaped_reply_moves_its_thinking_into_the_section(qtbot):
    widget = streaming_reply(qtbot)
    feed(widget, ["The user greets me.\n", "Greet back.\n</thi", "nk>\n\nHello!"])
    assert widget.body.thinking.plain_text() == "The user greets me.\nGreet back."  # rendered as it ended
    assert widget.text_widgets()[0].toPlainText() == "Hello!"


def test_a_reopened_reply_shows_its_thinking_folded(qtbot):
    tree = ConversationTree()
    tree.append("user", "hi")
    reply = tree.append("assistant", REPLY)
    reply.record = ReplyRecord(finish_reason="eos")
    widget = MessageWidget(reply)
    qtbot.addWidget(widget)
    widget.show()
    assert widget.body.thinking is not None and not widget.body.thinking.expanded
    assert not widget.body.thinking.text.isVisible()
    assert "think>" not in "\n".join(view.toPlainText() for view in widget.text_widgets())


MARKDOWN_THINKING = ("<think>\nA **plan**:\n\n- greet the user\n- offer help\n\n```python\nprint('hi')\n```\n"
                     "</think>\n\nHello!")


def thinking_structure(section) -> tuple[list[str], bool, bool]:
    """The thinking view's list items, whether its code is a shaded monospace block, and whether "plan" is bold."""
    from PySide6.QtGui import QFontDatabase

    document = section.text.document()
    items, block = [], document.begin()
    while block.isValid():
        if block.textList() is not None:
            items.append(block.text())
        block = block.next()
    code = document.find("print('hi')")
    fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont).family()
    code_block = (not code.isNull() and code.currentTable() is not None
                  and fixed in code.charFormat().fontFamilies() and "```" not in document.toPlainText())
    return items, code_block, document.find("plan").charFormat().fontWeight() > 500


def test_thinking_is_rendered_as_markdown_once_it_ends(qtbot):
    widget = streaming_reply(qtbot)
    cut = MARKDOWN_THINKING.index("</think>")
    feed(widget, [MARKDOWN_THINKING[:20], MARKDOWN_THINKING[20:cut]])
    section = widget.body.thinking
    assert section.live and "- greet the user" in section.plain_text()  # while it streams: as written
    feed(widget, [MARKDOWN_THINKING[cut:]])
    assert not section.live and widget.body.streaming  # the answer is still streaming
    assert thinking_structure(section) == (["greet the user", "offer help"], True, True)
    widget.node.record = ReplyRecord(finish_reason="eos")
    widget.render_final()
    assert thinking_structure(widget.body.thinking) == (["greet the user", "offer help"], True, True)
    reopened = reply_widget(qtbot, MARKDOWN_THINKING)
    assert thinking_structure(reopened.body.thinking) == (["greet the user", "offer help"], True, True)


def test_thinking_cut_short_by_the_end_of_the_reply_is_rendered_too(qtbot):
    widget = streaming_reply(qtbot)
    feed(widget, [MARKDOWN_THINKING[:MARKDOWN_THINKING.index("</think>")]])  # the user pressed Stop here
    widget.node.record = ReplyRecord(finish_reason="cancelled")
    widget.render_final()
    assert thinking_structure(widget.body.thinking) == (["greet the user", "offer help"], True, True)
