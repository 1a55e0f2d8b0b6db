"""Replies are untrusted: rendering them loads nothing and opens nothing by itself."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import QEvent, QObject, QUrl
from PySide6.QtGui import QFontDatabase, QGuiApplication, QImage, QTextDocument
from PySide6.QtWidgets import QLabel, QToolButton

from engine.runtime.record import ReplyRecord
from ui.chat.code_block import CodeBlock
from ui.chat.conversation_model import ConversationTree
from ui.chat.markdown_blocks import Block, split_blocks
from ui.chat.message_body import MessageBody
from ui.chat.message_widget import MessageWidget
from ui.chat.safe_text import SafeBrowser
from waits import WAIT_MS


def test_images_and_local_files_in_a_reply_are_not_loaded(qtbot, tmp_path, monkeypatch):
    secret = tmp_path / "secret.png"
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(0xFF0000)
    image.save(str(secret))
    requested = []
    original = SafeBrowser.loadResource

    def spy(self, kind, url):
        result = original(self, kind, url)
        requested.append((url.toString(), result))
        return result

    monkeypatch.setattr(SafeBrowser, "loadResource", spy)
    view = SafeBrowser()
    qtbot.addWidget(view)
    local = QUrl.fromLocalFile(str(secret)).toString()
    view.set_markdown(f'Hi <img src="http://example.com/track.png"> ![x]({local}) ![y](http://example.com/y.png)')
    view.resize(400, 200)
    view.show()
    qtbot.wait(50)
    assert "http://example.com/track.png" not in [url for url, _ in requested]  # raw HTML is not rendered
    assert "<img" in view.toPlainText()
    loaded = view.document().resource(QTextDocument.ResourceType.ImageResource.value, QUrl(local))
    assert loaded is None or QImage(loaded).size().width() <= 1
    assert all(isinstance(result, QImage) and result.width() == 1 for _, result in requested)


def test_links_open_only_on_click_and_only_for_the_web(qtbot, monkeypatch):
    opened = []
    monkeypatch.setattr("ui.chat.safe_text.QDesktopServices.openUrl", lambda url: opened.append(url.toString()))
    view = SafeBrowser()
    qtbot.addWidget(view)
    assert not view.openLinks() and not view.openExternalLinks()
    view.anchorClicked.emit(QUrl("file:///etc/passwd"))
    view.anchorClicked.emit(QUrl("https://example.com/"))
    assert opened == ["https://example.com/"]


def test_code_blocks_get_their_own_copy_button(qtbot):
    tree = ConversationTree()
    tree.append("user", "code please")
    reply = tree.append("assistant", "Here:\n\n```python\nprint('hi')  # greet\n```\n\nDone.")
    reply.record = ReplyRecord(finish_reason="eos")
    widget = MessageWidget(reply)
    qtbot.addWidget(widget)
    blocks = widget.findChildren(CodeBlock)
    assert [block.code for block in blocks] == ["print('hi')  # greet"]
    blocks[0].copy_button.click()
    assert QGuiApplication.clipboard().text() == "print('hi')  # greet"
    fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    assert blocks[0].text.font().family() == fixed.family()


def test_split_blocks_handles_unclosed_fences():
    assert split_blocks("a\n```js\nx = 1\n```\nb\n~~~\nopen") == [
        Block("text", "a", line=0), Block("code", "x = 1", "js", line=2), Block("text", "b", line=4),
        Block("code", "open", line=6)]


def test_each_code_block_of_a_reply_in_the_window_is_highlighted_once(window, monkeypatch, qtbot):
    """Putting a block in a message (under the window's style sheet) changes its palette but not light/dark:
    lexing its code again then doubled the cost of a reply's final render."""
    from ui.chat import code_block

    languages = []
    original = code_block.highlight_into
    monkeypatch.setattr(code_block, "highlight_into",
                        lambda document, code, language, dark: (languages.append(language),
                                                                original(document, code, language, dark))[1])
    tree = ConversationTree()
    tree.append("user", "Two ways, please")
    reply = tree.append("assistant", "One:\n\n```python\nx = 1\n```\n\nTwo:\n\n```js\nlet y = 2;\n```")
    reply.record = ReplyRecord(finish_reason="eos")
    window.chat_view.show_welcome(False)
    window.chat_view.show_path(tree.active_path())
    blocks = [w for w in window.chat_view.messages[-1].text_widgets() if isinstance(w, CodeBlock)]
    qtbot.waitUntil(lambda: all(block.isVisible() for block in blocks), timeout=WAIT_MS)
    assert languages == ["python", "js"] and all(block.highlighted for block in blocks)


def test_code_colours_follow_a_switch_to_dark(qtbot):
    from PySide6.QtGui import QTextCursor
    from PySide6.QtWidgets import QApplication

    from ui.chat.code_block import CodeBlock
    from ui.shell.theme import use_dark_palette

    block = CodeBlock("def f():\n    return 1", "python")
    qtbot.addWidget(block)
    block.show()

    def keyword_colour() -> str:
        cursor = QTextCursor(block.text.document())
        cursor.setPosition(1)  # inside "def"
        return cursor.charFormat().foreground().color().name()

    light = keyword_colour()
    assert block.highlighted and light != block.palette().text().color().name()
    app = QApplication.instance()
    try:
        use_dark_palette(app, True)
        qtbot.waitUntil(lambda: keyword_colour() != light, timeout=WAIT_MS)
    finally:
        use_dark_palette(app, False)
    qtbot.waitUntil(lambda: keyword_colour() == light, timeout=WAIT_MS)


def test_a_code_block_and_a_markdown_document_are_each_laid_out_once_not_once_per_run(qtbot):
    """Each change to a document lays it out again; a reply's render inserts hundreds of coloured runs."""
    from ui.chat.render.highlight import highlight_into
    from ui.chat.render.markdown_document import render_markdown
    from ui.chat.render.style import RenderStyle

    for build in (lambda document: highlight_into(document, "def f(x):\n    return x + 1\n\nprint(f(2))", "python",
                                                  dark=False),
                  lambda document: render_markdown(document, "# Title\n\nSome **bold** and `code`.\n\n- one\n- two"
                                                   "\n\n> a quote\n\n| a | b |\n| - | - |\n| 1 | 2 |\n\nThe end.",
                                                   RenderStyle.current())):
        document = QTextDocument()
        layouts = []  # the layout tells its new size after each pass
        document.documentLayout().documentSizeChanged.connect(layouts.append)
        build(document)
        assert len(layouts) == 1 and document.toPlainText().startswith(("def f", "Title"))


class _EventCount(QObject):
    """Counts the events of some types that a message's body and the widgets a render makes in it (text views,
    code blocks, their labels and buttons; not the parts Qt makes inside them) receive while it is installed."""

    def __init__(self, *types: QEvent.Type) -> None:
        super().__init__()
        self.types = types
        self.counts = Counter()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() in self.types and isinstance(watched, (SafeBrowser, CodeBlock, QLabel, QToolButton,
                                                               MessageBody)):
            self.counts[event.type()] += 1
        return False


def test_a_reply_s_final_render_gives_no_widget_its_own_style_sheet_and_moves_none(window, qtbot):
    """A reply's final render makes two text views and a header per code block: a style sheet of a widget's own
    (a style object and a polish each) or a widget made apart and then moved into its parent (its events, palette
    and font resolved again) made the end of a long reply cost about 12 ms a code block."""
    from PySide6.QtWidgets import QApplication

    blocks = 4
    text = "".join(f"Step {n}, with `code`:\n\n```python\nprint({n})\n```\n\n" for n in range(blocks)) + "> Done."
    tree = ConversationTree()
    tree.append("user", "Steps, please")
    reply = tree.append("assistant")
    chat = window.chat_view
    chat.show_welcome(False)
    chat.show_path(tree.active_path())
    widget = chat.messages[-1]
    reply.content = text
    widget.append_text(text)
    reply.record = ReplyRecord(finish_reason="eos")
    count = _EventCount(QEvent.Type.StyleChange, QEvent.Type.ParentChange)
    app = QApplication.instance()
    app.installEventFilter(count)
    try:
        widget.render_final()
        shown = widget.body.text_widgets()
        qtbot.waitUntil(lambda: all(view.isVisible() for view in shown), timeout=WAIT_MS)
    finally:
        app.removeEventFilter(count)
    assert sum(isinstance(view, CodeBlock) for view in shown) == blocks
    assert count.counts == {}
    views = widget.body.findChildren(SafeBrowser)
    assert len(views) == 2 * blocks + 1 and not any(view.styleSheet() for view in views)


def test_a_reply_s_final_render_lays_out_its_message_a_few_times_however_many_blocks_it_has(qtbot):
    """Each view shown on its own in a visible message lays out the message (and every layout above it) again:
    n views cost n layouts of n views, and the end of a long reply grew faster than the reply."""
    from message_widgets import chat_awaiting_reply

    resizes = []
    for blocks in (2, 12):
        chat, widget, reply = chat_awaiting_reply(qtbot, "Steps, please", 620, 600)
        text = "".join(f"Step {n}:\n\n```python\nprint({n})\n```\n\n" for n in range(blocks)) + "Done."
        reply.content = text
        widget.append_text(text)
        reply.record = ReplyRecord(finish_reason="eos")
        count = _EventCount(QEvent.Type.Resize)
        widget.body.installEventFilter(count)
        widget.render_final()
        shown = widget.body.text_widgets()
        qtbot.waitUntil(lambda: all(view.isVisible() for view in shown), timeout=WAIT_MS)
        widget.body.removeEventFilter(count)
        resizes.append(count.counts[QEvent.Type.Resize])
    assert max(resizes) <= 3, resizes
