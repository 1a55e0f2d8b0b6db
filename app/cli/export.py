"""``localchat export``: write a saved conversation as Markdown or JSON."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.history import open_store
from app.storage.export import export_json, export_markdown
from engine.errors import LocalChatError


class NothingToExport(LocalChatError):
    pass


class ExportNotWritten(LocalChatError):
    pass


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("export", help="write a saved conversation as Markdown or JSON")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--conversation", type=int, metavar="ID", help="conversation id (see `localchat history list`)")
    which.add_argument("--last", action="store_true", help="the most recent conversation (the default)")
    parser.add_argument("--format", choices=["md", "json"], default="md",
                        help="md to read or share, json to keep everything and import later (default: md)")
    parser.add_argument("--output", type=Path, metavar="FILE", help="write here instead of standard output")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with open_store(reading=True) as store:
        conversation_id = args.conversation if args.conversation is not None else store.latest_conversation_id()
        if conversation_id is None:
            raise NothingToExport("There are no saved conversations to export yet; chat first, then export.")
        text = (export_json if args.format == "json" else export_markdown)(store, conversation_id)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise ExportNotWritten(f"LocalChat couldn't write {args.output}; choose another file or folder.",
                               str(error)) from error
    print(f"Exported conversation {conversation_id} to {args.output}", file=sys.stderr)
    return 0
