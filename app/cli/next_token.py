"""``localchat next-token``: the distribution of the reply's first token, and what the settings make of it."""

from __future__ import annotations

import argparse
import json

from app.cli.inspect_common import add_conversation_arguments, conversation, open_session, visible
from engine.inspect.distribution import describe, reshape
from engine.runtime.settings import SamplingSettings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("next-token", help="the most likely next tokens, without generating")
    add_conversation_arguments(parser)
    defaults = SamplingSettings()
    parser.add_argument("--temperature", type=float, default=defaults.temperature)
    parser.add_argument("--top-k", type=int, default=defaults.top_k, help="0 = no limit")
    parser.add_argument("--top-p", type=float, default=defaults.top_p)
    parser.add_argument("--repetition-penalty", type=float, default=defaults.repetition_penalty)
    parser.add_argument("--count", type=int, default=10, help="how many tokens to list (most likely first)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = SamplingSettings(temperature=args.temperature, top_k=args.top_k, top_p=args.top_p,
                                repetition_penalty=args.repetition_penalty).validated()
    count = max(1, args.count)
    session = open_session(args)
    distribution = session.next_token(conversation(args), count=max(count, 256))
    shaped = reshape(distribution, settings)
    rows = [{"id": int(distribution.ids[i]), "text": session.texts.raw(int(distribution.ids[i])),
             "model_probability": float(shaped.model_probability[i]), "probability": float(shaped.probability[i])}
            for i in range(min(count, distribution.ids.size))]
    if args.json:
        print(json.dumps({"candidates": rows, "summary": describe(shaped), "prompt_tokens": distribution.prompt_tokens},
                         ensure_ascii=False))
        return 0
    print(describe(shaped))
    print(f"{'token':<24} {'model':>8} {'after settings':>15}")
    for row in rows:
        after = f"{row['probability'] * 100:.1f} %" if row["probability"] else "cut"
        print(f"{visible(row['text'])[:24]:<24} {row['model_probability'] * 100:>6.1f} % {after:>15}")
    return 0
