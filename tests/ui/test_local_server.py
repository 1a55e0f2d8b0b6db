"""The "Local server" switch: the server runs inside the window's process on the window's one engine, and the
window's chat and API clients take turns, each told when it is queued."""

from __future__ import annotations

import threading
from dataclasses import replace

import httpx
import openai
import pytest

from app.server.in_window import attach_server
from engine.process.client import EngineProcess
from engine.process.shared import TurnTakingBackend
from engine.process.turns import EngineTurns
from server_reference import GREEDY, chat_text
from synthetic_model import REPLY_TEXT
from ui.engine_client import EngineClient
from ui.shell.main_window import MainWindow
from waits import WAIT_MS


@pytest.fixture
def window(qtbot):
    """The window as app/gui.py builds it: its engine shared with the local server through one set of turns."""
    engine = EngineProcess()
    shared = TurnTakingBackend(engine, EngineTurns(engine, max_waiting=8))
    window = MainWindow(EngineClient(shared))
    attach_server(window)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.server.stop()
    window.close()


@pytest.fixture
def served(chat):
    return chat, chat.window.server


def _switch_on(server, qtbot, host: str = "127.0.0.1", key: str = "") -> None:
    panel = server._panel
    panel.host.setText(host)
    panel.port.setValue(0)
    panel.key.setText(key)
    panel.top_bar_switch.check.click()


def test_the_switch_serves_the_windows_model_and_logs_each_request(served, chat_model, qtbot):
    chat, server = served
    panel = server._panel
    with httpx.Client() as probe:
        chat.load(chat_model)
        _switch_on(server, qtbot)
        assert server.running and panel.switch.isChecked() and panel.top_bar_switch.check.isChecked()
        assert panel.top_bar_switch.page_button.text() == ":" + server.url.rsplit(":", 1)[1].removesuffix("/v1")
        assert panel.state.text() == f"On · {server.url}" and not panel.copy_url.isHidden()
        assert probe.get(server.url.removesuffix("/v1") + "/health").status_code == 200
    client = openai.OpenAI(base_url=server.url, api_key="unused", max_retries=0)
    answer = client.chat.completions.create(model="synthetic-chat", messages=[{"role": "user", "content": "hi"}],
                                            temperature=0)
    assert answer.choices[0].message.content == REPLY_TEXT
    qtbot.waitUntil(lambda: "chat/completions 200" in panel.log.toPlainText(), timeout=WAIT_MS)
    assert "hi" not in panel.log.toPlainText().split("completions 200", 1)[1].split()  # no message text logged
    panel.switch.click()
    qtbot.waitUntil(lambda: panel.state.text() == "Off", timeout=WAIT_MS)
    assert not server.running
    with pytest.raises(openai.APIConnectionError):
        client.models.list()


def test_a_non_loopback_address_needs_a_key_and_the_window_says_so(served, chat_model, qtbot):
    chat, server = served
    panel = server._panel
    _switch_on(server, qtbot, host="0.0.0.0")
    assert not server.running and not panel.switch.isChecked()
    assert "set an API key first" in panel.state.text()
    assert chat.window.pages.currentWidget() is panel  # the page opens to say so
    assert panel.top_bar_switch.page_button.text() == "Needs attention" and not panel.top_bar_switch.check.isChecked()
    assert "API key is required" in panel.note.text()


def test_window_and_api_take_turns_and_each_is_told_it_is_queued(served, counting_model, qtbot):
    chat, server = served
    chat.load(counting_model)
    _switch_on(server, qtbot)
    turns = server.backend.turns
    chat.use(temperature=0.0, max_new_tokens=1000)
    chat.send("count", wait=False)
    reply = chat.controller.tree.active_path()[-1]
    qtbot.waitUntil(lambda: len(reply.content.split()) >= 3, timeout=WAIT_MS)

    # An API request while the window's chat runs: it waits (the stream says so) and runs once Stop is pressed.
    results: dict = {}

    def api_stream() -> None:
        with httpx.stream("POST", f"{server.url}/completions", timeout=60,
                          json={"prompt": "count", "max_tokens": 4, "temperature": 0, "stream": True}) as response:
            results["lines"] = list(response.iter_lines())

    thread = threading.Thread(target=api_stream)
    thread.start()
    qtbot.waitUntil(lambda: turns.waiting == 1, timeout=WAIT_MS)
    assert chat.controller.generating
    chat.window.composer.button.click()  # Stop: the window's reply, not the waiting API request
    thread.join(WAIT_MS / 1000)
    lines = results["lines"]
    assert lines[0] == ": queued 1" and lines[-2] == "data: [DONE]"
    assert "".join(line for line in lines if '"text"' in line).count('"finish_reason":"length"') == 1
    chat.wait_idle()
    assert reply.record.finish_reason == "cancelled"

    # The other way round: the window's message waits behind a long API stream and the status bar says so.
    holder = httpx.Client(timeout=60)
    response = holder.send(holder.build_request("POST", f"{server.url}/completions", json={
        "prompt": "count", "max_tokens": 1000, "temperature": 0, "stream": True}), stream=True)
    lines_iter = response.iter_lines()
    assert next(line for line in lines_iter if '"text"' in line)
    chat.send("count", wait=False)
    qtbot.waitUntil(lambda: "Queued behind the local server" in chat.window.status.activity.text(), timeout=WAIT_MS)
    response.close()  # the API client goes away: its generation is cancelled and the window's turn comes
    holder.close()
    chat.wait_idle()
    *earlier, second = chat.controller.tree.active_path()
    conversation = [{"role": m.role, "content": m.content} for m in earlier]
    assert second.content == chat_text(counting_model, conversation, replace(GREEDY, max_new_tokens=1000))
