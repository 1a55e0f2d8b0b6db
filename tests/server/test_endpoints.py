"""Every endpoint answers as OpenAI's does, with the text the engine writes."""

from __future__ import annotations

import httpx
import pytest

from server_reference import chat_text, completion_text
from synthetic_model import REPLY_TEXT

HELLO = [{"role": "user", "content": "hi"}]


@pytest.fixture(scope="module")
def chat_server(start_server, chat_model):
    return start_server(chat_model)


@pytest.fixture(scope="module")
def plain_server(start_server, plain_model):
    return start_server(plain_model)


def test_health_and_models(chat_server):
    health = httpx.get(f"{chat_server.root}/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    models = chat_server.client().models.list()
    assert [m.id for m in models.data] == ["synthetic-chat"]
    assert models.data[0].object == "model"
    assert chat_server.client().models.retrieve("synthetic-chat").id == "synthetic-chat"


def test_chat_completion_has_the_engines_text_and_usage(chat_server, chat_model):
    answer = chat_server.client().chat.completions.create(model="synthetic-chat", messages=HELLO, temperature=0)
    assert answer.object == "chat.completion" and answer.id.startswith("chatcmpl-")
    choice = answer.choices[0]
    assert choice.message.role == "assistant"
    assert choice.message.content == REPLY_TEXT == chat_text(chat_model, HELLO)
    assert choice.finish_reason == "stop" and choice.logprobs is None
    assert answer.usage.completion_tokens == 15  # 14 tokens of text and the end-of-sequence token
    assert answer.usage.total_tokens == answer.usage.prompt_tokens + answer.usage.completion_tokens


def test_system_user_and_assistant_messages(chat_server, chat_model):
    messages = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "count"},
                {"role": "assistant", "content": "one two"}, {"role": "user", "content": "count"}]
    answer = chat_server.client().chat.completions.create(model="synthetic-chat", messages=messages,
                                                          temperature=0, max_tokens=12)
    expected = chat_text(chat_model, messages, _greedy(12))
    assert answer.choices[0].message.content == expected
    assert answer.choices[0].finish_reason == "length" and answer.usage.completion_tokens == 12


def test_content_parts_and_developer_role(chat_server, chat_model):
    messages = [{"role": "developer", "content": "be brief"},
                {"role": "user", "content": [{"type": "text", "text": "cou"}, {"type": "text", "text": "nt"}]}]
    answer = chat_server.client().chat.completions.create(model="synthetic-chat", messages=messages,
                                                          temperature=0, max_completion_tokens=8)
    expected = chat_text(chat_model, [{"role": "system", "content": "be brief"}, {"role": "user", "content": "count"}],
                         _greedy(8))
    assert answer.choices[0].message.content == expected and answer.usage.completion_tokens == 8


def test_cached_tokens_report_the_kv_reuse(chat_server):
    first = [{"role": "user", "content": "count to ten please"}]
    client = chat_server.client()
    reply = client.chat.completions.create(model="synthetic-chat", messages=first, temperature=0, max_tokens=5)
    follow_up = first + [{"role": "assistant", "content": reply.choices[0].message.content},
                         {"role": "user", "content": "again"}]
    again = client.chat.completions.create(model="synthetic-chat", messages=follow_up, temperature=0, max_tokens=5)
    cached = again.usage.prompt_tokens_details.cached_tokens
    assert reply.usage.prompt_tokens <= cached < again.usage.prompt_tokens


def test_text_completion_continues_the_raw_prompt(plain_server, plain_model):
    answer = plain_server.client().completions.create(model="synthetic-plain", prompt="count", max_tokens=6,
                                                      temperature=0)
    assert answer.object == "text_completion"
    assert answer.choices[0].text == completion_text(plain_model, "count", _greedy(6))
    assert answer.choices[0].text.split() == ["one", "two", "three", "four", "five", "six"]
    assert answer.choices[0].finish_reason == "length" and answer.usage.completion_tokens == 6


def test_text_completion_on_a_chat_model_skips_the_template(chat_server, chat_model):
    answer = chat_server.client().completions.create(model="synthetic-chat", prompt="count", max_tokens=4,
                                                     temperature=0)
    assert answer.choices[0].text == completion_text(chat_model, "count", _greedy(4)) == " one two three four"
    # The chat conversation still works afterwards (its KV cache was dropped, not corrupted).
    chat = chat_server.client().chat.completions.create(model="synthetic-chat", messages=HELLO, temperature=0)
    assert chat.choices[0].message.content == REPLY_TEXT


def test_unknown_model_and_route_are_404(chat_server):
    with pytest.raises(Exception) as raised:
        chat_server.client().chat.completions.create(model="gpt-4o", messages=HELLO)
    assert getattr(raised.value, "status_code", None) == 404
    assert raised.value.body["code"] == "model_not_found"
    missing = httpx.get(f"{chat_server.root}/v1/nothing-here")
    assert missing.status_code == 404 and missing.json()["error"]["type"] == "not_found_error"
    assert httpx.get(f"{chat_server.base_url}/models/gpt-4o").status_code == 404


def _greedy(tokens: int):
    from dataclasses import replace

    from server_reference import GREEDY

    return replace(GREEDY, max_new_tokens=tokens)
