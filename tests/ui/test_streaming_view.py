"""Streaming touches the view as little as possible and scrolls only while the user follows along."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt

from ui.chat.message_widget import MessageWidget
from waits import WAIT_MS


def test_chunks_are_coalesced_and_markdown_rendered_once(chat, counting_model, monkeypatch, qtbot):
    chat.load(counting_model)
    chat.use(temperature=0.0, max_new_tokens=1000)
    chunks, appends, renders, relayed = [], [], [], []
    chat.window.client.text_received.connect(chunks.append)
    # Counted on the worker thread as each chunk leaves it, whatever the GUI thread is doing.
    chat.window.client._worker.text_received.connect(relayed.append, Qt.ConnectionType.DirectConnection)
    monkeypatch.setattr(MessageWidget, "append_text", lambda self, text: appends.append(text))
    original_render = MessageWidget.render_final
    monkeypatch.setattr(MessageWidget, "render_final",
                        lambda self: (renders.append(self.node.role), original_render(self)))
    chat.send("count", wait=False)
    chat.wait_text()
    # A busy GUI thread: three chunks queue up meanwhile, however fast or slow the engine is.
    waiting_for = len(relayed) + 3
    deadline = time.monotonic() + 20
    while len(relayed) < waiting_for and chat.controller.generating and time.monotonic() < deadline:
        time.sleep(0.001)
    assert len(relayed) >= waiting_for
    chat.wait_idle()
    assert "".join(appends) == "".join(chunks) == chat.controller.tree.active_path()[-1].content
    assert len(chunks) > 5 and len(appends) < len(chunks)
    assert renders.count("assistant") == 1


def test_scrolling_follows_the_stream_until_the_user_scrolls_up(chat, counting_model, qtbot):
    chat.window.resize(700, 320)
    chat.load(counting_model)
    chat.use(temperature=0.0, max_new_tokens=1000)
    bar = chat.window.chat_view.scroll.verticalScrollBar()
    for _ in range(2):
        chat.send("Hi")
    chat.send("count", wait=False)
    # enough text below the view that scrolling to the top is clearly "up" (the window's minimum height is 480)
    qtbot.waitUntil(lambda: bar.maximum() > 100 and chat.controller.generating, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bar.value() == bar.maximum(), timeout=WAIT_MS)
    bar.setValue(0)  # the user scrolls up to read
    chat.wait_idle()
    assert bar.value() == 0 and bar.maximum() > 0


def test_a_long_conversation_opens_on_its_last_page_and_shows_earlier_ones_on_request(qtbot):
    from ui.chat.chat_view import PAGE, ChatView
    from ui.chat.conversation_model import Node

    view = ChatView()
    qtbot.addWidget(view)
    view.resize(700, 500)
    view.show_welcome(False)
    view.show()
    nodes = [Node("user" if i % 2 == 0 else "assistant", f"message {i}") for i in range(2 * PAGE + 10)]
    view.show_path(nodes)
    assert [w.node.content for w in view.messages] == [n.content for n in nodes[-PAGE:]]
    assert view.earlier_button.isVisible() and f"({PAGE + 10} not shown)" in view.earlier_button.text()
    view.earlier_button.click()
    assert [w.node.content for w in view.messages] == [n.content for n in nodes[-2 * PAGE:]]
    view.earlier_button.click()
    assert [w.node.content for w in view.messages] == [n.content for n in nodes]
    assert not view.earlier_button.isVisible()
    view.show_path(nodes[:3])  # a short conversation has no button
    assert len(view.messages) == 3 and not view.earlier_button.isVisible()


CODE_REPLY_CHUNKS = ["Here is the code:\n\n`", "``pyt", "hon\ndef double(x):\n    ret", "urn 2 * x\n\n    # done\n`",
                     "``\n\nAnd some prose after it.", "\n~~~\nplain fence\n~~~\nThe end."]


def font_of_line(document, text: str):
    """The font the line starting with ``text`` is drawn in (its format resolved against the view's font)."""
    from PySide6.QtGui import QFontInfo, QTextCursor

    block = document.begin()
    while block.isValid() and not block.text().startswith(text):
        block = block.next()
    assert block.isValid(), f"no line starts with {text!r}"
    cursor = QTextCursor(block)
    cursor.movePosition(QTextCursor.MoveOperation.NextCharacter)
    return QFontInfo(cursor.charFormat().font().resolve(document.defaultFont()))


def test_code_is_in_the_code_font_while_it_streams(window, qtbot):
    """Lines inside a fence (open or closed) use the code blocks' font as they arrive; prose does not."""
    from engine.runtime.record import ReplyRecord
    from ui.chat.code_block import CodeBlock
    from ui.chat.conversation_model import ConversationTree

    window.settings_panel.set_text_size(15)
    tree = ConversationTree()
    tree.append("user", "Show me code")
    reply = tree.append("assistant")
    view = window.chat_view
    view.show_welcome(False)
    view.show_path(tree.active_path())
    widget = view.messages[-1]
    document = widget.text_widgets()[0].document()
    for index, chunk in enumerate(CODE_REPLY_CHUNKS):
        reply.content += chunk
        widget.append_text(chunk)
        if index == 2:  # the fence is open: its first line is code already, the prose above is not
            assert font_of_line(document, "def double").fixedPitch()
            assert font_of_line(document, "```python").fixedPitch()
            assert not font_of_line(document, "Here is the code").fixedPitch()
    assert widget.body.streaming
    for code in ("```python", "def double", "    return", "    # done", "~~~", "plain fence"):
        assert font_of_line(document, code).fixedPitch(), code
    for prose in ("Here is the code", "And some prose", "The end."):
        assert not font_of_line(document, prose).fixedPitch(), prose
    blank_in_code = document.findBlockByNumber(5)  # an empty line inside the code is a code line's height
    assert blank_in_code.text() == "" and blank_in_code.charFormat().fontFixedPitch()
    assert blank_in_code.blockFormat().leftMargin() == document.findBlockByNumber(4).blockFormat().leftMargin() > 0
    streamed = font_of_line(document, "def double")
    assert streamed.pointSizeF() == 15  # the text-size setting holds for code too
    reply.record = ReplyRecord(finish_reason="eos")
    widget.render_final()
    code_view = next(view for view in widget.text_widgets() if isinstance(view, CodeBlock)).text
    final = font_of_line(code_view.document(), "def double")
    assert (streamed.family(), streamed.pointSizeF()) == (final.family(), final.pointSizeF())
