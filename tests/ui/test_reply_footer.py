"""A reply's footer (its buttons and figures) gives way on a narrow chat instead of making the message column
wider than the chat: the figures move under the buttons, then the buttons show only their icons; nothing in a
message is cut off or needs sideways scrolling at any window width the app allows, at 100 % and 200 % text."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from engine.runtime.record import ReplyRecord
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel

from layout_check import cut_off, settle, show_conversation
from ui.chat.conversation_model import ConversationTree
from ui.chat.message_widget import MessageWidget
from ui.shell.panels import MIN_WINDOW_WIDTH


def show_local_and_server_replies(window) -> None:
    """Your message, a reply written here, another message and a reply from a model on a server."""
    tree = ConversationTree()
    tree.append("user", "How do I reverse the words in a sentence in Python?")
    local = tree.append("assistant", "Split it, reverse the list and join it again:\n\n" + "a longer line of prose " * 12)
    local.record = ReplyRecord(prompt_tokens=20, generated_tokens=134, ttft_s=0.8, decode_tokens_per_s=13.8,
                               finish_reason="eos", seed=7)
    tree.append("user", "And the same from the server?")
    remote = tree.append("assistant", "Yes: " + "a longer line of prose " * 8)
    remote.record = ReplyRecord(prompt_tokens=5, generated_tokens=60, ttft_s=0.05, decode_tokens_per_s=3103.0,
                                finish_reason="max_tokens", seed=1, server="http://127.0.0.1:40961/v1",
                                model="stories260k")
    show_conversation(window, tree)


def replies_window(open_app, width: int, height: int, settings: bool = False):
    """The app's window showing both replies, at ``width`` × ``height``, Reply settings open or closed."""
    window = open_app().window
    show_local_and_server_replies(window)
    window.resize(width, height)
    window.set_settings_open(settings)
    settle()
    return window


def shows_whole(label: QLabel) -> bool:
    return label.fontMetrics().elidedText(label.text(), Qt.TextElideMode.ElideRight, label.width()) == label.text()


def outside_the_chat(window) -> list[str]:
    """Every message and every button and label shown in it that is not wholly inside the chat sideways."""
    viewport = window.chat_view.scroll.viewport()
    problems = []
    for message in window.chat_view.messages:
        shown = [w for kind in (QAbstractButton, QLabel) for w in message.findChildren(kind) if w.isVisible()]
        for part in [message, *shown]:
            left = part.mapTo(viewport, part.rect().topLeft()).x()
            if left < 0 or left + part.width() > viewport.width():
                name = part.accessibleName() or getattr(part, "text", lambda: "")()
                problems.append(f"{message.node.role}: {name!r} runs from x={left} to {left + part.width()} "
                                f"in a {viewport.width()}-px chat")
    return problems


def figures_on_their_own_line(message) -> bool:
    return message.figures_label.mapTo(message, message.figures_label.rect().topLeft()).y() \
        > message.copy_button.mapTo(message, message.copy_button.rect().bottomLeft()).y()


LAYOUTS = {"800x600 with the sidebar": (800, False), "800x600 with Reply settings": (800, True),
           "the narrowest window": (MIN_WINDOW_WIDTH, False)}


@pytest.mark.parametrize("text_scale", [1, 2], ids=["100% text", "200% text"])
@pytest.mark.parametrize("layout", LAYOUTS, ids=list(LAYOUTS))
def test_nothing_in_a_message_is_cut_off_or_scrolls_sideways(open_app, layout, text_scale):
    width, settings = LAYOUTS[layout]
    window = open_app().window
    show_local_and_server_replies(window)
    panel = window.settings_panel
    panel.set_text_size(panel.text_size() * text_scale)
    window.resize(width, 600)
    window.set_settings_open(settings)
    settle()
    assert window.width() == width and window.settings_scroll.isVisible() == settings
    if layout == "800x600 with the sidebar":
        assert not window.sidebar.collapsed
    assert outside_the_chat(window) == []
    assert window.chat_view.scroll.horizontalScrollBar().maximum() == 0
    assert cut_off(window) == []
    for reply in window.chat_view.messages[1::2]:
        assert reply.figures_label.isVisible()
        if figures_on_their_own_line(reply):
            assert shows_whole(reply.figures_label), reply.figures_label.text()


