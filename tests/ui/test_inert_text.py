"""Invisible formatting characters in model text and titles are shown, never obeyed, wherever they appear."""

from __future__ import annotations

import pytest

from engine.runtime.model import ModelInfo
from engine.runtime.record import Alternative, ReplyRecord, TokenStep
from ui.chat.conversation_model import ConversationTree
from ui.chat.message_widget import MessageWidget
from ui.chat.token_choices import TokenChoicesDialog
from ui.history.entry_delegate import SNIPPET_ROLE
from ui.history.sidebar import Sidebar, SidebarEntry
from ui.inert_text import inert_text

SPOOF = "\u202eevil.exe"
SHOWN = "<U+202E>evil.exe"


@pytest.mark.parametrize("raw, shown", [
    (SPOOF, SHOWN),
    ("a\u2066b\u2069c", "a<U+2066>b<U+2069>c"),
    ("pay\u200bpal", "pay<U+200B>pal"),
    ("\ufeffhello", "<U+FEFF>hello"),
    ("bell\x07 esc\x1b[31m", "bell\u2407 esc\u241b[31m"),
    ("del\x7f", "del\u2421"),
    ("line\r\nnext", "line\nnext"),
    ("tag\U000e0041\U000e0042", "tag<U+E0041><U+E0042>"),
])
def test_hidden_characters_become_visible_markers(raw, shown):
    assert inert_text(raw) == shown


@pytest.mark.parametrize("text", [
    "plain ascii", "tabs\tand\nnewlines", "عربى and עברית", "👨\u200d👩\u200d👧 family", "می\u200cخواهم",
    "England \U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f", "soft\u00adhyphen", "❤\ufe0f",
])
def test_real_text_is_left_alone(text):
    assert inert_text(text) == text


def message(qtbot, role: str, text: str) -> MessageWidget:
    tree = ConversationTree()
    node = tree.append(role, text)
    node.record = ReplyRecord(finish_reason="eos") if role == "assistant" else None
    widget = MessageWidget(node)
    qtbot.addWidget(widget)
    return widget


@pytest.mark.parametrize("role", ["assistant", "user"])
def test_message_views_show_the_override(qtbot, role):
    widget = message(qtbot, role, f"Download {SPOOF} now")
    assert widget.text_widgets()[0].toPlainText() == f"Download {SHOWN} now"


def test_code_blocks_and_inline_code_show_the_override(qtbot):
    widget = message(qtbot, "assistant", f"Run `{SPOOF}`:\n\n```sh\n./{SPOOF}\n```")
    prose, code = widget.text_widgets()
    assert prose.toPlainText() == f"Run {SHOWN}:"
    assert code.text.toPlainText() == f"./{SHOWN}"
    assert code.code == f"./{SPOOF}"  # Copy still copies what the model wrote


def test_streamed_text_shows_the_override(qtbot):
    tree = ConversationTree()
    tree.append("user", "hi")
    reply = tree.append("assistant")
    widget = MessageWidget(reply)
    qtbot.addWidget(widget)
    widget.append_text(f"see {SPOOF}")
    assert widget.text_widgets()[0].toPlainText() == f"see {SHOWN}"


def test_sidebar_titles_tooltips_and_snippets_show_the_override(qtbot):
    sidebar = Sidebar()
    qtbot.addWidget(sidebar)
    sidebar.show_entries([SidebarEntry(1, SPOOF, snippet=f"found {SPOOF}")], 1)
    item = sidebar.list.item(0)
    assert item.text() == SHOWN
    assert item.data(SNIPPET_ROLE) == f"found {SHOWN}"
    assert item.toolTip() == SHOWN
    assert sidebar.titles() == [SHOWN]
    sidebar.show_deleted(1, SPOOF)
    assert sidebar.undo_label.text() == f"Deleted “{SHOWN}”"


def test_window_title_shows_the_override_in_a_model_name(window):
    window._on_model_changed(ModelInfo(path="/m", name=SPOOF, model_type="llama", context_length=512,
                                       vocab_size=10, provider="cpu"))
    assert window.windowTitle() == f"LocalChat — {SHOWN}"


def test_token_choices_show_the_override(qtbot):
    step = TokenStep((Alternative(SPOOF, 0.6, 0.7, True), Alternative("\u2066x", 0.3, 0.3, False)))
    dialog = TokenChoicesDialog([step])
    qtbot.addWidget(dialog)
    assert dialog.table.item(0, 0).text() == f"“{SHOWN}”"
    assert "<U+2066>x" in dialog.table.item(0, 3).text()
