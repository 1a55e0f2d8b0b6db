"""The conformance checks that matter most, on a trained chat model (smollm2-135m-instruct, skipped when absent):
real BPE tokens, a real chat template, multi-token words and stop strings inside them."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

import pytest

from conftest import shared_model
from server_process import ROOT
from server_reference import GREEDY, chat_text, completion_text

QUESTION = [{"role": "system", "content": "You are brief."},
            {"role": "user", "content": "What is the capital of France? Answer in one sentence."}]
NAME = "smollm2-135m-instruct"


@pytest.fixture(scope="module")
def model():
    return shared_model(NAME)


@pytest.fixture(scope="module")
def server(start_server, model):
    return start_server(model)


def _ask(server, stream=False, **fields):
    answer = server.client().chat.completions.create(model=NAME, messages=fields.pop("messages", QUESTION),
                                                     stream=stream, **fields)
    if not stream:
        return answer.choices[0].message.content, answer
    chunks = list(answer)
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices), chunks


def test_greedy_chat_matches_the_engine_streamed_or_not(server, model):
    expected = chat_text(model, QUESTION, replace(GREEDY, max_new_tokens=40))
    assert expected
    assert _ask(server, temperature=0, max_tokens=40)[0] == expected
    assert _ask(server, True, temperature=0, max_tokens=40)[0] == expected


def test_logprobs_join_to_the_content_of_real_tokens(server):
    text, answer = _ask(server, temperature=0, max_tokens=30, logprobs=True, top_logprobs=5)
    entries = answer.choices[0].logprobs.content
    assert "".join(e.token for e in entries) == text
    assert len(entries) == answer.usage.completion_tokens - (answer.choices[0].finish_reason == "stop")
    for entry in entries:
        values = [t.logprob for t in entry.top_logprobs]
        assert entry.logprob <= 0 and values == sorted(values, reverse=True)
        assert entry.top_logprobs[0].logprob == pytest.approx(entry.logprob)  # greedy: the most likely token


def test_stop_string_inside_and_across_real_tokens(server, model):
    text = chat_text(model, QUESTION, replace(GREEDY, max_new_tokens=40))
    stop = text[8:14]
    first = text.find(stop)
    for stream in (False, True):
        content, _ = _ask(server, stream, temperature=0, max_tokens=40, stop=[stop])
        assert content == text[:first]


def test_same_seed_same_text_here_and_in_localchat_generate(server, model):
    fields = dict(temperature=0.8, max_tokens=24, messages=[{"role": "user", "content": "Tell me a story."}])
    first = _ask(server, seed=123, **dict(fields))[0]
    assert _ask(server, True, seed=123, **dict(fields))[0] == first
    cli = subprocess.run([sys.executable, "-m", "app", "generate", "--model", str(model), "--prompt", "Tell me a story.",
                          "--temperature", "0.8", "--top-p", "1", "--top-k", "0", "--max-tokens", "24", "--seed", "123",
                          "--json"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(cli.stdout.strip().splitlines()[-1])["text"] == first


def test_text_completion_continues_raw_text(server, model):
    answer = server.client().completions.create(model=NAME, prompt="The capital of France is", max_tokens=12,
                                                temperature=0)
    assert answer.choices[0].text == completion_text(model, "The capital of France is", replace(GREEDY,
                                                                                               max_new_tokens=12))
