"""Figures for ``localchat bench``: load time, TTFT, prefill and decode speed, KV reuse.

Every ratio is against a baseline measured in the same run on the same model, so
the figures mean something on a busy or slow machine.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import asdict, dataclass, field
from typing import Callable

from engine.runtime.conversation import Message
from engine.runtime.genai import genai
from engine.runtime.model import LoadedModel, load_model
from engine.runtime.prompt import PromptBuilder
from engine.runtime.session import ChatSession
from engine.runtime.settings import SamplingSettings

@dataclass
class BenchResult:
    model: str
    provider: str
    load_s: float
    ttft_s: float
    prefill_tokens: int
    prefill_tokens_per_s: float
    decode_tokens: int
    decode_tokens_per_s: float
    bare_decode_tokens_per_s: float
    decode_ratio: float
    turn_ttft_reuse_s: list[float] = field(default_factory=list)
    turn_ttft_reprocess_s: list[float] = field(default_factory=list)
    turn_prompt_tokens: list[int] = field(default_factory=list)

    @property
    def turn10_vs_turn1(self) -> float:
        return self.turn_ttft_reuse_s[-1] / self.turn_ttft_reuse_s[0]

    def to_dict(self) -> dict:
        return {**asdict(self), "turn10_vs_turn1": self.turn10_vs_turn1}


def run_bench(path: str, provider: str = "auto", prompt: str = "Once upon a time", decode_tokens: int = 200,
              repeats: int = 5, turns: int = 10) -> BenchResult:
    started = time.perf_counter()
    loaded = load_model(path, provider)
    load_s = time.perf_counter() - started
    session = ChatSession(loaded)
    settings = SamplingSettings(temperature=0.0, max_new_tokens=decode_tokens)
    messages = [Message("user", prompt)]
    ids = PromptBuilder(loaded).encode(messages)

    ours, bare, ttfts = [], [], []
    for _ in range(repeats):  # interleaved, so both see the same machine load
        session.forget()
        reply = session.reply(messages, settings)
        reply.text()
        ours.append(reply.record.decode_tokens_per_s)
        ttfts.append(reply.record.ttft_s)
        bare.append(bare_decode_tokens_per_s(loaded, ids, reply.record.generated_tokens))
    prefill_tokens, prefill_rate = _prefill(session, loaded)
    reuse, reprocess, prompt_sizes = _turns(session, turns)
    ours_median, bare_median = statistics.median(ours), statistics.median(bare)
    return BenchResult(
        model=loaded.info.name, provider=loaded.info.provider, load_s=load_s, ttft_s=statistics.median(ttfts),
        prefill_tokens=prefill_tokens, prefill_tokens_per_s=prefill_rate, decode_tokens=reply.record.generated_tokens,
        decode_tokens_per_s=ours_median, bare_decode_tokens_per_s=bare_median, decode_ratio=ours_median / bare_median,
        turn_ttft_reuse_s=reuse, turn_ttft_reprocess_s=reprocess, turn_prompt_tokens=prompt_sizes)


def bare_decode_tokens_per_s(loaded: LoadedModel, ids: list[int], tokens: int) -> float:
    """The library's own loop with nothing around it: the baseline for LocalChat's decode speed."""
    og = genai()
    params = og.GeneratorParams(loaded.model)
    params.set_search_options(max_length=len(ids) + tokens, do_sample=False)
    generator = og.Generator(loaded.model, params)
    stream = loaded.tokenizer.create_stream()
    generator.append_tokens(ids)
    generator.generate_next_token()
    stream.decode(generator.get_next_tokens()[0])
    started, count = time.perf_counter(), 0
    while not generator.is_done():
        generator.generate_next_token()
        stream.decode(generator.get_next_tokens()[0])
        count += 1
    return count / max(time.perf_counter() - started, 1e-9)


def _prefill(session: ChatSession, loaded: LoadedModel) -> tuple[int, float]:
    """Prefill speed on a prompt filling about half the context."""
    words = max(8, loaded.info.context_length // 4)
    messages = [Message("user", " ".join(["the little cat sat"] * (words // 4)))]
    settings = SamplingSettings(temperature=0.0, max_new_tokens=1)
    session.forget()
    reply = session.reply(messages, settings)
    reply.text()
    return reply.record.prompt_tokens, reply.record.prompt_tokens / max(reply.record.ttft_s, 1e-9)


def _turns(session: ChatSession, turns: int) -> tuple[list[float], list[float], list[int]]:
    """TTFT per turn of one conversation, with the KV cache reused and with everything re-processed."""
    context = session.loaded.info.context_length
    reply_tokens = max(4, min(32, context // (3 * turns)))
    settings = SamplingSettings(temperature=0.0, max_new_tokens=reply_tokens)

    def conversation(keep_cache: bool) -> tuple[list[float], list[int]]:
        messages: list[Message] = []
        ttfts, sizes = [], []
        session.forget()
        for turn in range(turns):
            messages.append(Message("user", f"Tell me more, part {turn + 1}."))
            if not keep_cache:
                session.forget()
            reply = session.reply(messages, settings)
            messages.append(Message("assistant", reply.text()))
            ttfts.append(reply.record.ttft_s)
            sizes.append(reply.record.prompt_tokens)
        return ttfts, sizes

    reuse, sizes = _median_runs(lambda: conversation(True))
    reprocess, _ = _median_runs(lambda: conversation(False))
    return reuse, reprocess, sizes


def _median_runs(run: Callable[[], tuple[list[float], list[int]]], runs: int = 3) -> tuple[list[float], list[int]]:
    results = [run() for _ in range(runs)]
    per_turn = [statistics.median(values) for values in zip(*(r[0] for r in results))]
    return per_turn, results[0][1]
