"""Storage trouble in the window: a line that stays while messages are only in memory, export on close,
stored rows that cannot be shown, and history on a read-only disk."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

import app.history as history_module
import app.storage.store as store_module
from app.history import ChatHistory
from app.storage.importing import import_json
from app.storage.store import MEMORY_NOTICE, ConversationStore, default_path
from app.gui import StartOptions, build_window
from small_disk import full_disk_connect, mount_small_disk, remount_read_only, unmount
from synthetic_model import REPLY_TEXT
from waits import WAIT_MS

real_connect = store_module._connect


class App:
    """The whole app's window (store, sidebar, settings) and what a user does in it."""

    def __init__(self, qtbot) -> None:
        self.qtbot = qtbot
        self.window = build_window(StartOptions(temperature=0.0))
        qtbot.addWidget(self.window)
        self.window.show()
        self.sidebar = self.window.sidebar

    def load(self, path) -> None:
        self.window.load_model(str(path))
        self.qtbot.waitUntil(lambda: self.window.controller.model is not None, timeout=WAIT_MS)

    def send(self, text: str) -> None:
        self.window.composer.input.setPlainText(text)
        self.window.composer.button.click()
        self.qtbot.waitUntil(lambda: not self.window.controller.generating, timeout=WAIT_MS)

    def shown(self) -> list[str]:
        return [widget.node.content for widget in self.window.chat_view.messages]


@pytest.fixture
def open_app(qtbot):
    apps: list[App] = []

    def open_() -> App:
        apps.append(App(qtbot))
        return apps[-1]

    yield open_
    for app in apps:
        if app.window.isVisible():
            answer_dialog("discard_button", [])
            app.window.close()


def history_of(app: App) -> ChatHistory:
    return app.window.findChild(ChatHistory)


def answer_dialog(button: str, seen: list) -> None:
    """Click ``button`` of the unsaved-conversations dialog once it is up."""
    def click() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or dialog.objectName() != "unsavedDialog":
            QTimer.singleShot(20, click)
            return
        seen.append(dialog.text())
        getattr(dialog, button).click()

    QTimer.singleShot(0, click)


def fill_the_disk(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on the database file may not grow (SQLITE_FULL), as on a full disk."""
    store = history_of(app).store
    store._db.execute(f"PRAGMA max_page_count = {store._db.execute('PRAGMA page_count').fetchone()[0]}")
    monkeypatch.setattr(store_module, "_connect", full_disk_connect)  # and so may any file it opens again


def test_the_memory_only_line_stays_through_replies_and_close_offers_export(open_app, chat_model, tmp_path,
                                                                            monkeypatch):
    app = open_app()
    app.load(chat_model)
    app.send("Hi")
    fill_the_disk(app, monkeypatch)
    indicator = app.window.storage_indicator
    assert not indicator.isVisible()
    app.send("x" * 20_000)  # too long for the model, but saved first: the disk refuses it
    assert indicator.isVisible() and indicator.message.text() == MEMORY_NOTICE
    assert not indicator.dismiss_button.isVisible()  # true until it is no longer true
    app.send("Hi again")
    assert app.shown()[-2:] == ["Hi again", REPLY_TEXT]
    assert indicator.isVisible()  # a reply starting hides the error banner, not this

    seen: list[str] = []
    answer_dialog("cancel_button", seen)
    app.window.close()
    assert app.window.isVisible() and seen and "Export them before closing?" in seen[0]

    monkeypatch.setattr(history_module, "choose_folder", lambda parent: str(tmp_path))
    answer_dialog("export_button", seen)
    app.window.close()
    assert not app.window.isVisible()
    [exported] = tmp_path.glob("localchat-unsaved-*.json")
    contents = [m["content"] for m in json.loads(exported.read_text(encoding="utf-8"))["messages"]]
    assert "Hi again" in contents and REPLY_TEXT in contents  # 0 messages lost


def test_the_line_goes_once_the_disk_takes_the_chat_again(open_app, chat_model, monkeypatch):
    app = open_app()
    app.load(chat_model)
    app.send("Hi")
    fill_the_disk(app, monkeypatch)
    app.send("x" * 20_000)
    indicator = app.window.storage_indicator
    assert indicator.isVisible()
    monkeypatch.setattr(store_module, "_connect", real_connect)  # space comes back
    history_of(app)._on_retry_timeout()  # what the 10-second timer does
    assert not indicator.isVisible()
    app.window.close()
    assert not app.window.isVisible()  # nothing unsaved: no question
    with ConversationStore(default_path()) as store:
        texts = [m.content for c in store.list_conversations() for m in store.all_messages(c.id)]
    assert "x" * 20_000 in texts


def test_a_stored_reply_with_bad_figures_opens_instead_of_crashing(open_app, chat_model):
    with ConversationStore(default_path()) as store:
        import_json(store, json.dumps({
            "format": "localchat-conversation", "version": 1,
            "conversation": {"title": "Bad figures", "created_at": "2025-01-01T00:00:00+00:00"},
            "messages": [
                {"id": 1, "parent_id": None, "role": "user", "content": "Hi", "created_at": "2025-01-01"},
                {"id": 2, "parent_id": 1, "role": "assistant", "content": "Hello.", "created_at": "2025-01-01",
                 "provider": None, "stats": {"ttft_s": None, "decode_tokens_per_s": "fast", "seed": 4,
                                             "provider": None}}]}))
        # and a row written straight into the file by something else
        store._db.execute("UPDATE messages SET stats = '{\"ttft_s\": \"0.05\"', model = 7 WHERE role = 'assistant'")
    app = open_app()
    assert app.shown() == ["Hi", "Hello."]


def test_a_row_the_window_cannot_build_is_shown_as_such(open_app, chat_model, monkeypatch):
    with ConversationStore(default_path()) as store:
        conversation = store.create_conversation()
        store.add_user_message(conversation.id, "Hi")
        store.add_user_message(conversation.id, "\x00 odd")
    import ui.chat.chat_view as chat_view

    real = chat_view.MessageWidget

    def fragile(node, **kwargs):
        if "odd" in node.content:
            raise TypeError("cannot show this")
        return real(node, **kwargs)

    monkeypatch.setattr(chat_view, "MessageWidget", fragile)
    app = open_app()
    assert app.shown() == ["Hi", chat_view.UNSHOWABLE]


def test_a_read_only_disk_shows_the_stored_conversations_in_the_sidebar(open_app, tmp_path, monkeypatch):
    disk = tmp_path / "disk"
    mount_small_disk(disk, "8m")
    try:
        monkeypatch.setenv("LOCALCHAT_HOME", str(disk / "home"))
        with ConversationStore(default_path()) as store:
            conversation = store.create_conversation()
            store.add_user_message(conversation.id, "Written before the disk turned read-only")
        remount_read_only(disk)
        app = open_app()
        assert app.shown() == ["Written before the disk turned read-only"]
        titles = [app.sidebar.list.item(i).text() for i in range(app.sidebar.list.count())]
        assert any("Written before the disk" in title for title in titles)
        assert app.window.storage_indicator.isVisible()
        monkeypatch.setattr(history_module, "choose_folder", lambda parent: str(tmp_path))
        answer_dialog("discard_button", [])
        app.window.close()
    finally:
        unmount(disk)
