"""Decode speed: LocalChat against the bare library loop, and token choices on against off.

Runs are interleaved (LocalChat, baseline, LocalChat with token choices, then again), so
all three see the same machine load; each figure is the median over the repeats, and the
spread is the lowest and highest ratio of one repeat's pair.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from engine.bench.baseline import bare_decode_tokens_per_s
from engine.runtime.conversation import Message
from engine.runtime.session import ChatSession
from engine.runtime.settings import SamplingSettings

CHOICES = 5  # what the window asks for


@dataclass
class Ratio:
    """A median speed against a median baseline, with the spread of the per-repeat ratios."""

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


def greedy_decode(session: ChatSession, messages: list[Message], ids: list[int], tokens: int,
                  repeats: int) -> tuple[Ratio, float, int]:
    """Greedy decode (genai's own ``generate_next_token`` in LocalChat) against the bare loop, and the TTFT."""
    settings = SamplingSettings(temperature=0.0, max_new_tokens=tokens)
    ours, bare, ttfts, counts = [], [], [], []
    for _ in range(repeats):
        session.forget(free_memory=False)
        reply = session.reply(messages, settings)
        reply.text()
        ours.append(reply.record.decode_tokens_per_s)
        ttfts.append(reply.record.ttft_s)
        counts.append(reply.record.generated_tokens)
        bare.append(bare_decode_tokens_per_s(session.loaded, ids, reply.record.generated_tokens))
    return Ratio.of(ours, bare), statistics.median(ttfts), int(statistics.median(counts))


def sampled_decode(session: ChatSession, messages: list[Message], ids: list[int], label: str,
                   settings: SamplingSettings, repeats: int) -> SampledDecode:
    ours, bare, choices, counts = [], [], [], []
    for repeat in range(repeats):
        seeded = settings.with_seed(1000 + repeat)
        reply = session.reply(messages, seeded)
        text = reply.text()
        count = reply.record.generated_tokens
        ours.append(reply.record.decode_tokens_per_s)
        counts.append(count)
        bare.append(bare_decode_tokens_per_s(session.loaded, ids, count, settings, seed=1000 + repeat))
        explained = session.reply(messages, seeded, explain=CHOICES)
        if explained.text() != text or len(explained.steps) != count:
            raise RuntimeError("asking for token choices changed the reply")
        choices.append(explained.record.decode_tokens_per_s)
    return SampledDecode(label, settings, int(statistics.median(counts)), Ratio.of(ours, bare),
                         Ratio.of(choices, ours))
