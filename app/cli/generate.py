"""``localchat generate``: stream one reply to stdout, without a window."""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import asdict

from app.cli.backend_args import add_backend_arguments, api_key
from engine.backend import Backend
from engine.runtime.conversation import Message
from engine.runtime.inprocess import InProcessBackend
from engine.runtime.model import ModelInfo
from engine.runtime.providers import PROVIDERS
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
    parser.add_argument("--model", help="model folder (or installed model id); or use --backend")
    parser.add_argument("--prompt", required=True)
    parser.add_argument("--system", default=None, help="system prompt")
    parser.add_argument("--json", action="store_true", help="print one JSON object with text and figures at the end")
    parser.add_argument("--choices", type=int, default=0, metavar="N",
                        help="with --json: for every token, the N tokens the model found most likely")
    add_sampling_arguments(parser)
    add_backend_arguments(parser)
    parser.set_defaults(func=run, parser=parser)


def open_backend(args: argparse.Namespace) -> tuple[Backend, ModelInfo]:
    """This machine's engine on ``--model``, or the server at ``--backend``, with its model chosen."""
    if args.backend:
        from engine.remote.openai_backend import OpenAIBackend

        backend: Backend = OpenAIBackend(args.backend, api_key(args))
        return backend, backend.load(args.remote_model or "")
    from app import paths
    from app.models import resolve_model

    backend = InProcessBackend(paths.model_hash_cache())
    return backend, backend.load(resolve_model(args.model), args.provider)


def run(args: argparse.Namespace) -> int:
    if bool(args.model) == bool(args.backend):
        args.parser.error("give either --model (a model on this machine) or --backend (a server)")
    settings = settings_from(args).validated()
    backend, info = open_backend(args)
    if info.fallback_reason:
        print(f"localchat: {info.fallback_reason}", file=sys.stderr)
    messages = ([Message("system", args.system)] if args.system else []) + [Message("user", args.prompt)]
    try:
        return _print_reply(backend, info, messages, settings, args)
    finally:
        backend.close()


def _print_reply(backend: Backend, info: ModelInfo, messages: list[Message], settings: SamplingSettings,
                 args: argparse.Namespace) -> int:
    reply = backend.reply(messages, settings, explain=max(0, args.choices) if args.json else 0)
    parts = []
    for text in reply:
        parts.append(text)
        if not args.json:
            sys.stdout.write(text)
            sys.stdout.flush()
    if args.json:
        record = reply.record.to_dict()
        keys = ("prompt_tokens", "generated_tokens", "reused_tokens", "ttft_s", "decode_tokens_per_s",
                "finish_reason", "provider", "seed", "dropped_messages", "counted_by", "notes")
        result = {"text": "".join(parts), **{k: record[k] for k in keys}, "fallback_reason": info.fallback_reason}
        if record["server"]:
            result.update(server=record["server"], model=record["model"])
        if reply.steps:
            result["choices"] = [[_plain(asdict(a)) for a in step.alternatives] for step in reply.steps]
        if reply.token_ids:
            texts = backend.session.texts if isinstance(backend, InProcessBackend) and backend.session else None
            result["tokens"] = [{"id": t, "text": texts.raw(t) if texts else ""} for t in reply.token_ids]
        if reply.provenance is not None:
            result["provenance"] = reply.provenance.to_dict()
        print(json.dumps(result, ensure_ascii=False))
    else:
        sys.stdout.write("\n")
        for note in reply.record.notes:
            print(f"localchat: {note}", file=sys.stderr)
    return 0


def _plain(alternative: dict) -> dict:
    """NaN (a probability a server did not give) is not JSON: it is written as null."""
    return {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in alternative.items()}
