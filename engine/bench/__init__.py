"""Figures for ``localchat bench``: load, TTFT, prefill and decode speed, sampling, KV reuse over a conversation.

Every ratio is against a baseline measured in the same run on the same model, so the
figures mean something on a busy or slow machine.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace

from engine.bench.conversation import Conversation, conversation
from engine.bench.decode import Ratio, SampledDecode, greedy_decode, sampled_decode
from engine.runtime.conversation import Message
from engine.runtime.model import load_model
from engine.runtime.prompt import PromptBuilder
from engine.runtime.session import ChatSession
from engine.runtime.settings import SamplingSettings

SAMPLED = [("temperature 0.7, top-p 0.9, top-k 40", SamplingSettings(temperature=0.7, top_p=0.9, top_k=40)),
           ("temperature 0.7, top-p 0.9, top-k 0", SamplingSettings(temperature=0.7, top_p=0.9, top_k=0))]
PREFILL_TOKENS = 512


@dataclass
class BenchResult:
    model: str
    provider: str
    vocab_size: int
    load_s: float
    generator_s: float  # making the session's generator (its KV buffer), part of loading in the app
    capacity: int
    ttft_s: float
    prefill_tokens: int
    prefill_tokens_per_s: float
    decode_tokens: int
    greedy: Ratio
    sampled: list[SampledDecode] = field(default_factory=list)
    conversation: Conversation | None = None

    def to_dict(self) -> dict:
        result = asdict(self)
        for item in result["sampled"]:
            item["settings"] = {k: item["settings"][k] for k in ("temperature", "top_p", "top_k")}
        if self.conversation:
            result["conversation"]["largest_neighbour_step"] = self.conversation.largest_neighbour_step
        return result


def run_bench(path: str, provider: str = "auto", prompt: str = "Once upon a time", decode_tokens: int = 200,
              repeats: int = 5, turns: int = 10, runs: int = 3) -> BenchResult:
    started = time.perf_counter()
    loaded = load_model(path, provider)
    load_s = time.perf_counter() - started
    session = ChatSession(loaded)
    started = time.perf_counter()
    session.prepare()
    generator_s = time.perf_counter() - started
    messages = [Message("user", prompt)]
    ids = PromptBuilder(loaded).encode(messages)
    greedy, ttft, tokens = greedy_decode(session, messages, ids, decode_tokens, repeats)
    other = ChatSession(loaded)  # token choices on, in lockstep with ``session`` (off)
    sampled = [sampled_decode(session, other, messages, ids, label, replace(settings, max_new_tokens=decode_tokens),
                              repeats) for label, settings in SAMPLED]
    other.forget()
    prefill_tokens, prefill_rate = _prefill(session)
    chat = None
    if turns:
        context = loaded.info.context_length
        chat = conversation(session, turns, runs, reply_tokens=max(4, min(90, context // (3 * turns))))
    return BenchResult(
        model=loaded.info.name, provider=loaded.info.provider, vocab_size=loaded.info.vocab_size, load_s=load_s,
        generator_s=generator_s, capacity=session.capacity, ttft_s=ttft, prefill_tokens=prefill_tokens,
        prefill_tokens_per_s=prefill_rate, decode_tokens=tokens, greedy=greedy, sampled=sampled, conversation=chat)


def _prefill(session: ChatSession) -> tuple[int, float]:
    """Prefill speed on a prompt of about PREFILL_TOKENS tokens (a quarter of the context if that is less)."""
    unit = "the little cat sat "
    nine, eight = (session.count_tokens([Message("user", unit * n)]) for n in (9, 8))
    per_unit = max(1, nine - eight)
    target = min(PREFILL_TOKENS, session.loaded.info.context_length // 4)
    messages = [Message("user", (unit * max(1, target // per_unit)).strip())]
    session.forget(free_memory=False)
    reply = session.reply(messages, SamplingSettings(temperature=0.0, max_new_tokens=1))
    reply.text()
    return reply.record.prompt_tokens, reply.record.prompt_tokens / max(reply.record.ttft_s, 1e-9)
