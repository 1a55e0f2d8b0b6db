"""Chatting in the real window with a real engine process on the synthetic model."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt

from synthetic_model import REPLY_TEXT
from waits import WAIT_MS


def test_welcome_until_a_model_is_loaded(window):
    assert window.chat_view.currentWidget() is window.chat_view.welcome
    assert not window.composer.button.isEnabled()
    assert window.windowTitle() == "LocalChat"
    assert not window.banner.isVisible()


def test_reply_streams_into_the_assistant_message(chat, chat_model, qtbot):
    chat.load(chat_model)
    assert chat.window.windowTitle() == "LocalChat — synthetic-chat"
    qtbot.keyClicks(chat.window.composer.input, "Hi")
    qtbot.keyClick(chat.window.composer.input, Qt.Key.Key_Return)
    assert chat.controller.generating
    chat.wait_idle()
    user, reply = chat.controller.tree.active_path()
    assert (user.content, reply.content) == ("Hi", REPLY_TEXT)
    assert chat.shown_text(1) == REPLY_TEXT
    assert reply.record.finish_reason == "eos"
    status = chat.window.status.activity.text()
    assert "tokens/s" in status and f"{reply.record.generated_tokens} out · seed {reply.record.seed}" in status
    assert chat.window.status.context_meter.value() == reply.record.prompt_tokens + reply.record.generated_tokens


def test_enter_sends_and_shift_enter_adds_a_line(chat, chat_model, qtbot):
    chat.load(chat_model)
    box = chat.window.composer.input
    qtbot.keyClicks(box, "first")
    qtbot.keyClick(box, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(box, "second")
    assert box.toPlainText() == "first\nsecond"
    assert chat.messages() == []
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert box.toPlainText() == ""
    chat.wait_idle()
    assert chat.controller.tree.active_path()[0].content == "first\nsecond"


def test_stop_keeps_the_partial_reply_and_typing_goes_on(chat, counting_model, qtbot):
    chat.load(counting_model)
    chat.use(temperature=0.0, max_new_tokens=1000)
    chat.send("count", wait=False)
    reply = chat.controller.tree.active_path()[-1]
    qtbot.waitUntil(lambda: len(reply.content.split()) >= 3, timeout=WAIT_MS)  # by count, not by time
    composer = chat.window.composer
    assert composer.button.text() == "Stop"
    qtbot.keyClicks(composer.input, "next question")
    qtbot.keyClick(composer.input, Qt.Key.Key_Return)  # sending waits for the reply; typing does not
    assert composer.text() == "next question"
    composer.button.click()
    chat.wait_idle()
    reply = chat.controller.tree.active_path()[-1]
    assert reply.record.finish_reason == "cancelled"
    assert reply.content.split()[:3] == ["one", "two", "three"]
    assert len(chat.controller.tree.active_path()) == 2
    assert chat.messages()[-1].note.text() == "Stopped"
    assert composer.button.text() == "Send" and composer.text() == "next question"


def test_escape_stops_the_reply(chat, counting_model, qtbot):
    chat.load(counting_model)
    chat.use(temperature=0.0, max_new_tokens=1000)
    chat.send("count", wait=False)
    chat.wait_text()
    qtbot.keyClick(chat.window.composer.input, Qt.Key.Key_Escape)
    chat.wait_idle()
    assert chat.controller.tree.active_path()[-1].record.finish_reason == "cancelled"


def test_regenerate_keeps_both_versions(chat, chat_model, qtbot):
    chat.load(chat_model)
    chat.send("Hi")
    chat.messages()[1].action_button.click()
    chat.wait_idle()
    reply = chat.messages()[1]
    assert reply.position_label.isVisible() and reply.position_label.text() == "2/2"
    assert chat.shown_text(1) == REPLY_TEXT
    reply.previous_button.click()
    assert chat.messages()[1].position_label.text() == "1/2"
    assert chat.messages()[1].node is chat.controller.tree.active_path()[1]


def test_edit_and_resend_keeps_the_original(chat, chat_model, qtbot):
    chat.load(chat_model)
    chat.send("Hi")
    chat.messages()[0].action_button.click()
    chat.messages()[0].edit_box.setPlainText("Hello again")
    chat.messages()[0].edit_send_button.click()
    chat.wait_idle()
    path = chat.controller.tree.active_path()
    assert [n.content for n in path] == ["Hello again", REPLY_TEXT]
    assert chat.messages()[0].position_label.text() == "2/2"
    chat.messages()[0].previous_button.click()
    assert chat.messages()[0].position_label.text() == "1/2"
    assert chat.shown_text(0) == "Hi"
    assert chat.shown_text(1) == REPLY_TEXT


def test_new_chat_and_copy_last_reply_shortcuts(chat, chat_model, qtbot):
    chat.load(chat_model)
    chat.send("Hi")
    qtbot.keyClick(chat.window, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    from PySide6.QtWidgets import QApplication
    assert QApplication.clipboard().text() == REPLY_TEXT
    qtbot.keyClick(chat.window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert chat.messages() == [] and chat.controller.tree.is_empty()


def test_status_shows_exact_tokens_and_the_context_filling_while_streaming(chat, counting_model, qtbot):
    chat.load(counting_model)
    chat.use(temperature=0.0, max_new_tokens=1000)
    chat.send("count", wait=False)
    status = chat.window.status
    pattern = re.compile(r"Writing… (\d+) tokens in [\d.]+ s · [\d.]+ tokens/s")
    qtbot.waitUntil(lambda: pattern.match(status.activity.text()) is not None, timeout=WAIT_MS)
    shown = int(pattern.match(status.activity.text()).group(1))
    assert shown >= 1 and status.context_meter.value() == 2 + shown  # "count" prompt: BOS + one token
    chat.window.composer.button.click()
    chat.wait_idle()
    assert chat.controller.tree.active_path()[-1].record.generated_tokens >= shown


def test_same_seed_repeats_a_sampled_reply(chat, chat_model, qtbot):
    chat.load(chat_model)
    chat.use(temperature=1.6, top_k=0, top_p=1.0, max_new_tokens=15)  # varied replies
    chat.send("Hi")
    first = chat.controller.tree.active_path()[-1]
    widget = chat.messages()[1]
    assert widget.seed_button.isVisible() and str(first.record.seed) in widget.role_label.toolTip()
    widget.seed_button.click()
    settings = chat.window.settings_panel.settings()
    assert settings.seed == first.record.seed and settings.temperature == 1.6
    chat.messages()[1].action_button.click()  # regenerate with the reply's own seed
    chat.wait_idle()
    again = chat.controller.tree.active_path()[-1]
    assert again is not first and again.content == first.content and again.record.seed == first.record.seed
