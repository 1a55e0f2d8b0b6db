"""Server-sent events exactly as the OpenAI clients parse them, checked on the raw bytes and through the client."""

from __future__ import annotations

import json

import httpx
import pytest

from server_reference import chat_text
from synthetic_model import REPLY_TEXT

HELLO = [{"role": "user", "content": "hi"}]


@pytest.fixture(scope="module")
def chat_server(start_server, chat_model):
    return start_server(chat_model)


def raw_events(server, path: str, body: dict) -> tuple[list[str], list[dict | str]]:
    """The stream's lines and its data payloads (JSON objects, or the literal [DONE])."""
    with httpx.stream("POST", f"{server.root}{path}", json=body, headers=server.headers(), timeout=120) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = list(response.iter_lines())
    payloads = [line[len("data: "):] for line in lines if line.startswith("data: ")]
    return lines, [p if p == "[DONE]" else json.loads(p) for p in payloads]


def check_framing(lines: list[str], events: list, chat: bool, usage: bool) -> list[dict]:
    """The framing rules; returns the choice chunks."""
    for line in lines:
        assert line == "" or line.startswith("data: ") or line.startswith(":"), line
    assert events[-1] == "[DONE]" and events.count("[DONE]") == 1
    chunks = events[:-1]
    assert len({c["id"] for c in chunks}) == 1
    assert all(c["object"] == ("chat.completion.chunk" if chat else "text_completion") for c in chunks)
    choice_chunks = [c for c in chunks if c["choices"]]
    finishes = [c["choices"][0]["finish_reason"] for c in choice_chunks]
    assert [f for f in finishes if f is not None] == [finishes[-1]] and finishes[-1] is not None
    if chat:
        assert choice_chunks[0]["choices"][0]["delta"]["role"] == "assistant"
        assert all("role" not in c["choices"][0]["delta"] for c in choice_chunks[1:])
    if usage:
        assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["completion_tokens"] > 0
        assert all(c["usage"] is None for c in chunks[:-1])
        assert len(choice_chunks) == len(chunks) - 1
    else:
        assert all(c["choices"] for c in chunks) and all("usage" not in c for c in chunks)
    return choice_chunks


@pytest.mark.parametrize("usage", [False, True])
def test_chat_stream_framing(chat_server, usage):
    body = {"model": "synthetic-chat", "messages": HELLO, "temperature": 0, "stream": True}
    if usage:
        body["stream_options"] = {"include_usage": True}
    lines, events = raw_events(chat_server, "/v1/chat/completions", body)
    chunks = check_framing(lines, events, chat=True, usage=usage)
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks) == REPLY_TEXT
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    if usage:
        assert events[-2]["usage"]["completion_tokens"] == 15
        assert events[-2]["usage"]["prompt_tokens_details"]["cached_tokens"] >= 0


def test_text_completion_stream_framing(chat_server):
    body = {"model": "synthetic-chat", "prompt": "count", "max_tokens": 5, "temperature": 0, "stream": True,
            "stream_options": {"include_usage": True}}
    lines, events = raw_events(chat_server, "/v1/completions", body)
    chunks = check_framing(lines, events, chat=False, usage=True)
    assert "".join(c["choices"][0]["text"] for c in chunks) == " one two three four five"
    assert chunks[-1]["choices"][0]["finish_reason"] == "length"


def test_openai_client_stream_matches_the_whole_answer(chat_server, chat_model):
    messages = [{"role": "user", "content": "count"}]
    client = chat_server.client()
    stream = client.chat.completions.create(model="synthetic-chat", messages=messages, temperature=0, max_tokens=20,
                                            stream=True, stream_options={"include_usage": True})
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == chat_text(chat_model, messages, _greedy(20))
    whole = client.chat.completions.create(model="synthetic-chat", messages=messages, temperature=0, max_tokens=20)
    assert whole.choices[0].message.content == text
    assert chunks[-1].usage.completion_tokens == whole.usage.completion_tokens


def test_failure_mid_stream_is_an_error_chunk_then_done(chat_server):
    # 250 tokens of prompt leave no room in the 256-token context: the engine refuses once the stream has begun.
    body = {"model": "synthetic-chat", "messages": [{"role": "user", "content": "one " * 250}], "stream": True,
            "max_tokens": 8}
    lines, events = raw_events(chat_server, "/v1/chat/completions", body)
    assert events[-1] == "[DONE]"
    error = events[-2]["error"]
    assert error["message"] and error["code"] == "ContextOverflow"


def _greedy(tokens: int):
    from dataclasses import replace

    from server_reference import GREEDY

    return replace(GREEDY, max_new_tokens=tokens)
