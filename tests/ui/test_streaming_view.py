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


def line_starting(document, text: str):
    """The first block of ``document`` whose text starts with ``text``."""
    block = document.begin()
    while block.isValid() and not block.text().startswith(text):
        block = block.next()
    assert block.isValid(), f"no line starts with {text!r}"
    return block


def font_of_line(document, text: str):
    """The font the line starting with ``text`` is drawn in (its format resolved against the view's font)."""
    from PySide6.QtGui import QFontInfo, QTextCursor

    cursor = QTextCursor(line_starting(document, text))
    cursor.movePosition(QTextCursor.MoveOperation.NextCharacter)
    return QFontInfo(cursor.charFormat().font().resolve(document.defaultFont()))


def streaming_reply(window, question: str):
    """A reply to ``question`` being written in the window's chat, and a function that streams text into it."""
    from ui.chat.conversation_model import ConversationTree

    tree = ConversationTree()
    tree.append("user", question)
    reply = tree.append("assistant")
    view = window.chat_view
    view.show_welcome(False)
    view.show_path(tree.active_path())
    widget = view.messages[-1]

    def stream(*chunks: str) -> None:
        for chunk in chunks:
            reply.content += chunk
            widget.append_text(chunk)

    return widget, stream


def test_code_is_in_the_code_font_while_it_streams(window, qtbot):
    """Lines inside a fence (open or closed) use the code blocks' font as they arrive; prose does not."""
    from engine.runtime.record import ReplyRecord
    from ui.chat.code_block import CodeBlock

    window.settings_panel.set_text_size(15)
    widget, stream = streaming_reply(window, "Show me code")
    reply = widget.node
    document = widget.text_widgets()[0].document()
    for index, chunk in enumerate(CODE_REPLY_CHUNKS):
        stream(chunk)
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


def foregrounds(block) -> set[str]:
    """The colours of every piece of ``block`` ("" where it has none of its own)."""
    colours, fragments = set(), block.begin()
    while not fragments.atEnd():
        brush = fragments.fragment().charFormat().foreground()
        colours.add(brush.color().name() if brush.style() != Qt.BrushStyle.NoBrush else "")
        fragments += 1
    return colours


def fence_colours(document) -> list[set[str]]:
    """The colours of each fence line (``` or ~~~) in ``document``, top to bottom."""
    block, colours = document.begin(), []
    while block.isValid():
        if block.text().startswith(("```", "~~~")):
            colours.append(foregrounds(block))
        block = block.next()
    return colours


def test_fence_lines_take_the_new_theme_s_muted_colour_while_the_reply_streams(window):
    """A switch of theme mid-reply recolours the fence lines shown so far where they are, and those to come."""
    from PySide6.QtGui import QColor

    from ui.shell.theme import DARK, LIGHT

    window.settings_panel.set_theme("light")
    widget, stream = streaming_reply(window, "Show me code")
    document = widget.text_widgets()[0].document()
    edits = []
    document.contentsChange.connect(lambda _at, removed, added: edits.append((removed, added)))

    def switch(theme: str) -> None:
        shown, edits[:] = document.toPlainText(), []
        window.settings_panel.set_theme(theme)
        assert document.toPlainText() == shown and all(removed == added for removed, added in edits)  # no insert

    stream(*CODE_REPLY_CHUNKS[:2])  # "```pyt": the first fence line is half written
    assert fence_colours(document) == [{QColor(LIGHT.muted).name()}]
    switch("dark")
    stream(*CODE_REPLY_CHUNKS[2:])
    assert widget.body.streaming
    assert fence_colours(document) == 4 * [{QColor(DARK.muted).name()}]  # ```python, ```, ~~~, ~~~
    assert foregrounds(line_starting(document, "def double")) == {""}  # code and prose keep the text colour
    switch("light")
    assert fence_colours(document) == 4 * [{QColor(LIGHT.muted).name()}]


def test_thinking_takes_the_new_theme_s_muted_colour_while_it_streams(window):
    from PySide6.QtGui import QColor, QPalette

    from ui.shell.theme import DARK, LIGHT

    window.settings_panel.set_theme("light")
    widget, stream = streaming_reply(window, "Think")

    def muted_text() -> str:
        return widget.body.thinking.text.palette().color(QPalette.ColorRole.Text).name()

    stream("<think>\nA plan:\n```\nprint('hi')\n```\n")
    assert muted_text() == QColor(LIGHT.muted).name()
    window.settings_panel.set_theme("dark")
    assert muted_text() == QColor(DARK.muted).name()
    thinking = widget.body.thinking.text.document()
    assert fence_colours(thinking) == 2 * [{QColor(DARK.muted).name()}]
    stream("</think>\n\nThe answer")  # the thinking is rendered as Markdown while the answer streams
    window.settings_panel.set_theme("light")
    assert widget.body.streaming and widget.body.thinking.rendered
    assert muted_text() == QColor(LIGHT.muted).name()


def test_each_streamed_chunk_is_laid_out_once_whatever_it_holds(qapp):
    """A chunk can end a prose line, open a fence and start the code: one layout pass for it, not one per part."""
    from PySide6.QtGui import QTextDocument

    from ui.chat.render.streamed_text import StreamedText

    document = QTextDocument()
    document.documentLayout()  # as in a view: the layout exists, and is told of each change
    passes = []  # the layout is told of each change and lays the changed part out again
    document.contentsChange.connect(lambda *change: passes.append(change))
    streamed = StreamedText(document)
    for chunk in CODE_REPLY_CHUNKS:
        streamed.append(chunk)
    assert len(passes) == len(CODE_REPLY_CHUNKS)
    assert document.toPlainText() == "".join(CODE_REPLY_CHUNKS)
