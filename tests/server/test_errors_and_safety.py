"""Refusals (400, 401, 404, 413) in OpenAI's error shape, API keys, CORS and the loopback default."""

from __future__ import annotations

import subprocess
import sys

import httpx
import openai
import pytest

from server_process import ROOT

HELLO = [{"role": "user", "content": "hi"}]
KEY = "test-key-123"


@pytest.fixture(scope="module")
def chat_server(start_server, chat_model):
    return start_server(chat_model, "--max-body", "4000", "--max-messages", "8", "--max-tokens", "100")


@pytest.fixture(scope="module")
def keyed_server(start_server, chat_model):
    return start_server(chat_model, "--api-key", KEY, "--cors", "http://app.example", "--log-requests")


def _error(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) >= {"message", "type", "param", "code"} and error["message"]
    return error


@pytest.mark.parametrize("field, value", [
    ("n", 2), ("tools", [{"type": "function", "function": {"name": "f"}}]), ("tool_choice", "required"),
    ("frequency_penalty", 0.5), ("presence_penalty", 1.0), ("logit_bias", {"5": 10}),
    ("response_format", {"type": "json_object"}), ("stop", ["a", "b", "c", "d", "e"]), ("stop", [""]),
    ("top_logprobs", 21), ("temperature", 3), ("top_p", 0), ("seed", -1), ("max_tokens", 0),
    ("max_tokens", 101), ("max_completion_tokens", 5000), ("stream_options", {"include_usage": True}),
    ("messages", []), ("messages", [{"role": "tool", "content": "x"}]), ("messages", [{"role": "user"}]),
    ("messages", [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]),
    ("messages", [{"role": "user", "content": "hi"}] * 9), ("logprobs", "yes"),
])
def test_unsupported_or_invalid_fields_are_400_naming_the_field(chat_server, field, value):
    body = {"model": "synthetic-chat", "messages": HELLO, field: value}
    if field == "top_logprobs":
        body["logprobs"] = True
    error = _error(chat_server.post("/v1/chat/completions", body), 400)
    assert error["type"] == "invalid_request_error"
    assert error["param"] is not None and error["param"].startswith(field)


def test_defaults_of_unsupported_fields_are_accepted(chat_server):
    body = {"model": "synthetic-chat", "messages": HELLO, "n": 1, "tools": [], "frequency_penalty": 0,
            "presence_penalty": 0, "logit_bias": {}, "response_format": {"type": "text"}, "user": "me",
            "temperature": 0}
    assert chat_server.post("/v1/chat/completions", body).status_code == 200


def test_completions_refusals(chat_server):
    assert _error(chat_server.post("/v1/completions", {"prompt": ["a", "b"]}), 400)["param"] == "prompt"
    assert _error(chat_server.post("/v1/completions", {"prompt": "a", "echo": True}), 400)["param"] == "echo"
    assert _error(chat_server.post("/v1/completions", {"prompt": "a", "best_of": 3}), 400)["param"] == "best_of"


def test_malformed_json_is_400_and_an_oversized_body_413(chat_server):
    response = httpx.post(f"{chat_server.base_url}/chat/completions", content=b'{"messages": [',
                          headers={"content-type": "application/json"})
    assert _error(response, 400)["code"] == "invalid_json"
    big = {"model": "synthetic-chat", "messages": [{"role": "user", "content": "x" * 5000}]}
    assert _error(chat_server.post("/v1/chat/completions", big), 413)["code"] == "request_too_large"

    def chunks():  # no Content-Length: the limit is enforced while reading
        for _ in range(10):
            yield b" " * 1000

    response = httpx.post(f"{chat_server.base_url}/chat/completions", content=chunks())
    assert response.status_code == 413
    assert chat_server.post("/v1/chat/completions", {"messages": HELLO, "temperature": 0}).status_code == 200


def test_wrong_method_is_an_openai_error(chat_server):
    assert _error(httpx.get(f"{chat_server.base_url}/chat/completions"), 405)


def test_api_key_required_except_for_health(keyed_server):
    url = f"{keyed_server.base_url}/chat/completions"
    body = {"messages": HELLO, "temperature": 0}
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": KEY}, {"Authorization": f"Basic {KEY}"}):
        error = _error(httpx.post(url, json=body, headers=headers), 401)
        assert error["type"] == "authentication_error"
    assert _error(httpx.get(f"{keyed_server.base_url}/models"), 401)["type"] == "authentication_error"
    assert _error(httpx.get(f"{keyed_server.root}/metrics"), 401)
    assert httpx.get(f"{keyed_server.root}/health").status_code == 200
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=keyed_server.base_url, api_key="wrong", max_retries=0).models.list()
    answer = keyed_server.client().chat.completions.create(model="synthetic-chat", messages=HELLO, temperature=0)
    assert answer.choices[0].message.content


def test_cors_preflight_without_auth_and_headers_on_streams(keyed_server):
    preflight = httpx.options(f"{keyed_server.base_url}/chat/completions", headers={
        "Origin": "http://app.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type, x-stainless-os, x-stainless-retry-count"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "http://app.example"
    allowed = {h.strip().lower() for h in preflight.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type", "x-stainless-os", "x-stainless-retry-count"} <= allowed
    other = httpx.options(f"{keyed_server.base_url}/chat/completions", headers={
        "Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in other.headers
    headers = {**keyed_server.headers(), "Origin": "http://app.example"}
    body = {"messages": HELLO, "temperature": 0, "stream": True}
    with httpx.stream("POST", f"{keyed_server.base_url}/chat/completions", json=body, headers=headers) as response:
        assert response.headers["access-control-allow-origin"] == "http://app.example"
        assert list(response.iter_lines())[-2] == "data: [DONE]"
    unauthorised = httpx.get(f"{keyed_server.base_url}/models", headers={"Origin": "http://app.example"})
    assert unauthorised.status_code == 401 and unauthorised.headers["access-control-allow-origin"]


def test_cors_is_off_by_default(chat_server):
    response = httpx.get(f"{chat_server.base_url}/models", headers={"Origin": "http://app.example"})
    assert "access-control-allow-origin" not in response.headers
    preflight = httpx.options(f"{chat_server.base_url}/chat/completions", headers={
        "Origin": "http://app.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers


def test_binding_beyond_loopback_needs_a_key(chat_model):
    result = subprocess.run([sys.executable, "-m", "app", "serve", "--model", str(chat_model), "--host", "0.0.0.0",
                             "--port", "0"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "needs an API key" in result.stderr and result.stdout == ""


def test_message_text_is_logged_only_with_the_request_log_on(chat_server, keyed_server):
    for server, logged in ((chat_server, False), (keyed_server, True)):
        body = {"messages": [{"role": "user", "content": "zebra secret"}], "temperature": 0}
        assert server.post("/v1/chat/completions", body).status_code == 200
        server.wait_idle()
        log = server.log_path.read_text()
        assert "POST /v1/chat/completions 200" in log
        assert ("zebra secret" in log) is logged
        assert ("Hello caf" in log) is logged