def test_on_a_short_row_the_figures_go_under_the_buttons_then_the_buttons_show_their_icons(open_app):
    window = replies_window(open_app, 800, 600)
    reply = window.chat_view.messages[3]
    assert figures_on_their_own_line(reply) and shows_whole(reply.figures_label)
    assert reply.copy_button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextOnly  # the buttons fit
    window.set_settings_open(True)  # 398 px: not even the buttons fit with their labels
    settle()
    buttons = [b for b in reply.findChildren(QAbstractButton) if b.isVisible()]
    assert [b.accessibleName() for b in buttons][-2:] == ["Show this reply's tokens", "Inspect this reply"]
    assert all(b.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly and not b.icon().isNull()
               for b in buttons)
    assert all(b.toolTip() for b in buttons)  # what an icon does is still said on hover and to a screen reader
    copy_icon = reply.copy_button.icon().pixmap(16).toImage()
    reply.copy_button.click()  # an icon-only Copy cannot say "Copied ✓": its icon turns into a tick
    assert reply.copy_button.accessibleName() == "Copied to the clipboard"
    assert reply.copy_button.icon().pixmap(16).toImage() != copy_icon


def test_a_wide_chat_keeps_buttons_and_figures_on_one_line(open_app):
    window = replies_window(open_app, 1280, 800)
    for reply in window.chat_view.messages[1::2]:
        assert not figures_on_their_own_line(reply)
        assert reply.copy_button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextOnly
    server_reply = window.chat_view.messages[3]
    assert shows_whole(server_reply.figures_label) and not shows_whole(server_reply.source_label)


def test_on_a_column_too_narrow_even_for_the_icons_the_buttons_wrap(qtbot):
    tree = ConversationTree()
    tree.append("user", "Hello")
    first = tree.append("assistant", "Hello!")
    node = tree.add_alternative(first, "Hi there")  # a second version: ‹ 2/2 › joins the buttons
    node.record = ReplyRecord(prompt_tokens=3, generated_tokens=4, ttft_s=0.1, decode_tokens_per_s=20.0,
                              finish_reason="eos", seed=3)
    message = MessageWidget(node)
    qtbot.addWidget(message)
    message.show()
    message.resize(message.minimumSizeHint().width(), 400)
    settle()
    buttons = [b for b in message.findChildren(QAbstractButton) if b.isVisible()]
    assert len({b.mapTo(message, b.rect().topLeft()).y() for b in buttons}) > 1  # on more than one line
    for part in [*buttons, message.figures_label]:
        box = part.rect().translated(part.mapTo(message, part.rect().topLeft()))
        assert message.rect().contains(box), f"{part.accessibleName()} {box.getRect()} is outside {message.rect()}"


SCALED = """
import sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
sys.path.insert(0, {support!r})
sys.path.insert(0, {tests!r})
from layout_check import cut_off, settle
from test_reply_footer import outside_the_chat, show_local_and_server_replies
from app.gui import StartOptions, build_window
window = build_window(StartOptions(temperature=0.0))  # the whole app: replies have Tokens and Inspect too
window.show()
show_local_and_server_replies(window)
window.resize(800, 600)
window.set_settings_open(True)
settle()
problems = cut_off(window) + outside_the_chat(window)
print(app.devicePixelRatio(), window.chat_view.scroll.viewport().width(), problems)
window.close()
sys.exit(1 if problems or app.devicePixelRatio() != 2 else 0)
"""


def test_nothing_in_a_message_is_cut_off_at_200_percent_scaling_with_reply_settings(tmp_path: Path):
    """QT_SCALE_FACTOR=2 is set before Qt starts, so this runs in a fresh process."""
    env = {**os.environ, "QT_SCALE_FACTOR": "2", "QT_QPA_PLATFORM": "offscreen", "LOCALCHAT_HOME": str(tmp_path)}
    here = Path(__file__).resolve().parent
    script = SCALED.format(support=str(here.parent / "support"), tests=str(here))
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120,
                            cwd=here.parents[1])
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_chat_ends_just_below_its_last_message(open_app):
    """A row's height comes from its width: a minimum as tall as the row (or its figures) wrapped at its narrowest
    would pad every message, and the chat would scroll on into empty space under the last one."""
    window = replies_window(open_app, 1280, 360)  # shorter than the messages, so the chat scrolls
    contents = window.chat_view.scroll.widget()
    assert contents.height() > window.chat_view.scroll.viewport().height()
    last = window.chat_view.messages[-1]
    below_last = contents.height() - last.mapTo(contents, last.rect().bottomLeft()).y()
    margin = window.chat_view.column.contentsMargins().bottom()
    assert below_last <= margin + 2, f"{below_last} px of chat under the last message, with a margin of {margin}"
