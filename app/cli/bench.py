"""``localchat bench``: print speed figures for a model (see engine.bench)."""

from __future__ import annotations

import argparse
import json

from engine.bench import BenchResult, run_bench
from engine.bench.decode import Ratio
from engine.runtime.providers import PROVIDERS

MS = 1000.0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("bench", help="measure load time, time to first token and tokens/s")
    parser.add_argument("--model", required=True)
    parser.add_argument("--provider", choices=PROVIDERS, default="auto")
    parser.add_argument("--prompt", default="Once upon a time")
    parser.add_argument("--decode-tokens", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5, help="decode runs per figure (the median is shown)")
    parser.add_argument("--turns", type=int, default=10, help="turns of the timed conversation (0: skip it)")
    parser.add_argument("--runs", type=int, default=3, help="runs of the conversation (the median is shown)")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from app.models import resolve_model

    result = run_bench(resolve_model(args.model), args.provider, args.prompt, args.decode_tokens, args.repeats,
                       args.turns, args.runs)
    if args.json:
        print(json.dumps(result.to_dict()))
    else:
        print("\n".join(report(result, args.repeats, args.runs)))
    return 0


def report(result: BenchResult, repeats: int, runs: int) -> list[str]:
    lines = [f"Model {result.model} on {result.provider} (vocabulary {result.vocab_size:,}); medians of {repeats} "
             "runs, ratios against the baseline measured in this run (lowest-highest of the runs in brackets)",
             f"  load                            {result.load_s * MS:9.1f} ms",
             f"  generator for {result.capacity:,} tokens{'':<{max(0, 8 - len(f'{result.capacity:,}'))}}"
             f"       {result.generator_s * MS:9.1f} ms",
             f"  time to first token             {result.ttft_s * MS:9.2f} ms",
             f"  prefill ({result.prefill_tokens} tokens)            {result.prefill_tokens_per_s:9.0f} tokens/s",
             f"  decode, greedy ({result.decode_tokens} tokens)      {result.greedy.tokens_per_s:9.1f} tokens/s",
             f"    bare onnxruntime-genai loop   {result.greedy.baseline_tokens_per_s:9.1f} tokens/s",
             f"    ratio (target >= 0.98)        {_ratio(result.greedy)}"]
    for case in result.sampled:
        lines += [f"  sampled decode, {case.label} ({case.tokens} tokens)",
                  f"    LocalChat                     {case.against_library.tokens_per_s:9.1f} tokens/s",
                  f"    onnxruntime-genai do_sample   {case.against_library.baseline_tokens_per_s:9.1f} tokens/s",
                  f"    ratio (target >= 0.98)        {_ratio(case.against_library)}",
                  f"    with token choices            {case.choices_against_off.tokens_per_s:9.1f} tokens/s",
                  f"    choices on / off (>= 0.9)     {_ratio(case.choices_against_off)}"]
    chat = result.conversation
    if chat:
        lines += [f"  {len(chat.prompt_tokens)}-turn conversation ({chat.total_tokens} tokens at the last turn; "
                  f"greedy; medians of {runs} runs)",
                  "    turn  prompt  new  TTFT reuse (ms)  TTFT re-process (ms)  settling after the reply (ms)"]
        for turn, (size, new, reuse, again, settle) in enumerate(zip(
                chat.prompt_tokens, chat.new_tokens, chat.ttft_reuse_s, chat.ttft_reprocess_s, chat.settle_s), start=1):
            lines.append(f"    {turn:4d}  {size:6d} {new:4d}  {reuse * MS:15.1f}  {again * MS:20.1f}  {settle * MS:29.1f}")
        lines += [f"    largest TTFT step between neighbouring turns with reuse (target <= 1.5): "
                  f"{chat.largest_neighbour_step:.2f}",
                  f"    last turn's TTFT with reuse / re-processing: "
                  f"{chat.ttft_reuse_s[-1] / max(chat.ttft_reprocess_s[-1], 1e-9):.3f}",
                  f"    replies with and without reuse identical: {'yes' if chat.same_replies else 'NO'}"]
    return lines


def _ratio(ratio: Ratio) -> str:
    return f"{ratio.ratio:6.3f} ({ratio.lowest:.3f}-{ratio.highest:.3f})"
