"""Markdown as models write it, rendered into the message view: what a user sees, block by block."""

from __future__ import annotations

import pytest
from message_widgets import reply_widget
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication, QPalette, QTextCursor, QTextDocument, QTextFormat, QTextListFormat

from ui.chat.code_block import CodeBlock
from ui.chat.conversation_model import ConversationTree
from ui.chat.message_widget import MessageWidget
from ui.chat.render.markdown_document import render_markdown
from ui.chat.render.plain_text import BREAK_OPPORTUNITY, breakable
from ui.chat.render.style import RenderStyle
from ui.chat.safe_text import SafeBrowser
from waits import WAIT_MS


def rendered(text: str) -> QTextDocument:
    document = QTextDocument()
    render_markdown(document, text, RenderStyle.current())
    return document


def blocks(document: QTextDocument):
    block = document.begin()
    while block.isValid():
        yield block
        block = block.next()




def format_at(document: QTextDocument, text: str):
    cursor = document.find(text)
    assert not cursor.isNull(), f"{text!r} is not shown"
    return cursor.charFormat()


def test_a_single_newline_is_a_line_break_and_a_blank_line_a_paragraph(qapp):
    document = rendered("Roses are red,\nviolets are blue.\n\nSecond paragraph.")
    lines = list(blocks(document))
    assert [block.text() for block in lines] == ["Roses are red,", "violets are blue.", "Second paragraph."]
    assert lines[0].blockFormat().bottomMargin() == 0  # a line break: the next line follows at once
    assert lines[1].blockFormat().bottomMargin() > 0  # a paragraph break: space between the paragraphs


def test_blocks_are_set_apart_by_well_over_half_a_line_at_any_text_size(qtbot):
    view = SafeBrowser()
    qtbot.addWidget(view)
    view.resize(700, 500)
    view.show()
    for points in (view.font().pointSizeF(), 20.0):  # the usual size, then a large text size
        font = view.font()
        font.setPointSizeF(points)
        view.setFont(font)
        view.set_markdown("First paragraph.\n\nSecond paragraph.\n\n- one\n- two\n\nAfter the list.")
        layout = view.document().documentLayout()
        rects = {block.text(): layout.blockBoundingRect(block) for block in blocks(view.document())}
        line = rects["First paragraph."].height()  # one line of text
        pairs = (("First paragraph.", "Second paragraph."), ("Second paragraph.", "one"), ("two", "After the list."))
        gaps = [rects[after].top() - rects[before].bottom() for before, after in pairs]
        assert min(gaps) >= 0.6 * line, (points, gaps, line)  # a visible pause between blocks, not a few pixels
        assert rects["two"].top() - rects["one"].bottom() < 0.6 * line  # the items of a tight list stay together


def test_a_ten_thousand_line_log_keeps_every_line(qapp):
    log = "\n".join(f"12:00:{i % 60:02d} INFO step {i}" for i in range(10_000))
    document = rendered(log)
    assert document.toPlainText().count("\n") == 9_999


def test_quote_has_a_visible_bar(qapp):
    document = rendered("> wise words\n> on two lines\n\nafter")
    table = next(frame for frame in document.rootFrame().childFrames())
    bar = table.cellAt(0, 0).format().background()
    base = QGuiApplication.palette().color(QPalette.ColorRole.Base)
    assert bar.style() != Qt.BrushStyle.NoBrush and abs(bar.color().lightness() - base.lightness()) >= 40
    first = table.cellAt(0, 2).firstCursorPosition().block()
    assert (first.text(), first.next().text()) == ("wise words", "on two lines")
    assert document.lastBlock().text() == "after"


def test_table_headers_are_bold_shaded_and_aligned_like_their_column(qapp):
    document = rendered("| name | size |\n| :-- | --: |\n| a | 1 |\n| bb | 22 |")
    table = next(frame for frame in document.rootFrame().childFrames())
    assert (table.rows(), table.columns()) == (3, 2)
    size_header = table.cellAt(0, 1).firstCursorPosition()
    assert size_header.block().text() == "size"
    assert size_header.blockFormat().alignment() & Qt.AlignmentFlag.AlignRight
    assert table.cellAt(2, 1).firstCursorPosition().blockFormat().alignment() & Qt.AlignmentFlag.AlignRight
    assert table.cellAt(0, 0).format().background().style() != Qt.BrushStyle.NoBrush
    assert format_at(document, "size").fontWeight() > 500
    assert format_at(document, "bb").fontWeight() < 600


