"""``localchat history``: list saved conversations and import exported ones."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from app.storage.export import ImportFailed, import_json
from app.storage.store import Conversation, ConversationStore, default_path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("history", help="list saved conversations, import exported ones")
    commands = parser.add_subparsers(dest="history_command", metavar="ACTION", required=True)

    listing = commands.add_parser("list", help="saved conversations, most recent first")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(func=run_list)

    importing = commands.add_parser("import", help="add a conversation from a `localchat export --format json` file")
    importing.add_argument("file", type=Path)
    importing.set_defaults(func=run_import)


def open_store() -> ConversationStore:
    """The real database, never the in-memory fallback: a command must not pretend it saved or found nothing."""
    store = ConversationStore(default_path())
    if store.notice:
        print(f"localchat: {store.notice}", file=sys.stderr)
    return store


def run_list(args: argparse.Namespace) -> int:
    with open_store() as store:
        conversations = store.list_conversations()
    if args.json:
        print(json.dumps([_as_json(c) for c in conversations], indent=1, ensure_ascii=False))
        return 0
    if not conversations:
        print("No conversations yet.")
        return 0
    print(f"{'ID':>6}  {'UPDATED':16}  {'MESSAGES':>8}  TITLE")
    for c in conversations:
        print(f"{c.id:>6}  {_local_time(c.updated_at):16}  {c.message_count:>8}  {c.title or '(untitled)'}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    try:
        text = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ImportFailed(f"LocalChat couldn't read {args.file}; check the file name and try again.",
                           str(error)) from error
    with open_store() as store:
        conversation = store.get_conversation(import_json(store, text))
    print(f"Imported conversation {conversation.id}: {conversation.title or '(untitled)'}")
    return 0


def _as_json(conversation: Conversation) -> dict:
    return {"id": conversation.id, "title": conversation.title, "created_at": conversation.created_at,
            "updated_at": conversation.updated_at, "message_count": conversation.message_count}


def _local_time(stamp: str) -> str:
    return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
