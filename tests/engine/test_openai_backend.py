"""The remote backend against a real HTTP server on 127.0.0.1 that omits what many servers omit."""

from __future__ import annotations

import socket
import threading

import pytest

from engine.backend import Backend
from engine.errors import RemoteModelMissing, ServerRefusedKey, ServerUnreachable
from engine.remote.openai_backend import OpenAIBackend
from engine.runtime.conversation import Message
from engine.runtime.settings import SamplingSettings
from fake_openai import FakeOpenAI, reply_words

HI = [Message("user", "hi")]
WAIT_S = 30


@pytest.fixture
def fake():
    with FakeOpenAI() as server:
        yield server


def test_streams_a_reply_and_asks_again_without_stream_options(fake):
    backend = OpenAIBackend(fake.base_url)
    assert isinstance(backend, Backend)
    info = backend.load("fake-small")
    assert (info.name, info.server, info.provider) == ("fake-small", fake.base_url, "remote")
    reply = backend.reply(HI, SamplingSettings(temperature=0.3, top_p=0.8, max_new_tokens=50, seed=7))
    chunks = list(reply)
    assert chunks == reply_words(1, 6)
    record = reply.record
    assert (record.server, record.model, record.seed, record.finish_reason) == (fake.base_url, "fake-small", 7, "eos")
    assert record.counted_by == "client" and record.generated_tokens == 7  # one token per chunk, estimated
    assert record.notes == ["The server does not take stream_options, so it was asked without them."]
    assert len(fake.refused) == 1 and "stream_options" not in fake.requests[0]
    sent = fake.requests[0]
    assert (sent["temperature"], sent["top_p"], sent["max_tokens"], sent["seed"], sent["stream"]) == (0.3, 0.8, 50, 7, True)
    assert sent["messages"] == [{"role": "user", "content": "hi"}]
    second = backend.reply(HI, SamplingSettings())
    assert second.text() == "".join(reply_words(2, 6))
    assert len(fake.refused) == 1 and second.record.notes == []  # the refusal is remembered


def test_max_tokens_and_missing_logprobs_are_reported_not_failed(fake):
    backend = OpenAIBackend(fake.base_url)
    backend.load("")  # no name: the first model the server lists
    reply = backend.reply(HI, SamplingSettings(max_new_tokens=3), explain=5)
    assert reply.text() == "".join(reply_words(1, 3))
    assert reply.record.finish_reason == "max_tokens" and reply.steps == []
    assert fake.requests[0]["top_logprobs"] == 5 and fake.requests[0]["model"] == "fake-small"
    assert "no token probabilities" in reply.record.notes[-1]


def test_stop_from_another_thread_closes_the_http_stream(fake):
    fake.words, fake.pace_s = 5000, 0.01
    backend = OpenAIBackend(fake.base_url)
    backend.load("fake-small")
    reply = backend.reply(HI, SamplingSettings())
    three, done, received = threading.Event(), threading.Event(), []

    def consume() -> None:
        for text in reply:
            received.append(text)
            if len(received) == 3:
                three.set()
        done.set()

    threading.Thread(target=consume, daemon=True).start()
    assert three.wait(WAIT_S)
    backend.cancel()
    assert done.wait(WAIT_S) and fake.disconnected.wait(WAIT_S)
    assert reply.record.finish_reason == "cancelled"
    assert 3 <= len(received) < 5000 and fake.chunks_sent < 5000


def test_stop_before_the_server_answers_at_all(fake):
    fake.answer = False
    backend = OpenAIBackend(fake.base_url)  # the default read timeout is minutes: only Stop can end this
    backend.load("fake-small")
    reply = backend.reply(HI, SamplingSettings())
    done = threading.Event()
    threading.Thread(target=lambda: (reply.text(), done.set()), daemon=True).start()
    assert fake.received.wait(WAIT_S)
    backend.cancel()
    assert done.wait(WAIT_S)
    assert reply.record.finish_reason == "cancelled"


def test_a_server_that_stops_answering_times_out_with_a_sentence(fake):
    backend = OpenAIBackend(fake.base_url, read_timeout_s=0.5)
    backend.load("fake-small")
    fake.answer = False
    with pytest.raises(ServerUnreachable) as caught:
        backend.reply(HI, SamplingSettings()).text()
    assert caught.value.user_message == (f"The server at 127.0.0.1:{fake.base_url.split(':')[2].split('/')[0]} "
                                         "stopped answering for 0.5 s; try again, or check the server.")


def test_nothing_listening_is_one_sentence():
    with socket.socket() as probe:  # a port that was free a moment ago, and is closed now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    backend = OpenAIBackend(f"127.0.0.1:{port}")
    with pytest.raises(ServerUnreachable) as caught:
        backend.load("any")
    assert caught.value.user_message == (f"LocalChat could not reach the server at 127.0.0.1:{port}; check that it "
                                         "is running and the address is right.")


def test_keys_missing_or_wrong_get_a_sentence_each(fake):
    fake.api_key = "right"
    with pytest.raises(ServerRefusedKey, match="needs an API key"):
        OpenAIBackend(fake.base_url).list_models()
    with pytest.raises(ServerRefusedKey, match="refused the API key"):
        OpenAIBackend(fake.base_url, api_key="wrong").list_models()
    backend = OpenAIBackend(fake.base_url, api_key="right")
    backend.load("fake-large")
    assert backend.reply(HI, SamplingSettings()).text().startswith("Reply 1:")


def test_an_unknown_model_is_named(fake):
    backend = OpenAIBackend(fake.base_url)
    with pytest.raises(RemoteModelMissing) as caught:
        backend.load("no-such-model")
    assert "no model named “no-such-model”; it offers fake-small, fake-large" in caught.value.user_message
    backend.load("fake-small")
    fake.models = ("fake-large",)  # the server dropped it since
    with pytest.raises(RemoteModelMissing, match="no model named “fake-small”"):
        backend.reply(HI, SamplingSettings()).text()


def test_a_stop_that_came_before_the_reply_started_ends_it_without_waiting_for_the_server(fake):
    fake.answer = False  # a server busy loading a model: nothing comes back for minutes
    backend = OpenAIBackend(fake.base_url)
    backend.load("fake-small")
    reply = backend.reply(HI, SamplingSettings())
    backend.cancel()  # what the window's worker does when Stop was pressed before it got the request
    done = threading.Event()
    threading.Thread(target=lambda: (reply.text(), done.set()), daemon=True).start()
    assert done.wait(WAIT_S)
    assert reply.record.finish_reason == "cancelled"
