"""The window with a server as its engine: a real HTTP server on 127.0.0.1 that omits usage, refuses
stream_options and sends no logprobs.  The whole app is built (build_window), so the engine choice, the
history and the settings file are the real ones."""

from __future__ import annotations

import json

import keyring
import pytest
from keyrings.alt.file import PlaintextKeyring

from app.gui import StartOptions, build_window
from app.storage.settings import settings_path
from app.storage.store import ConversationStore, default_path
from fake_openai import FakeOpenAI, reply_words
from waits import WAIT_MS


@pytest.fixture
def fake():
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def open_window(qtbot):
    windows = []

    def open_(**options):
        window = build_window(StartOptions(**options))
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield open_
    for window in windows:
        window.close()


def wait_model(qtbot, window, name: str) -> None:
    qtbot.waitUntil(lambda: window.controller.model is not None and window.controller.model.name == name,
                    timeout=WAIT_MS)


def send(qtbot, window, text: str, wait: bool = True) -> None:
    window.composer.input.setPlainText(text)
    window.composer.button.click()
    if wait:
        qtbot.waitUntil(lambda: not window.controller.generating, timeout=WAIT_MS)


def test_chat_streams_from_the_server_with_its_provenance(fake, open_window, qtbot):
    window = open_window(backend=fake.base_url)
    wait_model(qtbot, window, "fake-small")  # no --remote-model: the first the server lists
    assert window.engine_button.text() == f"Engine: {fake.base_url.split('/')[2]}"
    assert not window.picker.provider_combo.isVisible()  # folders and providers belong to this computer
    send(qtbot, window, "hi")
    reply = window.chat_view.messages[1]
    assert reply.node.content == "".join(reply_words(1, 6)), (reply.node.record.finish_reason, fake.requests[0]["max_tokens"])
    assert reply.source_label.isVisible() and reply.source_label.text() == f"· fake-small on {fake.base_url.split('/')[2]}"
    assert "client-side estimate" in reply.role_label.toolTip() and fake.base_url in reply.role_label.toolTip()
    assert "does not take stream_options" in reply.note.text()  # degraded with a note, not an error
    assert "client-side estimate" in window.status.activity.text()
    assert not window.banner.isVisible()
    stored = [m for m in ConversationStore(default_path()).all_messages(_conversation(window))
              if m.role == "assistant"]
    assert stored[0].model == "fake-small" and stored[0].provider == "remote"
    assert stored[0].settings["server"] == fake.base_url
    assert (stored[0].stats["server"], stored[0].stats["counted_by"]) == (fake.base_url, "client")


def _conversation(window) -> int:
    from app.history import ChatHistory

    return window.findChild(ChatHistory).conversation_id


def test_regenerate_and_edit_go_to_the_server_and_history_keeps_where_each_came_from(fake, open_window, qtbot):
    window = open_window(backend=fake.base_url, remote_model="fake-large")
    wait_model(qtbot, window, "fake-large")
    send(qtbot, window, "hi")
    window.chat_view.messages[1].action_button.click()  # Regenerate
    qtbot.waitUntil(lambda: not window.controller.generating, timeout=WAIT_MS)
    assert window.chat_view.messages[1].node.content == "".join(reply_words(2, 6))
    assert window.chat_view.messages[1].position_label.text() == "2/2"
    window.chat_view.messages[0].action_button.click()  # Edit
    window.chat_view.messages[0].edit_box.setPlainText("hello again")
    window.chat_view.messages[0].edit_send_button.click()
    qtbot.waitUntil(lambda: not window.controller.generating, timeout=WAIT_MS)
    assert [m["messages"][-1]["content"] for m in fake.requests] == ["hi", "hi", "hello again"]
    conversation = _conversation(window)
    window.close()
    reopened = open_window(backend=fake.base_url, remote_model="fake-large")  # history reopens the last chat
    wait_model(qtbot, reopened, "fake-large")
    reply = reopened.chat_view.messages[1]
    assert reply.node.content == "".join(reply_words(3, 6)) and reply.node.record.server == fake.base_url
    assert reply.source_label.text().startswith("· fake-large on ")
    assert _conversation(reopened) == conversation


def test_stop_closes_the_stream_and_keeps_the_partial_reply(fake, open_window, qtbot):
    fake.words, fake.pace_s = 5000, 0.01
    window = open_window(backend=fake.base_url)
    wait_model(qtbot, window, "fake-small")
    send(qtbot, window, "go on", wait=False)
    reply = window.controller.tree.active_path()[-1]
    qtbot.waitUntil(lambda: len(reply.content.split()) >= 4, timeout=WAIT_MS)  # by count, not by time
    window.composer.button.click()  # Stop
    qtbot.waitUntil(lambda: not window.controller.generating, timeout=WAIT_MS)
    assert fake.disconnected.wait(WAIT_MS / 1000)  # the server saw the client go
    assert reply.record.finish_reason == "cancelled" and reply.content.startswith("Reply 1: alpha bravo")
    assert window.chat_view.messages[-1].note.text().startswith("Stopped")
    assert fake.chunks_sent < 5000


