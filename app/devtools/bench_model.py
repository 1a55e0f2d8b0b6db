"""Build the stand-in for a large model on a GPU: ``python -m app.devtools.bench_model DIR [--step-ms 10]``.

A synthetic decoder (tests/support/synthetic_model.py) with Phi-4-mini's 200,064-token vocabulary and logits shaped
like a trained model's (a broad bulk and a few strong candidates; at temperature 0.7 its top-p 0.9 nucleus is
mostly a handful of tokens and sometimes thousands, as smollm2's is).  Each step also multiplies ``--slow-size``
square matrices a number of times, to make it about as slow as a bigger model on a GPU: by default as many as
give a step of ``--step-ms`` on this machine, found by timing two builds (``--slow-matmuls N`` fixes the count).
The script prints the step it measures.  Then ``localchat bench --model DIR --turns 0`` measures sampling against
the library at that vocabulary and speed.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

from app.devtools.dev_models import NoSyntheticModel, synthetic_builder

TIMED_STEPS = 40
CALIBRATION_PRODUCTS = 4
MAX_PRODUCTS = 64  # a bound for products too cheap to time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--vocab", type=int, default=200_064)
    parser.add_argument("--step-ms", type=float, default=10.0, help="the step to aim for (default 10 ms)")
    parser.add_argument("--slow-matmuls", type=int, help="products a step (default: as many as --step-ms needs)")
    parser.add_argument("--slow-size", type=int, default=512)
    args = parser.parse_args(argv)
    try:
        build = synthetic_builder("build_large_vocab_model")
    except NoSyntheticModel as error:
        print(error, file=sys.stderr)
        return 1

    def built(products: int) -> float:
        shutil.rmtree(args.folder, ignore_errors=True)
        build(args.folder, vocab_size=args.vocab, slow_matmuls=products, slow_size=args.slow_size)
        return step_ms(args.folder)

    products = args.slow_matmuls
    if products is None:
        products = products_for(args.step_ms, built(0), built(CALIBRATION_PRODUCTS))
    print(f"{args.folder}: vocabulary {args.vocab:,}, {products} product(s) of {args.slow_size}² a step; "
          f"median step of the bare greedy loop now {built(products):.1f} ms")
    return 0


def products_for(target_ms: float, bare_ms: float, calibrated_ms: float) -> int:
    """How many products make a step of ``target_ms``, from the step with none and with CALIBRATION_PRODUCTS."""
    each = max((calibrated_ms - bare_ms) / CALIBRATION_PRODUCTS, 1e-3)
    return min(MAX_PRODUCTS, max(0, round((target_ms - bare_ms) / each)))


def step_ms(folder: Path) -> float:
    """Median time of one greedy step of the bare library loop on this model."""
    from engine.runtime.genai import genai

    og = genai()
    model = og.Model(str(folder))
    params = og.GeneratorParams(model)
    params.set_search_options(max_length=TIMED_STEPS + 16, do_sample=False)
    generator = og.Generator(model, params)
    generator.append_tokens([1, 300, 301, 302])
    times = []
    for _ in range(TIMED_STEPS):
        started = time.perf_counter()
        generator.generate_next_token()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000.0


if __name__ == "__main__":
    raise SystemExit(main())
