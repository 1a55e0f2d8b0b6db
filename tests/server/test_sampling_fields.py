"""Stop strings, seeds, log-probabilities and the sampling extensions, against the engine and the model's math."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from server_reference import GREEDY, chat_text, prompt_ids
from synthetic_model import EOS, REPLY_TEXT, REPLY_TOKENS, TOKEN_ID, SyntheticLM

from server_process import ROOT

HELLO = [{"role": "user", "content": "hi"}]


@pytest.fixture(scope="module")
def chat_server(start_server, chat_model):
    return start_server(chat_model)


def ask(server, stream: bool = False, **fields):
    client = server.client()
    answer = client.chat.completions.create(model="synthetic-chat", messages=fields.pop("messages", HELLO),
                                            stream=stream, **fields)
    if not stream:
        return answer.choices[0].message.content, answer.choices[0].finish_reason, answer
    chunks = list(answer)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    return text, [c.choices[0].finish_reason for c in chunks if c.choices][-1], chunks


@pytest.mark.parametrize("stop, expected, tokens", [
    ("lo ca", "Hel", 2),                       # across "Hello" and " caf"
    ("é c", "Hello caf", 5),                   # across the two bytes of é and " costs"
    (["zzz", "€ 😀"], "Hello café costs 5", 14),  # the second of two, ending on a four-byte character
])
@pytest.mark.parametrize("stream", [False, True])
def test_stop_strings_split_across_tokens_never_leak(chat_server, stop, expected, tokens, stream):
    text, finish, answer = ask(chat_server, stream, temperature=0, stop=stop,
                               stream_options={"include_usage": True} if stream else None)
    assert text == expected and finish == "stop"
    usage = answer[-1].usage if stream else answer.usage
    assert usage.completion_tokens == tokens  # the generation ended on the token that completed the stop string


def test_a_stop_string_that_only_starts_is_released(chat_server):
    for stream in (False, True):
        text, finish, _ = ask(chat_server, stream, temperature=0, stop=["costs 6", "😀!"])
        assert text == REPLY_TEXT and finish == "stop"


def test_same_seed_same_text_in_the_server_and_in_localchat_generate(chat_server, chat_model):
    fields = dict(temperature=1.0, max_tokens=15)
    texts = {seed: ask(chat_server, seed=seed, **fields)[0] for seed in (1, 2, 3, 4, 5, 6)}
    assert ask(chat_server, seed=3, **fields)[0] == texts[3]
    assert ask(chat_server, True, seed=3, **fields)[0] == texts[3]
    assert len(set(texts.values())) > 1  # sampling at temperature 1 does vary with the seed
    cli = subprocess.run([sys.executable, "-m", "app", "generate", "--model", str(chat_model), "--prompt", "hi",
                          "--temperature", "1", "--top-p", "1", "--top-k", "0", "--max-tokens", "15", "--seed", "3",
                          "--json"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(cli.stdout)["text"] == texts[3]


def test_top_k_and_repetition_penalty_extensions(chat_server, chat_model):
    settings = replace(GREEDY, temperature=0.8, top_k=2, repetition_penalty=1.3, seed=9, max_new_tokens=15)
    text, _, _ = ask(chat_server, temperature=0.8, seed=9, max_tokens=15,
                     extra_body={"top_k": 2, "repetition_penalty": 1.3})
    assert text == chat_text(chat_model, HELLO, settings)


def _reference_logprobs(chat_model) -> list[np.ndarray]:
    """log-softmax of the model's logits before each reply token (the synthetic model's numpy twin)."""
    lm, ids, rows = SyntheticLM(), prompt_ids(chat_model, HELLO), []
    for token in REPLY_TOKENS[:-1]:
        logits = lm.logits(ids).astype(np.float64)
        rows.append(logits - logits.max() - np.log(np.exp(logits - logits.max()).sum()))
        ids = ids + [TOKEN_ID[token]]
    return rows


@pytest.mark.parametrize("top", [0, 5, 20])
def test_chat_logprobs_match_the_model_and_join_to_the_content(chat_server, chat_model, top):
    text, _, answer = ask(chat_server, temperature=0, logprobs=True, top_logprobs=top)
    entries = answer.choices[0].logprobs.content
    assert "".join(e.token for e in entries) == text == REPLY_TEXT
    reference = _reference_logprobs(chat_model)
    assert len(entries) == len(reference)  # one per token, the end-of-sequence token not included
    for entry, row, token in zip(entries, reference, REPLY_TOKENS):
        assert entry.logprob == pytest.approx(row[TOKEN_ID[token]], abs=1e-4)
        assert bytes(entry.bytes) == entry.token.encode("utf-8")
        assert len(entry.top_logprobs) == top
        values = [t.logprob for t in entry.top_logprobs]
        assert values == sorted(values, reverse=True)
        assert values == pytest.approx(sorted(row, reverse=True)[:top], abs=1e-4)
        assert sum(math.exp(v) for v in values) <= 1 + 1e-6
        if top:
            assert entry.top_logprobs[0].token == entry.token and entry.top_logprobs[0].logprob == entry.logprob
    total = sum(e.logprob for e in entries)
    assert total == pytest.approx(sum(row[TOKEN_ID[t]] for row, t in zip(reference, REPLY_TOKENS)), abs=1e-3)


def test_streamed_logprobs_join_to_the_streamed_text(chat_server):
    text, _, chunks = ask(chat_server, True, temperature=0.9, seed=4, logprobs=True, top_logprobs=3, max_tokens=12)
    entries = [e for c in chunks if c.choices and c.choices[0].logprobs for e in c.choices[0].logprobs.content]
    assert "".join(e.token for e in entries) == text
    for chunk in chunks:
        if chunk.choices and chunk.choices[0].delta.content:
            assert "".join(e.token for e in chunk.choices[0].logprobs.content) == chunk.choices[0].delta.content
    assert all(e.logprob <= 0 and len(e.top_logprobs) == 3 for e in entries)
    assert all(any(t.token == e.token for t in e.top_logprobs) or e.logprob < e.top_logprobs[-1].logprob
               for e in entries)


def test_text_completion_logprobs_legacy_shape(chat_server):
    answer = chat_server.client().completions.create(model="synthetic-chat", prompt="count", max_tokens=4,
                                                     temperature=0, logprobs=2)
    choice = answer.choices[0]
    lp = choice.logprobs
    assert "".join(lp.tokens) == choice.text == " one two three four"
    assert lp.text_offset == [0, 4, 8, 14]
    assert len(lp.top_logprobs) == 4 and all(len(t) == 2 for t in lp.top_logprobs)
    assert all(top[token] == value for top, token, value in zip(lp.top_logprobs, lp.tokens, lp.token_logprobs))
    assert all(EOS != t for t in lp.tokens)
