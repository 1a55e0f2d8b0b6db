"""Build the stand-in for a large model on a GPU: ``python -m app.devtools.bench_model DIR [--step-ms 10]``.

A synthetic decoder (tests/support/synthetic_model.py) with Phi-4-mini's 200,064-token vocabulary and logits shaped
like a trained model's, whose step is made about ``--step-ms`` long on this machine: it is built once to time its
own step, once with one 512×512 product more to time that, then with as much of that work as the target needs.
Then ``localchat bench --model DIR --turns 0`` measures sampling against the library at that vocabulary and speed.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from app.devtools.dev_models import NoSyntheticModel, synthetic_builder

TIMED_STEPS = 40


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--step-ms", type=float, default=10.0)
    parser.add_argument("--vocab", type=int, default=200_064)
    args = parser.parse_args(argv)
    try:
        build = synthetic_builder("build_large_vocab_model")
    except NoSyntheticModel as error:
        print(error, file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as scratch:
        base = step_ms(build(Path(scratch) / "base", vocab_size=args.vocab))
        one = step_ms(build(Path(scratch) / "one", vocab_size=args.vocab, slow_matmuls=1))
    extra = max(0.0, args.step_ms - base) / max(one - base, 1e-3)  # in 512×512 products
    matmuls = max(1, round(extra)) if extra >= 1 else (1 if extra > 0.05 else 0)
    size = 512 if extra >= 1 else max(16, int(512 * extra ** (1 / 3)))
    shutil.rmtree(args.folder, ignore_errors=True)
    build(args.folder, vocab_size=args.vocab, slow_matmuls=matmuls, slow_size=size)
    print(f"{args.folder}: vocabulary {args.vocab:,}, own step {base:.1f} ms, {matmuls} product(s) of {size}×{size} "
          f"added, step now {step_ms(args.folder):.1f} ms (target {args.step_ms:g} ms)")
    return 0


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
