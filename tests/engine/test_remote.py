"""The engine process: the same replies as in-process, errors carried across, crashes survived."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from engine.runtime.conversation import Message
from engine.errors import EngineCrashed, ModelFolderMissing
from engine.process.client import EngineProcess
from engine.runtime.settings import SamplingSettings
from synthetic_model import REPLY_TEXT

GREEDY = SamplingSettings(temperature=0)


@pytest.fixture
def engine():
    process = EngineProcess()
    yield process
    process.close()


def test_reply_through_the_engine_process(engine, chat_model):
    info = engine.load(str(chat_model), "cpu")
    assert info.context_length == 256 and info.has_chat_template
    reply = engine.reply([Message("user", "hi")], GREEDY)
    assert reply.text() == REPLY_TEXT
    assert reply.record.finish_reason == "eos" and reply.record.generated_tokens == 15
    assert engine.count_tokens([Message("user", "hi")]) == reply.record.prompt_tokens


def test_errors_cross_the_process_boundary_with_their_message(engine, tmp_path, chat_model):
    with pytest.raises(ModelFolderMissing) as caught:
        engine.load(str(tmp_path / "missing"))
    assert "does not exist" in caught.value.user_message
    engine.load(str(chat_model))  # still alive and usable
    assert engine.reply([Message("user", "hi")], GREEDY).text() == REPLY_TEXT


def test_cancel_from_another_thread_stops_the_reply(engine, slow_model):
    engine.load(str(slow_model))
    plain_count = [Message("user", "count")]
    reply = engine.reply(plain_count, SamplingSettings(temperature=1.0, seed=3, max_new_tokens=3000))
    chunks = iter(reply)
    next(chunks)
    threading.Timer(0.05, engine.cancel).start()
    list(chunks)
    assert reply.record.finish_reason == "cancelled"
    assert reply.record.generated_tokens < 3000


def test_engine_killed_mid_reply_is_reported_and_restarted(engine, slow_model):
    engine.load(str(slow_model))
    reply = engine.reply([Message("user", "hi")], SamplingSettings(temperature=1.0, seed=1, max_new_tokens=3000))
    chunks = iter(reply)
    next(chunks)
    old_pid = engine.pid
    os.kill(old_pid, signal.SIGKILL)
    with pytest.raises(EngineCrashed) as caught:
        list(chunks)
    assert "restart" in caught.value.user_message
    again = engine.reply([Message("user", "hi")], GREEDY)  # restarts and reloads the model by itself
    assert again.text() == REPLY_TEXT
    assert engine.pid != old_pid


def test_token_counts_are_current_while_the_reply_streams(engine, plain_model):
    engine.load(str(plain_model))
    reply = engine.reply([Message("user", "count")], SamplingSettings(temperature=0, max_new_tokens=60))
    seen = []
    for _text in reply:
        seen.append((reply.record.prompt_tokens, reply.record.generated_tokens))
    assert all(prompt == 2 for prompt, _ in seen)
    counts = [generated for _, generated in seen]
    assert counts == sorted(counts) and counts[0] >= 1
    assert counts[-1] == reply.record.generated_tokens == 60


def test_token_choices_cross_the_process_boundary(engine, chat_model):
    engine.load(str(chat_model))
    reply = engine.reply([Message("user", "hi")], GREEDY, explain=2)
    assert reply.text() == REPLY_TEXT
    assert [step.chosen.text for step in reply.steps][:2] == [" Hello", " caf"]
    plain = engine.reply([Message("user", "hi")], GREEDY)
    plain.text()
    assert plain.steps == []
