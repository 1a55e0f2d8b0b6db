"""The baselines: onnxruntime-genai's own loop with nothing of LocalChat around it.

A baseline runs on a fresh generator made and prefilled outside the timing, decodes until
told to stop (``min_length`` keeps an end-of-sequence token from ending it early), and turns
each token into text with the tokenizer stream as LocalChat does.
"""

from __future__ import annotations

import time
from typing import Any

from engine.runtime.genai import genai
from engine.runtime.model import LoadedModel
from engine.runtime.settings import SamplingSettings


class BareLoop:
    """The library's loop, one token at a time: greedy, or sampling natively (``do_sample=True``)."""

    def __init__(self, loaded: LoadedModel, ids: list[int], tokens: int, settings: SamplingSettings | None = None,
                 seed: int = 0) -> None:
        og = genai()
        params = og.GeneratorParams(loaded.model)
        length = len(ids) + tokens + 1
        if settings is None or settings.greedy:
            params.set_search_options(max_length=length, min_length=length, do_sample=False)
        else:
            params.set_search_options(max_length=length, min_length=length, do_sample=True,
                                      temperature=settings.temperature, top_p=settings.top_p, top_k=settings.top_k,
                                      random_seed=seed)
        self._generator: Any = og.Generator(loaded.model, params)
        self._stream = loaded.tokenizer.create_stream()
        self._generator.append_tokens(ids)
        self.step()  # the first token, as TTFT is kept out of decode speed
        self.seconds = 0.0  # time spent in timed steps
        self.tokens = 0

    def step(self) -> None:
        self._generator.generate_next_token()
        self._stream.decode(self._generator.get_next_tokens()[0])

    def timed_steps(self, count: int) -> None:
        started = time.perf_counter()
        for _ in range(count):
            self.step()
        self.seconds += time.perf_counter() - started
        self.tokens += count

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / max(self.seconds, 1e-9)
