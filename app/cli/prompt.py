"""``localchat prompt``: the exact text and tokens the model reads for a message, without generating."""

from __future__ import annotations

import argparse
import json

from app.cli.inspect_common import add_conversation_arguments, conversation, open_session, visible

KIND_LABELS = {"system": "system prompt", "user": "your message", "assistant": "a reply",
               "template": "added by the chat template", "template_text": "added by the chat template (text)"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("prompt", help="show the templated prompt and its tokens")
    add_conversation_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    xray = open_session(args).prompt_xray(conversation(args))
    if args.json:
        print(json.dumps(xray.to_dict(), ensure_ascii=False))
        return 0
    print(xray.text)
    print(f"\n{len(xray.tokens)} tokens:")
    for segment in xray.segments:
        pieces = " ".join(f"[{visible(t.text)}|{t.id}]" for t in xray.tokens[segment.first_token:segment.end_token])
        print(f"- {KIND_LABELS.get(segment.kind, segment.kind)}: {pieces}")
    return 0