def test_a_server_that_went_away_gives_one_sentence_and_keeps_what_was_typed(fake, open_window, qtbot):
    window = open_window(backend=fake.base_url)
    wait_model(qtbot, window, "fake-small")
    fake.__exit__()  # the server stops; the window still thinks it is there
    send(qtbot, window, "my carefully written question")
    assert window.banner.isVisible()
    host = fake.base_url.split("/")[2]
    assert window.banner.message.text() == (f"LocalChat could not reach the server at {host}; check that it is "
                                            "running and the address is right.")
    assert window.composer.text() == "my carefully written question"
    assert window.chat_view.messages == []


def test_the_engine_panel_tests_the_connection_and_switches_with_a_visible_key_warning(fake, open_window, qtbot):
    fake.api_key = "sk-test"
    window = open_window()
    panel = window.engine_panel
    window.engine_button.click()
    panel.server_radio.setChecked(True)
    assert panel.key_warning.isVisible()  # no keyring works on this headless machine
    panel.url_edit.setText(fake.base_url.removesuffix("/v1") + "/")
    panel.test_button.click()
    qtbot.waitUntil(lambda: panel.failure.isVisible(), timeout=WAIT_MS)
    assert "needs an API key" in panel.failure.message.text()
    assert panel.url_edit.text() == fake.base_url  # normalised: /v1 added
    panel.key_edit.setText("sk-test")
    panel.test_button.click()
    qtbot.waitUntil(lambda: panel.model_combo.count() == 2, timeout=WAIT_MS)
    assert panel.test_status.text() == "✓ Connected: 2 models"
    panel.model_combo.setCurrentIndex(1)
    panel.use_button.click()
    wait_model(qtbot, window, "fake-large")
    saved = json.loads(settings_path().read_text())
    assert (saved["engine"], saved["server_url"], saved["server_model"], saved["server_key"]) == (
        "server", fake.base_url, "fake-large", "sk-test")
    send(qtbot, window, "hi")
    assert window.chat_view.messages[1].node.content == "".join(reply_words(1, 6))
    window.close()
    again = open_window()  # the saved choice is the engine next time
    wait_model(qtbot, again, "fake-large")
    again.engine_button.click()
    again.engine_panel.local_radio.setChecked(True)
    again.engine_panel.use_button.click()
    qtbot.waitUntil(lambda: again.controller.model is None, timeout=WAIT_MS)
    assert again.picker.provider_combo.isVisible() and again.engine_button.text() == "Engine: this computer"
    assert json.loads(settings_path().read_text())["engine"] == "local"


class FileKeyring(PlaintextKeyring):
    """keyrings.alt's real file backend, ranked as an OS store would be (its own rank is below 1)."""

    priority = 1


def test_with_a_keyring_the_key_stays_out_of_the_settings_file(fake, open_window, qtbot, tmp_path):
    store = FileKeyring()  # writes to a file of this test's own
    store.file_path = str(tmp_path / "keyring.cfg")
    previous = keyring.get_keyring()
    keyring.set_keyring(store)
    try:
        fake.api_key = "sk-secret"
        window = open_window()
        panel = window.engine_panel
        panel.server_radio.setChecked(True)
        assert not panel.key_warning.isVisible()
        panel.set_choice(panel.choice().__class__(True, fake.base_url, "sk-secret", "fake-small"))
        panel.use_button.click()
        wait_model(qtbot, window, "fake-small")
        assert json.loads(settings_path().read_text())["server_key"] == ""
        assert store.get_password("LocalChat", fake.base_url) == "sk-secret"
        window.close()
        again = open_window()  # the key comes back from the keyring
        wait_model(qtbot, again, "fake-small")
    finally:
        keyring.set_keyring(previous)


@pytest.fixture(scope="module")
def localchat_server(tmp_path_factory, chat_model):
    """LocalChat's own server (``localchat serve`` as a subprocess) on the synthetic chat model."""
    from server_process import RunningServer

    server = RunningServer(chat_model, tmp_path_factory.mktemp("served-home"), "--api-key", "sk-local")
    yield server
    server.stop()


def test_against_localchat_serve_the_figures_are_the_servers_and_token_choices_appear(localchat_server, open_window,
                                                                                      qtbot):
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QLabel

    from synthetic_model import REPLY_TEXT
    from ui.inspect.token_view import TokenView

    window = open_window(backend=localchat_server.base_url, api_key="sk-local", temperature=0.0)
    qtbot.waitUntil(lambda: window.controller.model is not None, timeout=WAIT_MS)
    window.settings_panel.choices_check.setChecked(True)
    send(qtbot, window, "hi")
    reply = window.chat_view.messages[1]
    assert reply.node.content == REPLY_TEXT
    assert reply.node.record.counted_by == "server" and "token counts from the server" in reply.role_label.toolTip()
    assert "estimate" not in reply.figures_label.text() and not reply.note.isVisible()
    qtbot.waitUntil(lambda: reply.findChild(TokenView) is not None, timeout=WAIT_MS)  # Show tokens is on
    view = reply.findChild(TokenView)
    assert len(view.steps) == len(reply.node.steps) > 0
    popover = view.show_popover(0, QPoint(0, 0))
    texts = [label.text() for label in popover.findChildren(QLabel)]
    assert any("“Hello”" in text for text in texts) and "—" in texts  # the server gives no chance after settings
    popover.close()

