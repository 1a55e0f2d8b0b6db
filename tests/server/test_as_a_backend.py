"""LocalChat's own server as the remote backend of another LocalChat: the full stack on both sides (the real
``localchat serve`` subprocess on the synthetic model, OpenAIBackend and ``generate --backend`` as clients).
This server sends usage, takes stream_options and returns logprobs, so nothing degrades here."""

from __future__ import annotations

import json
import math
import threading

import pytest

from app.cli import run
from engine.errors import RemoteModelMissing, ServerRefusedKey
from engine.remote.openai_backend import OpenAIBackend
from engine.runtime.conversation import Message
from engine.runtime.inprocess import InProcessBackend
from engine.runtime.record import PART_OF_CHARACTER
from engine.runtime.settings import SamplingSettings
from server_process import LONG_PROMPT
from server_reference import chat_text

HI = [Message("user", "hi")]
GREEDY = SamplingSettings(temperature=0.0, max_new_tokens=64)
WAIT_S = 60


@pytest.fixture(scope="module")
def server(start_server, chat_model):
    return start_server(chat_model, "--api-key", "sk-local")


@pytest.fixture(scope="module")
def long_server(start_server, long_model):
    return start_server(long_model)


def backend_for(server) -> OpenAIBackend:
    backend = OpenAIBackend(server.base_url, server.api_key)
    backend.load("")  # the one model it serves
    return backend


def test_a_reply_through_the_server_is_the_local_reply_with_the_servers_counts(server, chat_model):
    backend = backend_for(server)
    reply = backend.reply(HI, GREEDY)
    text = reply.text()
    assert text == chat_text(chat_model, [{"role": "user", "content": "hi"}], GREEDY)
    local = InProcessBackend()
    local.load(str(chat_model), "cpu")
    here = local.reply(HI, GREEDY)
    assert here.text() == text
    record = reply.record
    assert record.counted_by == "server" and record.notes == []  # usage came, stream_options were taken
    assert (record.prompt_tokens, record.generated_tokens) == (here.record.prompt_tokens, here.record.generated_tokens)
    assert record.finish_reason == "eos" and record.server == server.base_url


def test_the_same_seed_gives_the_same_reply_through_the_server_as_here(server, chat_model):
    sampled = SamplingSettings(temperature=1.5, top_p=0.95, top_k=20, max_new_tokens=20, seed=42)
    backend = backend_for(server)
    first, second = backend.reply(HI, sampled).text(), backend.reply(HI, sampled).text()
    local = InProcessBackend()
    local.load(str(chat_model), "cpu")
    assert first == second == local.reply(HI, sampled).text()


def test_logprobs_become_token_choices_that_join_to_the_text(server):
    reply = backend_for(server).reply(HI, GREEDY, explain=3)
    text = reply.text()
    written = [step.chosen.text for step in reply.steps]
    assert PART_OF_CHARACTER in written  # the synthetic reply has multi-byte characters ("café", "€", "😀")
    assert "".join(t for t in written if t != PART_OF_CHARACTER) == text
    for step in reply.steps:
        assert step.alternatives[0].chosen  # greedy: always the most likely
        assert 0 < sum(a.model_probability for a in step.alternatives) <= 1 + 1e-6
        assert all(math.isnan(a.drawn_probability) for a in step.alternatives)
    assert "no token probabilities" not in " ".join(reply.record.notes)


def test_the_servers_key_and_model_checks_reach_the_user_as_sentences(server):
    with pytest.raises(ServerRefusedKey, match="refused the API key"):
        OpenAIBackend(server.base_url, "sk-wrong").load("")
    with pytest.raises(RemoteModelMissing, match="no model named “gpt-4o”"):
        OpenAIBackend(server.base_url, server.api_key).load("gpt-4o")


def test_stop_cancels_the_generation_on_the_server(long_server):
    before = long_server.wait_idle()
    backend = backend_for(long_server)
    reply = backend.reply([Message(m["role"], m["content"]) for m in LONG_PROMPT],
                          SamplingSettings(temperature=0.0, max_new_tokens=4000))
    three, done = threading.Event(), threading.Event()
    seen = []

    def consume() -> None:
        for text in reply:
            seen.append(text)
            if len(seen) == 3:
                three.set()
        done.set()

    threading.Thread(target=consume, daemon=True).start()
    assert three.wait(WAIT_S)
    backend.cancel()
    assert done.wait(WAIT_S) and reply.record.finish_reason == "cancelled"
    after = long_server.wait_idle()
    assert after["requests_cancelled_total"] - before["requests_cancelled_total"] == 1
    assert after["tokens_predicted_total"] - before["tokens_predicted_total"] < 1600  # cut far short of ~1,700


def test_generate_backend_prints_what_generate_model_prints(server, chat_model, capsys):
    args = ["--prompt", "hi", "--temperature", "1.2", "--seed", "7", "--max-tokens", "12", "--json"]
    assert run(["generate", "--model", str(chat_model), "--provider", "cpu", *args]) == 0
    local = json.loads(capsys.readouterr().out)
    assert run(["generate", "--backend", server.base_url, "--api-key", "sk-local", *args]) == 0
    remote = json.loads(capsys.readouterr().out)
    assert remote["text"] == local["text"] and remote["seed"] == local["seed"] == 7
    assert (remote["counted_by"], remote["server"]) == ("server", server.base_url)
    assert (remote["prompt_tokens"], remote["generated_tokens"]) == (local["prompt_tokens"], local["generated_tokens"])
