"""Huge replies open quickly: a bounded part is shown at once, formatting stops at a budget, the rest is a click away."""

from __future__ import annotations

from message_widgets import reply_widget

from ui.chat.code_block import CodeBlock
from ui.chat.message_body import MARKDOWN_BUDGET, SHOWN_LIMIT
from ui.chat.message_widget import MessageWidget

LOG_LINE = "2026-12-01 21:40:07 INFO step done\n"


def shown_characters(widget: MessageWidget) -> int:
    return sum(len(view.text.toPlainText() if isinstance(view, CodeBlock) else view.toPlainText())
               for view in widget.text_widgets())


def test_a_two_megabyte_reply_opens_on_its_first_part_with_a_button_for_the_rest(qtbot):
    text = LOG_LINE * (2_000_000 // len(LOG_LINE))
    widget = reply_widget(qtbot, text)
    body = widget.body
    assert body.show_all_button is not None and "characters" in body.show_all_button.text()
    assert SHOWN_LIMIT // 2 < shown_characters(widget) <= SHOWN_LIMIT
    assert widget.text_widgets()[0].toPlainText().endswith("step done")  # cut at a line break
    body.show_all_button.click()
    assert body.show_all_button is None
    assert shown_characters(widget) == len(text.rstrip("\n"))


def test_prose_beyond_the_budget_is_shown_plain_with_a_note(qtbot):
    paragraph = "Some **bold** text.\n\n"
    text = paragraph * (MARKDOWN_BUDGET // len(paragraph) + 100) + "```\ncode after\n```\n\nlast **words**"
    widget = reply_widget(qtbot, text)
    views = widget.text_widgets()
    assert widget.body.note is not None and "formatted" in widget.body.note.text()
    assert "**bold**" not in views[0].toPlainText() and len(views[0].toPlainText()) > MARKDOWN_BUDGET // 2
    assert "**bold**" in views[1].toPlainText()  # beyond the budget: as written
    assert isinstance(views[2], CodeBlock) and views[2].code == "code after"
    assert views[3].toPlainText() == "last **words**"


def test_a_long_thinking_is_formatted_up_to_the_budget_and_the_rest_shown_as_written(qtbot):
    paragraph = "Some **bold** thought.\n\n"
    widget = reply_widget(qtbot, "<think>\n" + paragraph * (MARKDOWN_BUDGET // len(paragraph) + 100) + "</think>\n\nOK")
    thinking = widget.body.thinking.text.document()
    first, rest = thinking.firstBlock(), thinking.find("**bold**").block()
    assert first.text() == "Some bold thought." and thinking.lastBlock().text() == "Some **bold** thought."
    assert MARKDOWN_BUDGET // 2 < rest.position() <= MARKDOWN_BUDGET
    assert first.userState() == 1 and rest.userState() == 1 + 2 * rest.blockNumber()  # the line each comes from
