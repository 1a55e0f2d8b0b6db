"""A ten-turn conversation, timed turn by turn with the KV cache reused and with everything processed again.

The user's messages are about equally long, so with reuse every turn processes about the
same number of new tokens and its time to first token should match its neighbours'; a
turn that waited for a new generator would stand out.  With reuse, each reply is settled
after it ends (``ChatSession.settle``, what the engine process does while the user reads);
that time is reported on its own, not in any TTFT.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field

from engine.runtime.conversation import Message
from engine.runtime.session import ChatSession
from engine.runtime.settings import SamplingSettings

TOPICS = ["bread", "rivers", "bicycles", "volcanoes", "libraries", "bees", "lighthouses", "glass", "tea", "maps",
          "clocks", "forests"]
QUESTION = ("I am writing a short guide for curious readers who know nothing about the subject yet. Please "
            "explain, in about eighty words of plain English, how {topic} work or are made, why people have cared "
            "about {topic} for so long, what a beginner usually gets wrong about {topic}, and one surprising fact "
            "about {topic} that most people do not know. Keep it friendly and concrete, free of jargon, and write "
            "it as one paragraph rather than a list.")
SHORT_QUESTION = "Tell me about {topic}."  # for models with a small context
LONG_CONTEXT = 4096


@dataclass
class Conversation:
    prompt_tokens: list[int] = field(default_factory=list)
    new_tokens: list[int] = field(default_factory=list)  # processed at each turn with reuse
    ttft_reuse_s: list[float] = field(default_factory=list)  # median per turn
    ttft_reprocess_s: list[float] = field(default_factory=list)
    settle_s: list[float] = field(default_factory=list)  # after each reply with reuse, median per turn
    same_replies: bool = True  # greedy replies with reuse equal those without

    @property
    def largest_neighbour_step(self) -> float:
        """The largest ratio between the TTFTs of two neighbouring turns with reuse (1 = all equal)."""
        t = self.ttft_reuse_s
        return max(max(a, b) / max(min(a, b), 1e-9) for a, b in zip(t, t[1:])) if len(t) > 1 else 1.0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens[-1] if self.prompt_tokens else 0


def conversation(session: ChatSession, turns: int, runs: int, reply_tokens: int) -> Conversation:
    settings = SamplingSettings(temperature=0.0, max_new_tokens=reply_tokens)
    reuse_runs = [_run(session, turns, settings, keep_cache=True) for _ in range(runs)]
    again_runs = [_run(session, turns, settings, keep_cache=False) for _ in range(runs)]
    first = reuse_runs[0]

    def medians(runs_: list[_Run], name: str) -> list[float]:
        return [statistics.median(values) for values in zip(*(getattr(r, name) for r in runs_))]

    return Conversation(
        prompt_tokens=first.sizes, new_tokens=first.new, ttft_reuse_s=medians(reuse_runs, "ttfts"),
        ttft_reprocess_s=medians(again_runs, "ttfts"), settle_s=medians(reuse_runs, "settles"),
        same_replies=all(r.texts == first.texts for r in reuse_runs + again_runs))


@dataclass
class _Run:
    sizes: list[int] = field(default_factory=list)
    new: list[int] = field(default_factory=list)
    ttfts: list[float] = field(default_factory=list)
    settles: list[float] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


def _run(session: ChatSession, turns: int, settings: SamplingSettings, keep_cache: bool) -> _Run:
    question = QUESTION if session.loaded.info.context_length >= LONG_CONTEXT else SHORT_QUESTION
    messages: list[Message] = [Message("system", "You are a helpful assistant.")]
    run = _Run()
    session.forget(free_memory=False)
    for turn in range(turns):
        messages.append(Message("user", question.format(topic=TOPICS[turn % len(TOPICS)])))
        if not keep_cache:
            session.forget(free_memory=False)
        reply = session.reply(messages, settings)
        text = reply.text()
        messages.append(Message("assistant", text))
        if keep_cache:
            started = time.perf_counter()
            session.settle()
            run.settles.append(time.perf_counter() - started)
        record = reply.record
        run.sizes.append(record.prompt_tokens)
        run.new.append(record.prompt_tokens - record.reused_tokens)
        run.ttfts.append(record.ttft_s)
        run.texts.append(text)
    return run
