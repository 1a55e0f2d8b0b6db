"""One engine, many clients: FIFO turns, 'queued' notices, keep-alives, 429 past the queue, and disconnects
that cancel their generation (proved by the engine's token counts, not by time)."""

from __future__ import annotations

import json
import socket
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from urllib.parse import urlparse

import httpx
import pytest

from server_process import LONG_PROMPT
from server_reference import GREEDY, chat_text

MAX = 4000  # far more than any of these generations is allowed to reach


@pytest.fixture(scope="module")
def chat_server(start_server, chat_model):
    return start_server(chat_model)


@pytest.fixture(scope="module")
def long_server(start_server, long_model):
    return start_server(long_model, "--queue", "1", "--keepalive", "0.05")


def test_sixteen_concurrent_streaming_clients_all_get_their_text(chat_server, chat_model):
    prompts = [f"count {i}" if i % 2 else f"hi {i}" for i in range(16)]
    expected = {p: chat_text(chat_model, [{"role": "user", "content": p}], replace(GREEDY, max_new_tokens=24))
                for p in prompts}
    before = chat_server.metrics()

    def stream(prompt: str) -> tuple[str, str, int]:
        chunks = list(chat_server.client().chat.completions.create(
            model="synthetic-chat", messages=[{"role": "user", "content": prompt}], temperature=0, max_tokens=24,
            stream=True, stream_options={"include_usage": True}))
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        return prompt, text, chunks[-1].usage.completion_tokens

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(stream, prompts))
    assert {prompt: text for prompt, text, _ in results} == expected
    after = chat_server.wait_idle()
    assert after["requests_total"] - before["requests_total"] == 16
    assert after["tokens_predicted_total"] - before["tokens_predicted_total"] == sum(n for *_, n in results)


def _open_stream(server, messages, max_tokens: int) -> tuple[httpx.Client, httpx.Response]:
    client = httpx.Client(timeout=120)
    request = client.build_request("POST", f"{server.base_url}/chat/completions", headers=server.headers(),
                                   json={"messages": messages, "temperature": 0, "max_tokens": max_tokens,
                                         "stream": True})
    return client, client.send(request, stream=True)


def test_waiting_clients_are_told_then_refused_past_the_queue_and_a_disconnect_cancels(long_server, long_model):
    before = long_server.wait_idle()
    holder_client, holder = _open_stream(long_server, LONG_PROMPT, MAX)
    holder_lines = holder.iter_lines()
    assert next(line for line in holder_lines if '"content"' in line and '"role"' not in line)
    long_server.wait_metric("requests_processing", 1)

    waiter_client, waiter = _open_stream(long_server, [{"role": "user", "content": "hey"}], 6)
    waiter_lines = waiter.iter_lines()
    assert next(waiter_lines) == ": queued 1"
    assert next(line for line in waiter_lines if line) == ": keep-alive"  # while waiting its turn

    refused = long_server.post("/v1/chat/completions", {"messages": LONG_PROMPT, "max_tokens": 5})
    assert refused.status_code == 429 and refused.json()["error"]["type"] == "rate_limit_error"
    assert int(refused.headers["retry-after"]) >= 1

    holder.close()  # the client goes away mid-stream
    holder_client.close()
    rest = [line for line in waiter_lines if line.startswith("data: ")]
    waiter_client.close()
    chunks = [json.loads(line[6:]) for line in rest[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert text == chat_text(long_model, [{"role": "user", "content": "hey"}], replace(GREEDY, max_new_tokens=6))
    assert rest[-1] == "data: [DONE]"

    after = long_server.wait_idle()
    assert after["requests_cancelled_total"] - before["requests_cancelled_total"] == 1
    assert after["requests_rejected_total"] - before["requests_rejected_total"] == 1
    # The holder's generation was cut short: all tokens the engine made, both requests together, stay far below
    # the holder's max_tokens (it would have written ~1,700 tokens before its end-of-reply token).
    assert after["tokens_predicted_total"] - before["tokens_predicted_total"] < 1600


def test_a_non_streaming_client_that_disconnects_cancels_its_generation(long_server):
    before = long_server.wait_idle()
    address = urlparse(long_server.root)
    body = json.dumps({"messages": LONG_PROMPT, "temperature": 0, "max_tokens": MAX}).encode()
    request = (f"POST /v1/chat/completions HTTP/1.1\r\nHost: {address.netloc}\r\nContent-Type: application/json\r\n"
               f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    with socket.create_connection((address.hostname, address.port)) as sock:
        sock.sendall(request)
        long_server.wait_metric("requests_processing", 1)
    after = long_server.wait_idle()
    assert after["requests_cancelled_total"] - before["requests_cancelled_total"] == 1
    assert after["tokens_predicted_total"] - before["tokens_predicted_total"] < 1600
    # The engine is free again and answers the next request in full.
    again = long_server.post("/v1/chat/completions", {"messages": [{"role": "user", "content": "hey"}],
                                                     "temperature": 0, "max_tokens": 3})
    assert again.status_code == 200 and again.json()["usage"]["completion_tokens"] == 3
