"""Settings reach the engine; failures show in the banner and the window keeps working."""

from __future__ import annotations

import os
import signal
import time

import pytest

from engine.errors import EngineCrashed
from engine.runtime.settings import SamplingSettings
from synthetic_model import REPLY_TEXT
from waits import WAIT_MS


def test_max_tokens_field_limits_the_reply(chat, chat_model):
    chat.load(chat_model)
    field = chat.window.settings_panel.fields["max_new_tokens"]
    assert field.spin.maximum() == 256  # the model's context
    chat.use(temperature=0.0)
    field.spin.setValue(3)
    chat.send("Hi")
    record = chat.controller.tree.active_path()[-1].record
    assert (record.generated_tokens, record.finish_reason) == (3, "max_tokens")
    assert chat.messages()[-1].note.text() == "Reached the max new tokens limit"


def test_fixed_seed_repeats_a_sampled_reply(chat, chat_model):
    chat.load(chat_model)
    chat.use(temperature=2.0, top_k=0, top_p=1.0, seed=7, max_new_tokens=12)
    assert chat.window.settings_panel.settings().seed == 7
    chat.send("Hi")
    first = chat.controller.tree.active_path()[-1]
    chat.messages()[-1].action_button.click()  # regenerate
    chat.wait_idle()
    second = chat.controller.tree.active_path()[-1]
    assert first is not second and first.record.seed == second.record.seed == 7
    assert first.content == second.content


def test_broken_model_folder_shows_a_banner_and_the_app_stays_usable(chat, chat_model, tmp_path, qtbot):
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "genai_config.json").write_text("{ not json", encoding="utf-8")
    chat.window.load_model(str(broken))
    qtbot.waitUntil(chat.window.banner.isVisible, timeout=WAIT_MS)
    assert "cannot be read" in chat.window.banner.message.text()
    assert chat.window.chat_view.currentWidget() is chat.window.chat_view.welcome
    assert not chat.window.composer.button.isEnabled()
    chat.load(chat_model)
    assert not chat.window.banner.isVisible()
    chat.send("Hi")
    assert chat.controller.tree.active_path()[-1].content == REPLY_TEXT


def test_engine_killed_mid_reply_is_survived(chat, counting_model, qtbot):
    chat.load(counting_model)
    chat.use(temperature=0.0, max_new_tokens=1000)
    failures = []
    chat.controller.failed.connect(failures.append)
    chat.send("count", wait=False)
    chat.wait_text()
    os.kill(chat.window.client.engine_pid, signal.SIGKILL)
    chat.wait_idle()
    assert isinstance(failures[-1], EngineCrashed)
    assert chat.window.banner.isVisible()
    assert chat.window.banner.message.text() == failures[-1].user_message
    reply = chat.controller.tree.active_path()[-1]
    assert reply.interrupted and reply.content.split()[0] == "one"
    assert chat.messages()[-1].note.text() == "Interrupted"
    with qtbot.waitSignal(chat.window.client.engine_restarted, timeout=WAIT_MS):
        chat.use(temperature=0.0, max_new_tokens=5)
        chat.send("count")
    assert chat.controller.tree.active_path()[-1].record.finish_reason == "max_tokens"


def test_a_failed_send_puts_the_message_back_in_the_composer(chat, chat_model, monkeypatch):
    chat.load(chat_model)
    # Out of range, so the engine refuses it before writing anything.
    monkeypatch.setattr(chat.window.settings_panel, "settings", lambda: SamplingSettings(temperature=5.0))
    chat.send("Keep me")
    assert "Temperature" in chat.window.banner.message.text()
    assert chat.controller.tree.is_empty() and chat.messages() == []
    assert chat.window.composer.text() == "Keep me"


def test_closing_while_a_reply_streams_stops_the_engine_quickly(chat, counting_model):
    chat.load(counting_model)
    chat.use(temperature=0.0, max_new_tokens=1000)
    chat.send("count", wait=False)
    chat.wait_text()
    pid = chat.window.client.engine_pid
    started = time.perf_counter()
    chat.window.close()
    assert time.perf_counter() - started < 5
    assert chat.window.client.engine_pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_failed_load_leaves_no_stale_model_or_context_in_the_status_bar(chat, chat_model, tmp_path, qtbot):
    chat.load(chat_model)
    status = chat.window.status
    assert status.context_label.isVisible() and "synthetic-chat" in status.model_label.text()
    chat.window.load_model(str(tmp_path / "missing"))
    qtbot.waitUntil(lambda: chat.window.banner.isVisible(), timeout=WAIT_MS)
    assert status.activity.text() == "No model loaded"
    assert not status.context_label.isVisible() and not status.context_meter.isVisible()
    assert status.model_label.text() == ""
