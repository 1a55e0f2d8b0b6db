"""The status bar and the reply's labels say what is true for the conversation on screen."""

from __future__ import annotations

from engine.errors import LocalChatError
from engine.runtime.conversation import Message
from engine.runtime.model import load_model
from engine.runtime.session import ChatSession
from engine.runtime.settings import SamplingSettings
from waits import WAIT_MS


def context_shown(window) -> int:
    return window.status.context_meter.value()


def wait_context(app, expected_nonzero: bool = True) -> None:
    app.qtbot.waitUntil(lambda: (context_shown(app.window) > 0) == expected_nonzero, timeout=WAIT_MS)


def test_the_context_meter_shows_a_reopened_conversation_after_a_restart(open_app, chat_model):
    first = open_app()
    first.load(chat_model)
    first.send("Hi")
    used = context_shown(first.window)
    assert used > 0
    first.window.close()
    second = open_app()  # reopens the latest conversation, then loads the last model
    second.qtbot.waitUntil(lambda: second.controller.model is not None, timeout=WAIT_MS)
    wait_context(second)
    reply = second.controller.tree.active_path()[-1].content
    expected = ChatSession(load_model(str(chat_model), "cpu")).count_tokens(
        [Message("user", "Hi"), Message("assistant", reply)])  # with the template's end of the reply
    assert used <= context_shown(second.window) == expected
    assert f"context {expected} / 256" in second.window.status.context_label.text()


def test_the_context_meter_follows_conversation_switches_and_model_changes(open_app, chat_model, plain_model):
    app = open_app()
    app.load(chat_model)
    app.send("Hi")
    first_id, used = app.window.sidebar.current_id(), context_shown(app.window)
    app.window.sidebar.new_chat_requested.emit()
    app.qtbot.waitUntil(lambda: context_shown(app.window) == 0, timeout=WAIT_MS)  # a new chat uses nothing yet
    app.window.sidebar.conversation_selected.emit(first_id)
    app.qtbot.waitUntil(lambda: context_shown(app.window) == used, timeout=WAIT_MS)
    reply = app.controller.tree.active_path()[-1].content
    expected = ChatSession(load_model(str(plain_model), "cpu")).count_tokens(
        [Message("user", "Hi"), Message("assistant", reply)])
    assert expected != used  # another tokenizer and template: the old figure would be wrong
    chat_info = app.controller.model
    app.window.load_model(str(plain_model))
    app.qtbot.waitUntil(lambda: app.controller.model is not chat_info, timeout=WAIT_MS)
    app.qtbot.waitUntil(lambda: context_shown(app.window) == expected, timeout=WAIT_MS)  # counted again, not "0"
    plain_info = app.controller.model
    app.window.picker.set_provider("cpu")  # another provider loads the model again
    app.qtbot.waitUntil(lambda: app.controller.model is not plain_info, timeout=WAIT_MS)
    app.qtbot.waitUntil(lambda: context_shown(app.window) == expected, timeout=WAIT_MS)


def test_switching_conversations_clears_the_banner_and_the_previous_figures(open_app, chat_model):
    app = open_app()
    app.load(chat_model)
    app.send("Hi")
    figures = app.window.status.activity.text()
    assert figures.startswith("First token")
    app.window.banner.show_error(LocalChatError("Something went wrong."))
    app.window.sidebar.new_chat_requested.emit()
    app.qtbot.waitUntil(lambda: app.window.chat_view.messages == [], timeout=WAIT_MS)
    assert app.window.banner.isHidden()
    assert app.window.status.activity.text() == "Ready"


def test_the_first_turn_of_a_new_chat_reuses_nothing_from_the_previous_one(open_app, chat_model):
    app = open_app()
    app.load(chat_model)
    app.send("Hi")
    app.send("Hi again")
    assert app.controller.tree.active_path()[-1].record.reused_tokens > 0  # the same conversation: reused
    app.window.sidebar.new_chat_requested.emit()
    app.qtbot.waitUntil(lambda: app.window.chat_view.messages == [], timeout=WAIT_MS)
    app.send("Hi")
    record = app.controller.tree.active_path()[-1].record
    assert record.reused_tokens == 0
    assert "reused" not in app.window.status.activity.text()


def test_a_greedy_reply_offers_no_seed_even_after_a_restart(open_app, chat_model):
    app = open_app()
    app.load(chat_model)
    app.window.settings_panel.apply(SamplingSettings(temperature=0.0))
    app.send("Hi")
    reply = app.window.chat_view.messages[-1]
    assert reply.node.record.seed is not None  # the engine still reports one; it decided nothing
    assert not reply.seed_button.isVisible()
    assert "seed" not in app.window.status.activity.text() and "greedy" in app.window.status.activity.text()
    assert "Greedy" in reply.role_label.toolTip()
    app.window.close()
    again = open_app()  # reopens the conversation, then loads the last model
    again.qtbot.waitUntil(lambda: again.controller.model is not None, timeout=WAIT_MS)
    restored = again.window.chat_view.messages[-1]
    assert restored.isVisible() and restored.figures_label.isVisible()  # on screen, so the button would show
    assert restored.node.record is not None and not restored.seed_button.isVisible()


def test_a_sampled_reply_still_offers_its_seed(open_app, chat_model):
    app = open_app()
    app.load(chat_model)
    app.window.settings_panel.apply(SamplingSettings(temperature=0.8, seed=5, max_new_tokens=8))
    app.send("Hi")
    reply = app.window.chat_view.messages[-1]
    assert reply.seed_button.isVisible() and "seed 5" in app.window.status.activity.text()