def test_nested_lists_indent_and_ordered_lists_keep_their_start(qapp):
    document = rendered("- outer\n  - inner\n    - deepest\n- back\n\n3. three\n4. four")
    lists = {block.text(): block.textList() for block in blocks(document) if block.textList()}
    assert set(lists) == {"outer", "inner", "deepest", "back", "three", "four"}
    assert lists["outer"].format().indent() < lists["inner"].format().indent() < lists["deepest"].format().indent()
    assert lists["outer"] is not None and lists["back"].itemNumber(document.find("back").block()) == 1
    assert lists["three"].format().style() == QTextListFormat.Style.ListDecimal
    assert lists["three"].itemText(document.find("three").block()) == "3."


def test_task_items_show_a_ticked_or_empty_box_instead_of_a_bullet(qapp):
    document = rendered("- [x] done thing\n- [ ] open thing")
    texts = [block.text() for block in blocks(document)]
    assert texts == ["☑ done thing", "☐ open thing"]
    assert all(block.textList() is None for block in blocks(document))


def test_inline_code_is_monospace_on_a_background(qapp):
    document = rendered("call `quicksort(items)` now")
    code = format_at(document, "quicksort(items)")
    assert code.background().style() != Qt.BrushStyle.NoBrush
    assert QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont).family() in code.fontFamilies()
    assert format_at(document, "now").background().style() == Qt.BrushStyle.NoBrush


def test_images_show_their_alt_text_and_link_and_nothing_is_fetched(qtbot, monkeypatch):
    requested = []
    monkeypatch.setattr(SafeBrowser, "loadResource", lambda self, kind, url: requested.append(url) or None)
    view = SafeBrowser()
    qtbot.addWidget(view)
    view.set_markdown("See ![a cat on a mat](https://example.com/cat.png) here")
    view.resize(400, 200)
    view.show()
    qtbot.wait(20)
    assert view.toPlainText() == "See [image: a cat on a mat] https://example.com/cat.png here"
    assert format_at(view.document(), "https://example.com/cat.png").anchorHref() == "https://example.com/cat.png"
    assert requested == []


def test_raw_html_is_shown_as_text(qapp):
    document = rendered('<b>bold?</b> <img src="http://x/y.png"> <script>alert(1)</script>')
    assert document.toPlainText() == '<b>bold?</b> <img src="http://x/y.png"> <script>alert(1)</script>'


def test_headings_rules_and_emphasis(qapp):
    document = rendered("# Title\n\ntext *slanted* **bold** ~~gone~~\n\n---\n\nend")
    title = format_at(document, "Title")
    assert title.fontWeight() > 500 and title.property(QTextFormat.Property.FontSizeAdjustment) == 2
    assert format_at(document, "slanted").fontItalic()
    assert format_at(document, "gone").fontStrikeOut()
    rule = [b for b in blocks(document) if b.blockFormat().hasProperty(
        QTextFormat.Property.BlockTrailingHorizontalRulerWidth)]
    assert len(rule) == 1


def test_long_unbreakable_words_get_break_opportunities_that_copying_removes(qtbot):
    word = "x" * 1000
    assert breakable(word).replace(BREAK_OPPORTUNITY, "") == word
    assert max(len(part) for part in breakable(word).split(BREAK_OPPORTUNITY)) <= 16
    assert breakable("short words stay as they are") == "short words stay as they are"
    view = SafeBrowser()
    qtbot.addWidget(view)
    view.set_markdown(f"hash {word} end")
    view.selectAll()
    assert view.createMimeDataFromSelection().text() == f"hash {word} end"


