"""Conversations are stored as they happen and come back in the sidebar and after a restart."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.storage.store import ConversationStore, default_path
from engine.runtime.settings import SamplingSettings
from synthetic_model import REPLY_TEXT
from waits import WAIT_MS


def test_sending_stores_the_message_and_the_reply_with_settings_and_stats(open_app, chat_model, store):
    app = open_app()
    app.load(chat_model)
    app.window.settings_panel.apply(SamplingSettings(temperature=0.5, top_k=7))
    app.send("Hi")
    conversation = store.list_conversations()[0]
    assert conversation.title == "Hi"
    user, reply = store.thread(conversation.id)
    assert (user.role, user.content) == ("user", "Hi")
    shown = app.controller.tree.active_path()[-1].content  # sampled at 0.5: usually, not always, REPLY_TEXT
    assert (reply.role, reply.content, reply.status) == ("assistant", shown, "done") and shown
    assert reply.model == "synthetic-chat" and reply.provider == "cpu"
    assert reply.settings["temperature"] == 0.5 and reply.settings["top_k"] == 7
    assert reply.settings["seed"] is None and reply.settings["model_path"] == str(chat_model)
    record = app.controller.tree.active_path()[-1].record
    assert reply.stats["seed"] == record.seed is not None
    assert reply.stats["generated_tokens"] == record.generated_tokens > 0
    assert reply.stats["finish_reason"] == "eos"
    assert {"prompt_tokens", "reused_tokens", "ttft_s", "decode_tokens_per_s"} <= reply.stats.keys()
    assert app.sidebar.titles() == ["Hi"]


def test_regenerate_and_edit_are_stored_as_alternatives(open_app, chat_model, store):
    app = open_app()
    app.load(chat_model)
    app.send("Hi")
    app.window.chat_view.messages[1].action_button.click()  # regenerate
    app.wait_idle()
    conversation_id = store.latest_conversation_id()
    reply = store.thread(conversation_id)[-1]
    assert (reply.alternative_index, reply.alternative_count) == (2, 2)
    assert [m.status for m in store.alternatives(reply.id)] == ["done", "done"]
    message = app.window.chat_view.messages[0]
    message.action_button.click()  # edit
    message.edit_box.setPlainText("Hello again")
    message.edit_send_button.click()
    app.wait_idle()
    user, reply = store.thread(conversation_id)
    assert (user.content, user.alternative_index, user.alternative_count) == ("Hello again", 2, 2)
    assert reply.content == REPLY_TEXT
    app.window.chat_view.messages[0].previous_button.click()  # the store follows the version shown
    assert [m.content for m in store.thread(conversation_id)] == ["Hi", REPLY_TEXT]


def test_a_restart_reopens_the_latest_conversation_with_its_versions(open_app, chat_model):
    first = open_app()
    first.load(chat_model)
    first.send("Hi")
    first.window.chat_view.messages[1].action_button.click()
    first.wait_idle()
    first.window.close()
    second = open_app()
    assert second.sidebar.titles() == ["Hi"]
    assert second.shown() == ["Hi", REPLY_TEXT]
    assert second.window.chat_view.messages[1].position_label.text() == "2/2"
    second.load(chat_model)
    second.send("More")  # continues the stored conversation
    with ConversationStore(default_path()) as store:
        assert [m.content for m in store.thread(store.latest_conversation_id())] == ["Hi", REPLY_TEXT, "More",
                                                                                  REPLY_TEXT]
        assert len(store.list_conversations()) == 1


def test_sidebar_lists_opens_searches_renames_deletes_and_undoes(open_app, store, qtbot):
    older = store.create_conversation().id
    store.add_user_message(older, "How do penguins sleep?")
    newer = store.create_conversation().id
    store.add_user_message(newer, "Plan a trip to Lisbon")
    app = open_app()
    sidebar = app.sidebar
    assert sidebar.titles() == ["Plan a trip to Lisbon", "How do penguins sleep?"]
    assert sidebar.current_id() == newer and app.shown() == ["Plan a trip to Lisbon"]
    sidebar.list.setCurrentRow(1)
    assert app.shown() == ["How do penguins sleep?"]

    app.search("penguin")
    assert sidebar.titles() == ["How do penguins sleep?"]
    app.search("no such words")
    assert sidebar.titles() == [] and sidebar.empty_label.isVisible()
    app.search("")
    assert len(sidebar.titles()) == 2

    sidebar.list.item(0).setText("Lisbon")  # what finishing the in-place editor does
    assert store.get_conversation(newer).title == "Lisbon" and sidebar.titles()[0] == "Lisbon"

    sidebar.delete_requested.emit(newer)  # the item's context menu → Delete
    assert sidebar.titles() == ["How do penguins sleep?"]
    assert sidebar.undo_bar.isVisible() and "Lisbon" in sidebar.undo_label.text()
    sidebar.undo_button.click()
    assert sidebar.titles() == ["Lisbon", "How do penguins sleep?"]
    assert app.shown() == ["Plan a trip to Lisbon"] and not sidebar.undo_bar.isVisible()


def test_new_chat_starts_a_stored_conversation_once(open_app, chat_model, store, qtbot):
    app = open_app()
    app.load(chat_model)
    app.send("Hi")
    qtbot.keyClick(app.window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert app.shown() == [] and len(store.list_conversations()) == 2
    app.sidebar.new_button.click()  # still empty: no second empty conversation
    assert len(store.list_conversations()) == 2
    app.send("Second")
    assert app.sidebar.titles() == ["Second", "Hi"]


def test_a_reply_cut_off_by_a_crash_is_shown_interrupted(open_app, store):
    conversation = store.create_conversation().id
    store.add_user_message(conversation, "count")
    reply = store.start_reply(conversation, model="m", provider="cpu", settings={})
    store.update_reply(reply.id, " one two")
    app = open_app()
    assert app.shown() == ["count", " one two"]
    assert app.window.chat_view.messages[1].note.text() == "Interrupted"
    assert store.message(reply.id).status == "interrupted"


def test_a_failed_send_is_not_shown_again(open_app, chat_model, store, monkeypatch):
    app = open_app()
    app.load(chat_model)
    panel = app.window.settings_panel
    real_settings = panel.settings
    monkeypatch.setattr(panel, "settings", lambda: SamplingSettings(temperature=5.0))  # refused by the engine
    app.send("Keep me")
    assert app.window.composer.text() == "Keep me" and app.shown() == []
    monkeypatch.setattr(panel, "settings", real_settings)
    app.send("Keep me")
    assert app.shown() == ["Keep me", REPLY_TEXT]
    app.window.close()
    again = open_app()
    assert again.shown() == ["Keep me", REPLY_TEXT]
    assert again.window.chat_view.messages[0].position_label.isHidden()


def test_a_damaged_database_is_set_aside_with_one_sentence(open_app, chat_model):
    default_path().parent.mkdir(parents=True)
    default_path().write_bytes(b"this is not a database" * 100)
    app = open_app()
    indicator = app.window.storage_indicator
    assert indicator.isVisible() and indicator.message.text().startswith("Your conversation history was damaged")
    app.load(chat_model)
    app.send("Hi")
    assert app.shown() == ["Hi", REPLY_TEXT]
    assert indicator.isVisible()  # a start-up notice outlives the first reply; it goes when dismissed
    indicator.dismiss_button.click()
    assert not indicator.isVisible()


def test_export_and_import_from_the_sidebar(open_app, chat_model, store, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    app = open_app()
    app.load(chat_model)
    app.send("Hi")
    conversation_id = app.sidebar.current_id()
    exported = {}
    for key, suffix in (("markdown", "md"), ("json", "json")):
        target = tmp_path / f"chat.{suffix}"
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, target=target: (str(target), ""))
        app.sidebar._on_export(conversation_id, key)
        exported[key] = target.read_text(encoding="utf-8")
    assert "Hi" in exported["markdown"] and REPLY_TEXT in exported["markdown"]
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args: (str(tmp_path / "chat.json"), ""))
    app.sidebar._on_import()
    app.qtbot.waitUntil(lambda: len(store.list_conversations()) == 2, timeout=WAIT_MS)
    assert app.shown() == ["Hi", REPLY_TEXT]  # the imported copy is opened
    assert app.sidebar.current_id() != conversation_id


def test_export_to_an_unwritable_place_says_so_in_one_sentence(open_app, chat_model, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    app = open_app()
    app.load(chat_model)
    app.send("Hi")
    missing = tmp_path / "no-such-folder" / "chat.md"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(missing), ""))
    app.sidebar._on_export(app.sidebar.current_id(), "markdown")
    banner = app.window.banner
    assert banner.isVisible() and "couldn't write chat.md" in banner.message.text()


def test_token_choices_and_provenance_survive_a_restart(open_app, chat_model, store):
    first = open_app()
    first.load(chat_model)
    first.window.settings_panel.choices_check.setChecked(True)
    first.send("Hi")
    written = first.controller.tree.active_path()[-1]
    assert written.steps and len(written.token_ids) == written.record.generated_tokens
    stored = store.thread(store.latest_conversation_id())[-1]
    assert stored.provenance["model_hash"] == written.provenance.model_hash and stored.tokens["ids"] == written.token_ids
    first.window.close()
    second = open_app()
    restored = second.controller.tree.active_path()[-1]
    assert restored.steps == written.steps and restored.token_ids == written.token_ids
    assert restored.provenance == written.provenance
