"""How fast sampling outside the library can be: ``python -m app.devtools.bench_sampling_floor [--model DIR]``.

LocalChat draws sampled tokens itself (engine.runtime.sampling) because onnxruntime-genai's sampler cannot be
re-seeded on a generator that keeps its KV cache.  Each sampled token then costs a model step, ``get_logits()``
and LocalChat's draw, where the library's loop costs a model step and its native draw.  This prints, against
the library's native ``do_sample=True`` loop run in lockstep on the same model and settings (temperature 0.7,
top-p 0.9, top-k 40):

1. LocalChat's loop with its sampler;
2. the same loop with a draw that costs nothing (a fixed sequence of tokens): the most any sampler outside the
   library can reach, since the step and ``get_logits()`` remain;
3. the same loop with a draw that reads one number from the logits: one numpy call.

Beside each ratio is the time the draw took, measured right after a model step, when the processor's caches
hold the model's weights rather than the interpreter's.

Uses ../shared/models/smollm2-135m-instruct by default; ``--model`` takes any model folder (for example the
200,064-token stand-in built by ``python -m app.devtools.bench_model DIR``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np

from app.devtools.dev_models import shared_model
from engine.bench.baseline import BareLoop
from engine.runtime.genai import genai
from engine.runtime.model import LoadedModel, load_model
from engine.runtime.sampling import Sampler
from engine.runtime.settings import SamplingSettings

SETTINGS = SamplingSettings(temperature=0.7, top_p=0.9, top_k=40)
PROMPT = [1, 300, 301, 302]
TOKENS = 200
RUNS = 5
TARGET = 0.98


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=shared_model("smollm2-135m-instruct"))
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--tokens", type=int, default=TOKENS, help="tokens a run")
    args = parser.parse_args(argv)
    if args.model is None:
        print("no model: give --model DIR", file=sys.stderr)
        return 1
    loaded = load_model(args.model, "cpu")
    vocab = loaded.info.vocab_size
    print(f"{args.model.name} (vocabulary {vocab:,}); {args.tokens} tokens a run, medians of {args.runs} runs, "
          f"each against onnxruntime-genai do_sample in lockstep")
    rows = {"LocalChat's sampler": lambda seed: Sampler(SETTINGS, seed, vocab, []).pick,
            "a draw that costs nothing": lambda seed: _fixed_tokens(vocab),
            "a draw that calls numpy once": lambda seed: _one_numpy_call(vocab)}
    for label, make_draw in rows.items():
        ratios, draws = zip(*(_lockstep(loaded, make_draw(seed), seed, args.tokens) for seed in range(args.runs)))
        print(f"  {label:30} ratio {statistics.median(ratios):.3f} ({min(ratios):.3f}-{max(ratios):.3f}), "
              f"draw {statistics.median(draws):.0f} µs a token (target >= {TARGET})")
    return 0


def _fixed_tokens(vocab: int) -> Callable[[np.ndarray], int]:
    count = iter(range(10**9))
    return lambda logits: 5 + (next(count) * 7919) % min(vocab - 5, 400)


def _one_numpy_call(vocab: int) -> Callable[[np.ndarray], int]:
    fixed = _fixed_tokens(vocab)
    return lambda logits: fixed(logits) + int(logits.item(0) > np.inf)


def _lockstep(loaded: LoadedModel, draw: Callable[[np.ndarray], int], seed: int, tokens: int) -> tuple[float, float]:
    """Native tokens per second over ours, and the median time of our draw, token by token in turn."""
    og = genai()
    params = og.GeneratorParams(loaded.model)
    params.set_search_options(max_length=len(PROMPT) + tokens + 2, do_sample=False)
    generator = og.Generator(loaded.model, params)
    stream = loaded.tokenizer.create_stream()
    generator.append_tokens(PROMPT)
    token = draw(generator.get_logits())
    native = BareLoop(loaded, PROMPT, tokens, SETTINGS, seed)
    ours, draws = 0.0, []
    for _ in range(tokens):
        native.timed_steps(1)
        started = time.perf_counter()
        generator.append_tokens([token])
        logits = generator.get_logits()
        drawn = time.perf_counter()
        token = draw(logits)
        draws.append((time.perf_counter() - drawn) * 1e6)
        stream.decode(token)
        ours += time.perf_counter() - started
    return (tokens / ours) / native.tokens_per_s, statistics.median(draws)


if __name__ == "__main__":
    raise SystemExit(main())