def test_a_reply_renders_prose_and_code_blocks_in_order(qtbot):
    widget = reply_widget(qtbot, "Intro line\nsecond line\n\n```python\nprint('hi')\n```\n\n- after")
    views = widget.text_widgets()
    assert [type(view) for view in views] == [SafeBrowser, CodeBlock, SafeBrowser]
    assert views[0].toPlainText() == "Intro line\nsecond line"
    assert views[1].code == "print('hi')" and views[1].highlighted
    assert views[2].document().firstBlock().textList() is not None


def test_code_scrolls_sideways_instead_of_wrapping(qtbot):
    line = "x = " + " + ".join(str(i) for i in range(200))
    block = CodeBlock(line, "python")
    qtbot.addWidget(block)
    block.resize(400, 200)
    block.show()
    qtbot.waitUntil(lambda: block.text.horizontalScrollBar().maximum() > 0, timeout=WAIT_MS)
    assert block.text.document().blockCount() == 1
    assert block.text.document().firstBlock().layout().lineCount() == 1  # one line, not wrapped
    assert block.text.height() >= block.text.document().size().height()  # the bar does not cover the line


def test_code_line_numbers_can_be_shown(qtbot):
    block = CodeBlock("a = 1\nb = 2\nc = 3", "python")
    qtbot.addWidget(block)
    block.show()
    assert block.numbers is None
    block.numbers_button.click()
    assert block.numbers is not None and block.numbers.isVisible()
    image = block.numbers.grab().toImage()
    assert any(image.pixelColor(x, y) != image.pixelColor(0, 0) for x in range(image.width())
               for y in range(image.height()))  # numbers were painted
    block.numbers_button.click()
    assert not block.numbers.isVisible()


def test_copy_button_says_copied_then_copy_again(qtbot):
    from PySide6.QtGui import QGuiApplication

    block = CodeBlock("print(1)", "python")
    qtbot.addWidget(block)
    block._copied.setInterval(10)
    block.copy_button.click()
    assert QGuiApplication.clipboard().text() == "print(1)"
    assert block.copy_button.text() == "Copied"
    qtbot.waitUntil(lambda: block.copy_button.text() == "Copy", timeout=WAIT_MS)


def test_a_user_message_is_shown_as_written(qtbot):
    tree = ConversationTree()
    user = tree.append("user", "**not bold**\nsecond line")
    widget = MessageWidget(user)
    qtbot.addWidget(widget)
    assert widget.text_widgets()[0].toPlainText() == "**not bold**\nsecond line"


def test_cursor_positions_map_back_to_source_lines(qapp):
    document = rendered("first\n\nsecond\nline\n\n- item")
    states = [(block.text(), block.userState()) for block in blocks(document)]
    assert states == [("first", 0), ("second", 2), ("line", 3), ("item", 5)]
    assert QTextCursor(document).block().userState() == 0


def test_a_quote_or_table_right_after_a_list_is_not_numbered_as_one_of_its_items(qapp):
    for after in ("> a quote", "| a | b |\n| - | - |\n| 1 | 2 |"):
        document = rendered(f"1. first\n2. second\n\n{after}")
        table = next(frame for frame in document.rootFrame().childFrames())
        in_list = [block.text() for block in blocks(document)
                   if block.textList() is not None and table.firstPosition() - 1 <= block.position() <= table.lastPosition()]
        assert in_list == [], (after, in_list)
        assert [block.text() for block in blocks(document) if block.textList() is not None] == ["first", "second"]


@pytest.mark.parametrize("ending", ["| a | b |\n|---|---|\n| 1 | 2 |", "> a quoted line", "- an item\n\n  > quoted in it"])
def test_a_reply_that_ends_in_a_table_or_quote_has_no_empty_line_under_it(qapp, ending):
    """Qt always puts a block after a table (quotes are tables too): at the end of a reply it must take no room,
    so a paragraph after the table adds exactly what a paragraph after a paragraph adds."""
    def height(text: str) -> float:
        document = rendered(text)
        document.setTextWidth(500)
        return document.size().height()

    assert height(ending + "\n\nafter") - height(ending) == height("before\n\nafter") - height("before")
