"""While a reply streams, the user can open other conversations or start a new one; the reply goes on and is
saved in its own conversation.  What cannot happen then says why."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from engine.runtime.settings import SamplingSettings
from waits import WAIT_MS


def start_long_reply(app, counting_model) -> int:
    """Send "count" (about 90 tokens from the slow counting model) and wait for its first text."""
    app.load(counting_model)
    app.window.settings_panel.apply(SamplingSettings(temperature=0.0, max_new_tokens=1000))
    app.window.composer.input.setPlainText("count")
    app.window.composer.button.click()
    app.qtbot.waitUntil(lambda: app.controller.generating and bool(app.controller.tree.active_path()[-1].content),
                        timeout=WAIT_MS)
    return app.window.sidebar.current_id()


def test_a_new_chat_while_a_reply_streams_keeps_the_reply_going_in_its_own_conversation(open_app, counting_model,
                                                                                         store):
    app = open_app()
    counting = start_long_reply(app, counting_model)
    streaming = app.controller.tree.active_path()[-1]
    app.window.sidebar.new_button.click()
    assert app.window.chat_view.messages == []  # the new chat is on screen at once
    assert app.window.sidebar.current_id() != counting
    assert app.controller.generating  # and the reply was not stopped
    assert app.window.composer.hint.isVisible() and "another conversation" in app.window.composer.hint.text()
    app.wait_idle()
    assert streaming.record.finish_reason == "eos"
    stored = [m for m in store.all_messages(counting) if m.role == "assistant"]
    assert [m.status for m in stored] == ["done"] and stored[0].content == streaming.content
    assert stored[0].content.strip().startswith("one two three")
    assert not app.window.composer.hint.isVisible()
    app.window.sidebar.conversation_selected.emit(counting)
    app.qtbot.waitUntil(lambda: len(app.window.chat_view.messages) == 2, timeout=WAIT_MS)
    assert app.window.chat_view.messages[-1].node.content == streaming.content


def test_ctrl_n_while_a_reply_streams_opens_a_new_chat(open_app, counting_model, qtbot):
    app = open_app()
    counting = start_long_reply(app, counting_model)
    qtbot.keyClick(app.window.composer.input, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert app.window.chat_view.messages == [] and app.window.sidebar.current_id() != counting
    assert app.controller.generating  # the reply goes on in its own conversation
    app.controller.stop()
    app.wait_idle()


def test_coming_back_to_the_streaming_conversation_shows_the_reply_still_growing(open_app, counting_model, store):
    older = store.create_conversation().id
    store.add_user_message(older, "An earlier question")
    app = open_app()
    assert app.window.sidebar.current_id() == older
    app.window.sidebar.new_button.click()
    counting = start_long_reply(app, counting_model)
    assert counting != older
    app.window.sidebar.conversation_selected.emit(older)
    assert app.controller.tree is not app.controller.reply_tree
    app.window.sidebar.conversation_selected.emit(counting)
    shown = app.window.chat_view.messages[-1]
    assert app.controller.generating and shown.node is app.controller.reply_tree.active_path()[-1]
    before = len(shown.text_widgets()[0].toPlainText())
    app.qtbot.waitUntil(lambda: len(shown.text_widgets()[0].toPlainText()) > before, timeout=WAIT_MS)
    app.wait_idle()
    assert [m.status for m in store.all_messages(counting) if m.role == "assistant"] == ["done"]


def test_what_cannot_happen_during_a_reply_says_why(open_app, counting_model, qtbot, monkeypatch):
    dialogs = []  # a folder dialog opened now could only lead to stopping the reply
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *args: dialogs.append(args) or ""))
    app = open_app()
    counting = start_long_reply(app, counting_model)
    qtbot.keyClick(app.window.composer.input, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert dialogs == []  # Ctrl+O: no dialog; it says why instead
    assert app.window.banner.isVisible() and app.window.banner.is_notice
    assert "stop it" in app.window.banner.message.text()
    app.window.sidebar.delete_requested.emit(counting)
    assert "before deleting" in app.window.banner.message.text()
    app.window.composer.input.setPlainText("next question")
    qtbot.keyClick(app.window.composer.input, Qt.Key.Key_Return)
    assert app.window.composer.hint.isVisible() and app.window.composer.text() == "next question"
    regenerate = app.window.chat_view.messages[-1].action_button
    assert not regenerate.isEnabled() and "Wait for the reply" in regenerate.toolTip()
    assert app.controller.generating  # none of it stopped the reply
    app.wait_idle()
    assert app.window.composer.text() == "next question"  # nothing typed was lost
