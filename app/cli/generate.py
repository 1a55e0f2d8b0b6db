"""``localchat generate``: stream one reply to stdout, without a window."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from engine.runtime.conversation import Message
from engine.runtime.model import load_model
from engine.runtime.providers import PROVIDERS
from engine.runtime.session import ChatSession
from engine.runtime.settings import SamplingSettings


def add_sampling_arguments(parser: argparse.ArgumentParser) -> None:
    """The sampling flags shared by ``generate`` and the window's start-up flags."""
    defaults = SamplingSettings()
    parser.add_argument("--temperature", type=float, default=defaults.temperature,
                        help="0 = always the most likely token; higher = more varied (0-2)")
    parser.add_argument("--top-p", type=float, default=defaults.top_p)
    parser.add_argument("--top-k", type=int, default=defaults.top_k, help="0 = no limit")
    parser.add_argument("--repetition-penalty", type=float, default=defaults.repetition_penalty)
    parser.add_argument("--max-tokens", type=int, default=defaults.max_new_tokens, help="cap on the reply's length")
    parser.add_argument("--seed", type=int, default=None, help="same seed + prompt + settings = same reply")
    parser.add_argument("--provider", choices=PROVIDERS, default="auto")


def settings_from(args: argparse.Namespace) -> SamplingSettings:
    return SamplingSettings(temperature=args.temperature, top_p=args.top_p, top_k=args.top_k,
                            repetition_penalty=args.repetition_penalty, max_new_tokens=args.max_tokens,
                            seed=args.seed)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("generate", help="stream a reply to a prompt")
    parser.add_argument("--model", required=True, help="model folder (or installed model id)")
    parser.add_argument("--prompt", required=True)
    parser.add_argument("--system", default=None, help="system prompt")
    parser.add_argument("--json", action="store_true", help="print one JSON object with text and figures at the end")
    parser.add_argument("--choices", type=int, default=0, metavar="N",
                        help="with --json: for every token, the N tokens the model found most likely")
    add_sampling_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from app.models import resolve_model

    settings = settings_from(args).validated()
    session = ChatSession(load_model(resolve_model(args.model), args.provider))
    if session.loaded.info.fallback_reason:
        print(f"localchat: {session.loaded.info.fallback_reason}", file=sys.stderr)
    messages = ([Message("system", args.system)] if args.system else []) + [Message("user", args.prompt)]
    reply = session.reply(messages, settings, explain=max(0, args.choices) if args.json else 0)
    parts = []
    for text in reply:
        parts.append(text)
        if not args.json:
            sys.stdout.write(text)
            sys.stdout.flush()
    if args.json:
        record = reply.record.to_dict()
        keys = ("prompt_tokens", "generated_tokens", "reused_tokens", "ttft_s", "decode_tokens_per_s",
                "finish_reason", "provider", "seed", "dropped_messages")
        result = {"text": "".join(parts), **{k: record[k] for k in keys}}
        if reply.steps:
            result["choices"] = [[asdict(a) for a in step.alternatives] for step in reply.steps]
        print(json.dumps(result, ensure_ascii=False))
    else:
        sys.stdout.write("\n")
    return 0
