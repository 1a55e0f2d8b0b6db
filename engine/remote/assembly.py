"""Chat-completion chunks from a server, folded into text, a ReplyRecord and token steps.

This is where a server's answer enters LocalChat, so every field is checked for its type here; a chunk
that is not an OpenAI-compatible one raises ServerFailed.  Figures: timings are always measured here
(time to first token as this client saw it); token counts come from the server's ``usage`` when it sends
one (``counted_by`` "server"), otherwise from the logprobs (one entry per token) or one token per chunk,
with the prompt at about four characters a token (``counted_by`` "client": a client-side estimate).
"""

from __future__ import annotations

import json
import math
import time
from typing import Any

from engine.errors import ServerFailed
from engine.remote.failures import one_line
from engine.runtime.record import PART_OF_CHARACTER, Alternative, ReplyRecord, TokenStep

CHARS_PER_TOKEN = 4  # the usual rule of thumb for English text; only used when the server sends no usage
FINISH_REASONS = {"stop": "eos", "length": "max_tokens", "eos": "eos", "tool_calls": "eos", "function_call": "eos"}


def estimate_tokens(text: str) -> int:
    return max(1, round(len(text) / CHARS_PER_TOKEN)) if text else 0


class ReplyAssembly:
    """One reply's chunks, in order; ``take`` returns the text each adds."""

    def __init__(self, record: ReplyRecord, steps: list[TokenStep], explain: int, host: str,
                 started: float) -> None:
        self.record, self.steps, self.explain, self.host = record, steps, explain, host
        self.started = started
        self.finished = False  # a finish_reason arrived
        self.saw_logprobs = False
        self._usage = False
        self._first_at: float | None = None
        self._last_at = started

    def take_event(self, data: str) -> str:
        try:
            chunk = json.loads(data)
        except (ValueError, RecursionError) as error:  # RecursionError: arrays nested thousands deep
            raise self._garbled(data) from error
        return self.take(chunk)

    def take(self, chunk: Any) -> str:
        if not isinstance(chunk, dict):
            raise self._garbled(chunk)
        if chunk.get("error") is not None:
            raise ServerFailed(f"The server at {self.host} stopped with an error: {_error_text(chunk['error'])}",
                               json.dumps(chunk)[:500])
        if isinstance(chunk.get("model"), str) and chunk["model"]:
            self.record.model = chunk["model"]
        choices = chunk.get("choices") or []
        if not isinstance(choices, list):
            raise self._garbled(chunk)
        text = "".join(self._take_choice(choice) for choice in choices[:1])
        if chunk.get("usage") is not None:
            self._take_usage(chunk["usage"])
        return text

    def end(self) -> None:
        """Figures once the stream is over.  The rate runs from the first text to the end of the stream: a
        server that sends its tokens in a few bursts would otherwise seem impossibly fast."""
        record = self.record
        self._last_at = time.perf_counter()
        record.total_s = self._last_at - self.started
        if self._first_at is not None and record.generated_tokens > 1 and self._last_at > self._first_at:
            record.decode_tokens_per_s = (record.generated_tokens - 1) / (self._last_at - self._first_at)
        if self.explain and not self.saw_logprobs:
            record.notes.append("The server sent no token probabilities, so this reply has no token choices.")

    def _take_choice(self, choice: Any) -> str:
        if not isinstance(choice, dict):
            raise self._garbled(choice)
        delta = choice.get("delta")
        if delta is None and isinstance(choice.get("message"), dict):  # a whole (non-streamed) completion
            delta = choice["message"]
        delta = delta if isinstance(delta, dict) else {}
        text = delta.get("content")
        text = text if isinstance(text, str) else ""
        counted = self._take_logprobs(choice.get("logprobs"))
        if text:
            now = time.perf_counter()
            if self._first_at is None:
                self._first_at = now
                self.record.ttft_s = now - self.started
            self._last_at = now
            if not self._usage:
                self.record.generated_tokens += counted or 1
        elif counted and not self._usage:
            self.record.generated_tokens += counted
        reason = choice.get("finish_reason")
        if isinstance(reason, str) and reason:
            self.finished = True
            self.record.finish_reason = FINISH_REASONS.get(reason, reason)
        return text

    def _take_logprobs(self, logprobs: Any) -> int:
        """Token steps from ``logprobs.content``; returns how many tokens the chunk carried (0: unknown)."""
        entries = logprobs.get("content") if isinstance(logprobs, dict) else None
        if not isinstance(entries, list):
            return 0
        self.saw_logprobs = self.saw_logprobs or bool(entries)
        if self.explain:
            self.steps.extend(step for step in map(_step, entries) if step is not None)
        return len(entries)

    def _take_usage(self, usage: Any) -> None:
        if not isinstance(usage, dict):
            return
        prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
        if not (_count(prompt) and _count(completion)):
            return
        self._usage = True
        self.record.prompt_tokens, self.record.generated_tokens = prompt, completion
        self.record.counted_by = "server"
        details = usage.get("prompt_tokens_details")
        cached = details.get("cached_tokens") if isinstance(details, dict) else None
        self.record.reused_tokens = cached if _count(cached) else 0

    def _garbled(self, what: Any) -> ServerFailed:
        return ServerFailed(f"The server at {self.host} sent something that is not an OpenAI-compatible reply; "
                            "check that the address is an OpenAI-compatible API.", repr(what)[:500])


def _step(entry: Any) -> TokenStep | None:
    """One token of the reply and its most likely alternatives, as the server gave them (no probability
    after settings: the server does not say what temperature, top-k and top-p left, so that stays NaN)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("token"), str) or not _number(entry.get("logprob")):
        return None
    token = entry["token"]
    seen: dict[str, float] = {}
    for other in entry.get("top_logprobs") or []:
        if isinstance(other, dict) and isinstance(other.get("token"), str) and _number(other.get("logprob")):
            seen.setdefault(other["token"], math.exp(min(0.0, other["logprob"])))
    seen.setdefault(token, math.exp(min(0.0, entry["logprob"])))
    ordered = sorted(seen.items(), key=lambda item: -item[1])
    return TokenStep(tuple(Alternative(_shown(text), probability, math.nan, text == token)
                           for text, probability in ordered))


def _shown(token: str) -> str:
    """Servers write a token that is only part of a character as "" (LocalChat), with U+FFFD, or as
    ``bytes:\\xe2`` (OpenAI, vLLM); the end-of-reply token is not listed by any of them."""
    return PART_OF_CHARACTER if not token or "\ufffd" in token or token.startswith("bytes:") else token


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not math.isnan(value)


def _error_text(error: Any) -> str:
    message = error.get("message") if isinstance(error, dict) else error
    text = one_line(str(message)) if message is not None else ""
    text = text or "no reason given"
    return text if text.endswith(".") else text + "."
