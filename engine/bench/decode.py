"""Decode speed: LocalChat against the bare library loop, and token choices on against off.

The development machine is shared and noisy, so the two sides of each comparison run in
lockstep: LocalChat writes a token, then the baseline writes as many, and so on, each side's
time summed separately.  Both see the same machine load, token by token.  Each figure is the
median of several such paired runs, and the spread is the lowest and highest paired ratio.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from engine.bench.baseline import BareLoop
from engine.runtime.conversation import Message
from engine.runtime.session import ChatSession, Reply
from engine.runtime.settings import SamplingSettings

CHOICES = 5  # what the window asks for


@dataclass
class Ratio:
    """A median speed against a median baseline, with the spread of the per-run ratios."""

    tokens_per_s: float
    baseline_tokens_per_s: float
    ratio: float
    lowest: float
    highest: float

    @classmethod
    def of(cls, ours: list[float], baseline: list[float]) -> "Ratio":
        pairs = [a / b for a, b in zip(ours, baseline)]
        ours_median, base_median = statistics.median(ours), statistics.median(baseline)
        return cls(ours_median, base_median, ours_median / base_median, min(pairs), max(pairs))


@dataclass
class SampledDecode:
    """One sampling setting: LocalChat vs the library's native sampler, and token choices on vs off."""

    label: str
    settings: SamplingSettings
    tokens: int  # decoded per run (median)
    against_library: Ratio
    choices_against_off: Ratio


class _Timed:
    """A LocalChat reply read one chunk at a time, with the time spent producing tokens after the first."""

    def __init__(self, reply: Reply) -> None:
        self.reply, self._chunks = reply, iter(reply)
        self.seconds, self.done = 0.0, False
        self._advance()  # prompt and first token: TTFT, not decode

    def advance(self) -> int:
        """Produce at least one more token (a chunk may hold several); return how many."""
        before = self.reply.record.generated_tokens
        started = time.perf_counter()
        self._advance()
        self.seconds += time.perf_counter() - started
        return self.reply.record.generated_tokens - before

    def _advance(self) -> None:
        try:
            next(self._chunks)
        except StopIteration:
            self.done = True

    @property
    def tokens_per_s(self) -> float:
        return (self.reply.record.generated_tokens - 1) / max(self.seconds, 1e-9)


def _against_library(session: ChatSession, messages: list[Message], ids: list[int], settings: SamplingSettings,
                     seed: int) -> tuple[float, float, int]:
    ours = _Timed(session.reply(messages, settings.with_seed(seed)))
    bare = BareLoop(session.loaded, ids, settings.max_new_tokens, settings, seed)
    while not ours.done:
        made = ours.advance()
        if made:
            bare.timed_steps(made)
    return ours.tokens_per_s, bare.tokens_per_s, ours.reply.record.generated_tokens


def _choices_against_off(session: ChatSession, other: ChatSession, messages: list[Message],
                         settings: SamplingSettings, seed: int) -> tuple[float, float]:
    off = _Timed(session.reply(messages, settings.with_seed(seed)))
    on = _Timed(other.reply(messages, settings.with_seed(seed), explain=CHOICES))
    while not (off.done and on.done):
        if not off.done:
            off.advance()
        if not on.done:
            on.advance()
    if on.reply.token_ids != off.reply.token_ids or len(on.reply.steps) != len(on.reply.token_ids):
        raise RuntimeError("asking for token choices changed the reply")
    return on.tokens_per_s, off.tokens_per_s


def greedy_decode(session: ChatSession, messages: list[Message], ids: list[int], tokens: int,
                  repeats: int) -> tuple[Ratio, float, int]:
    """Greedy decode (genai's own ``generate_next_token`` in LocalChat) against the bare loop, and the TTFT."""
    settings = SamplingSettings(temperature=0.0, max_new_tokens=tokens)
    ours, bare, ttfts, counts = [], [], [], []
    for _ in range(repeats):
        session.forget(free_memory=False)
        a, b, count = _against_library(session, messages, ids, settings, 0)
        ours.append(a)
        bare.append(b)
        counts.append(count)
        ttfts.append(session_ttft(session, messages, settings))
    return Ratio.of(ours, bare), statistics.median(ttfts), int(statistics.median(counts))


def session_ttft(session: ChatSession, messages: list[Message], settings: SamplingSettings) -> float:
    """Time to first token of a fresh prefill of ``messages``."""
    session.forget(free_memory=False)
    reply = session.reply(messages, settings.with_seed(0))
    next(iter(reply), None)
    return reply.record.ttft_s


def sampled_decode(session: ChatSession, other: ChatSession, messages: list[Message], ids: list[int], label: str,
                   settings: SamplingSettings, repeats: int) -> SampledDecode:
    ours, bare, choices, off, counts = [], [], [], [], []
    for repeat in range(repeats):
        a, b, count = _against_library(session, messages, ids, settings, 1000 + repeat)
        ours.append(a)
        bare.append(b)
        counts.append(count)
        c, d = _choices_against_off(session, other, messages, settings, 1000 + repeat)
        choices.append(c)
        off.append(d)
    return SampledDecode(label, settings, int(statistics.median(counts)), Ratio.of(ours, bare),
                         Ratio.of(choices, off))
