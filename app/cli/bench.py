"""``localchat bench``: print speed figures for a model (see engine.bench)."""

from __future__ import annotations

import argparse
import json

from engine.bench import run_bench
from engine.runtime.providers import PROVIDERS


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("bench", help="measure load time, time to first token and tokens/s")
    parser.add_argument("--model", required=True)
    parser.add_argument("--provider", choices=PROVIDERS, default="auto")
    parser.add_argument("--prompt", default="Once upon a time")
    parser.add_argument("--decode-tokens", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from app.models import resolve_model

    result = run_bench(resolve_model(args.model), args.provider, args.prompt, args.decode_tokens)
    if args.json:
        print(json.dumps(result.to_dict()))
        return 0
    ms = 1000.0
    print(f"Model {result.model} on {result.provider}")
    print(f"  load                       {result.load_s * ms:8.1f} ms")
    print(f"  time to first token        {result.ttft_s * ms:8.2f} ms")
    print(f"  prefill ({result.prefill_tokens} tokens)       {result.prefill_tokens_per_s:8.0f} tokens/s")
    print(f"  decode ({result.decode_tokens} tokens)        {result.decode_tokens_per_s:8.0f} tokens/s")
    print(f"  bare onnxruntime-genai loop{result.bare_decode_tokens_per_s:8.0f} tokens/s")
    print(f"  decode ratio (target >= 0.98) {result.decode_ratio:6.3f}")
    print("  turn  prompt  TTFT reuse (ms)  TTFT re-process (ms)")
    for turn, (size, reuse, again) in enumerate(zip(result.turn_prompt_tokens, result.turn_ttft_reuse_s,
                                                     result.turn_ttft_reprocess_s), start=1):
        print(f"  {turn:4d}  {size:6d}  {reuse * ms:15.2f}  {again * ms:20.2f}")
    print(f"  turn-10 TTFT / turn-1 TTFT with reuse (target <= 1.2): {result.turn10_vs_turn1:.2f}")
    return 0
