"""Where a server's answer and a typed address enter LocalChat: addresses, SSE framing, chunks to figures."""

from __future__ import annotations

import math

import pytest
from scripted_openai import SERVER_TRACEBACK, ScriptedOpenAI

from engine.errors import InvalidServerAddress, ServerFailed
from engine.remote.address import normalise_base_url, path_hint
from engine.remote.assembly import ReplyAssembly
from engine.remote.sse import data_events
from engine.runtime.record import ReplyRecord


@pytest.mark.parametrize("typed, base", [
    ("localhost:11434", "http://localhost:11434/v1"),
    ("  http://gpu-box:8000/  ", "http://gpu-box:8000/v1"),
    ("HTTPS://Example.org/v1/chat/completions", "https://example.org/v1"),
    ("http://10.0.0.5:1234/v1/models", "http://10.0.0.5:1234/v1"),
    ("http://[::1]:8080", "http://[::1]:8080/v1"),
    ("https://api.example.com/openai/v1/", "https://api.example.com/openai/v1"),
])
def test_addresses_become_base_urls(typed, base):
    assert normalise_base_url(typed) == base


@pytest.mark.parametrize("typed, sentence", [
    ("", "Type the server's address"),
    ("ftp://host", "not ftp://"),
    ("http://host:99999", "port"),
    ("http://user:secret@host", "key field"),
    ("http://host/v1?x=1", "? or #"),
    ("http:// host", "no spaces"),
])
def test_bad_addresses_get_a_sentence(typed, sentence):
    with pytest.raises(InvalidServerAddress, match=sentence.replace("?", r"\?")):
        normalise_base_url(typed)


def test_a_path_without_a_version_gets_a_hint():
    assert path_hint("http://h/v1") is None and path_hint("http://h/api/v2") is None
    assert "/v1" in path_hint("http://h/api")


def test_sse_events_skip_comments_and_join_data_lines():
    lines = [": keep-alive", "", "event: message", "data: {\"a\":", "data: 1}", "", "id: 3", "data:2", "",
             "data: [DONE]", "", "data: after done"]
    assert list(data_events(lines)) == ['{"a":\n1}', "2"]


def assembly(explain: int = 0) -> ReplyAssembly:
    return ReplyAssembly(ReplyRecord(counted_by="client"), [], explain, "h:1", started=0.0)


def test_usage_replaces_the_estimate_and_cached_tokens_count_as_reused():
    folded = assembly()
    assert folded.take({"choices": [{"delta": {"content": "Hi"}}]}) == "Hi"
    assert folded.take({"choices": [{"delta": {"content": " there"}, "finish_reason": "stop"}]}) == " there"
    assert folded.record.generated_tokens == 2 and folded.record.counted_by == "client"
    folded.take({"choices": [], "usage": {"prompt_tokens": 30, "completion_tokens": 3,
                                          "prompt_tokens_details": {"cached_tokens": 12}}})
    record = folded.record
    assert (record.prompt_tokens, record.generated_tokens, record.reused_tokens, record.counted_by,
            record.finish_reason) == (30, 3, 12, "server", "eos")


def test_logprobs_become_token_steps_with_the_chosen_token_among_them():
    folded = assembly(explain=3)
    chunk = {"choices": [{"delta": {"content": "Hi"}, "logprobs": {"content": [
        {"token": "Hi", "logprob": math.log(0.25), "top_logprobs": [
            {"token": "Hello", "logprob": math.log(0.5)}, {"token": "Hey", "logprob": math.log(0.2)}]}]}}]}
    folded.take(chunk)
    (step,) = folded.steps
    assert [a.text for a in step.alternatives] == ["Hello", "Hi", "Hey"]
    assert step.chosen.text == "Hi" and step.chosen.model_probability == pytest.approx(0.25)
    assert math.isnan(step.chosen.drawn_probability)  # the server does not say what the settings left
    assert folded.record.generated_tokens == 1 and folded.saw_logprobs


@pytest.mark.parametrize("chunk", [[1, 2], {"choices": "nope"}, {"choices": [7]}])
def test_chunks_of_the_wrong_shape_are_one_sentence_saying_what_to_check(chunk):
    with pytest.raises(ServerFailed) as caught:
        assembly().take(chunk)
    assert caught.value.user_message.endswith("not an OpenAI-compatible reply; check that the address is an "
                                              "OpenAI-compatible API.")


def test_an_error_chunk_carries_the_servers_reason():
    with pytest.raises(ServerFailed) as caught:
        assembly().take_event('{"error": {"message": "CUDA out of memory", "type": "server_error"}}')
    assert caught.value.user_message == "The server at h:1 stopped with an error: CUDA out of memory."


DEEP = "[" * 50_000 + "]" * 50_000


def test_an_event_nested_too_deep_for_python_is_one_sentence():
    with pytest.raises(ServerFailed, match="not an OpenAI-compatible reply"):
        assembly().take_event(DEEP)


def test_an_error_body_nested_too_deep_still_gives_the_status_sentence():
    from engine.remote.failures import error_for_status

    error = error_for_status(500, DEEP, "h:1", None, "/chat/completions", has_key=False)
    assert error.user_message == "The server at h:1 failed while answering (HTTP 500)."


def test_a_model_list_nested_too_deep_is_one_sentence():
    from engine.remote.openai_backend import OpenAIBackend

    with ScriptedOpenAI(models_body=DEEP.encode()) as server:
        with pytest.raises(ServerFailed, match="model list LocalChat cannot read"):
            OpenAIBackend(server.base_url).list_models()


def test_a_servers_traceback_as_its_error_message_becomes_its_last_line():
    from engine.remote.failures import error_for_status

    with pytest.raises(ServerFailed) as caught:
        assembly().take({"error": {"message": SERVER_TRACEBACK}})
    assert caught.value.user_message == "The server at h:1 stopped with an error: KeyError: 'messages'."
    body = '{"error": {"message": "Bad request:\\n  max_tokens is too large"}}'
    said = error_for_status(400, body, "h:1", None, "/chat/completions", has_key=False).user_message
    assert said == "The server at h:1 refused the request (HTTP 400): Bad request: max_tokens is too large."
