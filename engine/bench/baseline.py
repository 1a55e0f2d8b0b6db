"""The baselines: onnxruntime-genai's own loop with nothing of LocalChat around it.

Each runs on a fresh generator made outside the timing, decodes exactly ``tokens`` tokens
(``min_length`` keeps an end-of-sequence token from ending it early), turns each token into
text with the tokenizer stream as LocalChat does, and is timed from the first token to the
last, as ``ReplyRecord.decode_tokens_per_s`` is.
"""

from __future__ import annotations

import time

from engine.runtime.genai import genai
from engine.runtime.model import LoadedModel
from engine.runtime.settings import SamplingSettings


def bare_decode_tokens_per_s(loaded: LoadedModel, ids: list[int], tokens: int,
                             settings: SamplingSettings | None = None, seed: int = 0) -> float:
    """Decode speed of the library's loop: greedy, or sampling natively (``do_sample=True``) with ``settings``."""
    og = genai()
    params = og.GeneratorParams(loaded.model)
    length = len(ids) + tokens
    if settings is None or settings.greedy:
        params.set_search_options(max_length=length, min_length=length, do_sample=False)
    else:
        params.set_search_options(max_length=length, min_length=length, do_sample=True,
                                  temperature=settings.temperature, top_p=settings.top_p, top_k=settings.top_k,
                                  random_seed=seed)
    generator = og.Generator(loaded.model, params)
    stream = loaded.tokenizer.create_stream()
    generator.append_tokens(ids)
    generator.generate_next_token()
    stream.decode(generator.get_next_tokens()[0])
    started, count = time.perf_counter(), 0
    while count < tokens - 1 and not generator.is_done():
        generator.generate_next_token()
        stream.decode(generator.get_next_tokens()[0])
        count += 1
    return count / max(time.perf_counter() - started, 1e-9)
