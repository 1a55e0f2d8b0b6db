"""Cancellation stops within a token; a conversation too long for the context follows the stated policy."""

from __future__ import annotations

import threading

import pytest

from engine.runtime.conversation import Message
from engine.errors import ContextOverflow
from engine.runtime.model import load_model
from engine.runtime.prompt import PromptBuilder
from engine.runtime.session import ChatSession
from engine.runtime.settings import SamplingSettings
from synthetic_model import build_synthetic_model

COUNT = [Message("user", "count")]


def test_cancel_stops_within_one_token(plain_session):
    cancel = threading.Event()
    reply = plain_session.reply(COUNT, SamplingSettings(temperature=0, max_new_tokens=200), cancel=cancel)
    chunks = iter(reply)
    first = next(chunks)
    cancel.set()
    rest = list(chunks)
    assert first == " one" and rest == []
    assert reply.record.finish_reason == "cancelled"
    assert reply.record.generated_tokens == 1


def test_cancel_before_start_generates_nothing_and_session_stays_usable(plain_session):
    cancel = threading.Event()
    cancel.set()
    reply = plain_session.reply(COUNT, SamplingSettings(temperature=0), cancel=cancel)
    assert reply.text() == ""
    assert reply.record.finish_reason == "cancelled"
    again = plain_session.reply(COUNT, SamplingSettings(temperature=0, max_new_tokens=2))
    assert again.text() == " one two"


def test_reply_that_reaches_the_end_of_the_context_says_so(tmp_path):
    loaded = load_model(build_synthetic_model(tmp_path / "short", chat=False, context_length=48), "cpu")
    reply = ChatSession(loaded).reply(COUNT, SamplingSettings(temperature=0, max_new_tokens=5000))
    text = reply.text()
    assert text.split()[:3] == ["one", "two", "three"]
    assert reply.record.finish_reason == "context_full"
    assert reply.record.prompt_tokens + reply.record.generated_tokens == 48


def test_oldest_turns_are_dropped_after_the_system_prompt(chat_session, chat_loaded):
    long_turn = "hello there " * 12
    messages = [Message("system", "be brief")]
    for i in range(12):
        messages += [Message("user", f"{long_turn} {i}"), Message("assistant", "Hello café")]
    messages.append(Message("user", "last question"))
    settings = SamplingSettings(temperature=0, max_new_tokens=20)
    assert len(PromptBuilder(chat_loaded).encode(messages)) > chat_loaded.info.context_length
    reply = chat_session.reply(messages, settings)
    text = reply.text()
    record = reply.record
    assert text.startswith("Hello")
    assert record.dropped_messages > 0 and record.dropped_messages % 2 == 0  # whole turns
    kept = [messages[0]] + messages[1 + record.dropped_messages:]
    assert record.prompt_tokens == len(PromptBuilder(chat_loaded).encode(kept))
    assert record.prompt_tokens + 20 <= chat_loaded.info.context_length


def test_a_single_message_longer_than_the_context_is_refused_clearly(chat_session):
    huge = [Message("user", "hello there " * 300)]
    with pytest.raises(ContextOverflow) as caught:
        chat_session.reply(huge, SamplingSettings(temperature=0)).text()
    assert "too long" in caught.value.user_message
