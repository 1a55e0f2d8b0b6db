"""A fuzz of the streams OpenAI-compatible servers send: real event streams with random damage (fixed seed).

The streams start as LocalChat's own server writes them (app/server/answers.py: a role chunk, text chunks with
log-probabilities, a finish reason, a usage chunk, ``[DONE]``; or an error event after some text).  Each case
cuts, drops, repeats or swaps lines, puts wrong types, huge values, deep nesting or binary junk into them, leaves
out ``[DONE]``, or stops and stalls mid-line; a real server on 127.0.0.1 sends it (closed, chunked, or cut inside a
chunk) and the real OpenAIBackend reads it.  Each case gives a reply, or one sentence of the engine's errors
with the text that arrived kept; a stalled stream ends in the backend's own read timeout.
"""

from __future__ import annotations

import json
import random

import pytest
from fuzzing import ODD_VALUES, assert_one_sentence, damage, mutate
from scripted_openai import FRAMINGS, MODEL, SERVER_TRACEBACK, Script, ScriptedOpenAI

from app.server.answers import Answer, sse
from engine import errors
from engine.process.generation import Candidate, Piece, TokenLogprob
from engine.remote.openai_backend import OpenAIBackend
from engine.runtime.conversation import Message
from engine.runtime.record import ReplyRecord
from engine.runtime.settings import SamplingSettings

CASES = 300
SEED = 77
READ_TIMEOUT_S = 0.5
WORDS = ["Hello", " café", " costs", " 5€", " 😀", "\n", " done."]
STREAM_VALUES = ODD_VALUES + [-1e308, 10**400, "stop", "length", "[DONE]", {"content": 5}, [{"delta": None}],
                              {"message": SERVER_TRACEBACK}, SERVER_TRACEBACK]
STREAM_KEYS = ("choices", "delta", "content", "logprobs", "usage", "finish_reason", "error", "model")


def real_stream(with_error: bool) -> tuple[bytes, str]:
    """An event stream as LocalChat's server sends it, and the reply text it carries."""
    answer = Answer(model=MODEL, chat=True, logprobs=True)
    pieces = [Piece(word, TokenLogprob(-0.1 * i, (Candidate(word, -0.1 * i, True), Candidate(" x", -2.5, False))))
              for i, word in enumerate(WORDS)]
    events = [answer.chunk([], role=True)] + [answer.chunk([piece]) for piece in pieces]
    if with_error:
        events.append({"error": {"message": "The prompt is too long for the context.", "type": "invalid_request_error",
                                 "param": None, "code": "context_length_exceeded"}})
    else:
        record = ReplyRecord(prompt_tokens=9, generated_tokens=len(WORDS), reused_tokens=2, finish_reason="eos")
        events += [answer.chunk([], finish="stop"), answer.usage_chunk(record)]
    return "".join(sse(event) for event in events + ["[DONE]"]).encode(), "".join(WORDS)


def damaged_line(line: bytes, rng: random.Random) -> bytes:
    if line.startswith(b"data: {") and rng.random() < 0.7:
        chunk = json.loads(line[6:])
        for _ in range(rng.randint(1, 3)):
            mutate(chunk, rng, STREAM_VALUES, STREAM_KEYS)
        return b"data: " + json.dumps(chunk, ensure_ascii=False).encode()
    line = line or b"data: {}"
    return rng.choice([b"data: " + b"[" * 50_000, b"data: {\"choices\": [", b"data:" + damage(line, rng),
                       b": keep-alive", b"event: error", b"data: " + b"x" * 300_000, damage(line, rng)])


def damaged_stream(stream: bytes, rng: random.Random) -> tuple[bytes, bool]:
    """The stream with one to three kinds of damage, and whether it was only cut short."""
    lines = stream.split(b"\n")
    cut_only = rng.random() < 0.2
    for _ in range(0 if cut_only else rng.randint(1, 3)):
        at = rng.randrange(len(lines))
        kind = rng.randrange(6)
        if kind == 0:
            lines.pop(at)
        elif kind == 1:
            lines.insert(at, lines[rng.randrange(len(lines))])
        elif kind == 2:
            other = rng.randrange(len(lines))
            lines[at], lines[other] = lines[other], lines[at]
        elif kind == 3:
            lines = [line for line in lines if line != b"data: [DONE]"]
        else:
            lines[at] = damaged_line(lines[at], rng)
    body = (b"\r\n" if rng.random() < 0.1 else b"\n").join(lines)
    if cut_only or rng.random() < 0.2:
        body = body[: rng.randrange(len(body))]
    return body, cut_only


@pytest.fixture
def server():
    with ScriptedOpenAI() as scripted:
        yield scripted


def test_damaged_streams_give_a_reply_or_one_sentence_with_what_arrived(server, capsys) -> None:
    rng = random.Random(SEED)
    backend = OpenAIBackend(server.base_url, read_timeout_s=READ_TIMEOUT_S)
    backend.load(MODEL)
    streams = [real_stream(with_error=False), real_stream(with_error=True)]
    tally = {"replied": 0, "failed": 0, "stalled": 0}
    for case in range(CASES):
        stream, full_text = rng.choice(streams)
        body, cut_only = damaged_stream(stream, rng)
        stall = rng.random() < 0.04
        server.play(Script(body, rng.choice(FRAMINGS), stall,
                           "application/json" if rng.random() < 0.03 else "text/event-stream"))
        arrived: list[str] = []
        reply = backend.reply([Message("user", "hi")], SamplingSettings(max_new_tokens=16, seed=case), explain=3)
        try:
            for text in reply:
                arrived.append(text)
        except errors.LocalChatError as error:
            assert type(error) is not errors.LocalChatError, error
            assert_one_sentence(error.user_message)
            tally["stalled" if stall and isinstance(error, errors.ServerUnreachable) else "failed"] += 1
        else:
            tally["replied"] += 1
            record = reply.record
            assert isinstance(record.finish_reason, str) and record.finish_reason
            assert all(isinstance(n, int) and n >= 0 for n in (record.prompt_tokens, record.generated_tokens))
            assert all(step.chosen for step in reply.steps)
        assert all(isinstance(text, str) for text in arrived)
        if cut_only:
            assert full_text.startswith("".join(arrived))  # what arrived before the cut is the reply's start
    backend.close()
    assert tally["replied"] > 15 and tally["failed"] > 100 and tally["stalled"] > 0
    print(f"\nstream fuzz: {CASES} cases, {tally['replied']} replied, {tally['failed']} ended in a sentence, "
          f"{tally['stalled']} stalled and timed out with a sentence, 0 tracebacks")
