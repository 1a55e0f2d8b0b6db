"""``localchat history``: list saved conversations, import exported ones, delete one."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from app.storage.importing import import_json, read_export_file
from app.storage.store import Conversation, ConversationStore, StorageUnavailable, default_path
from app.storage.validate import Notes


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("history", help="list saved conversations, import exported ones, delete one")
    commands = parser.add_subparsers(dest="history_command", metavar="ACTION", required=True)

    listing = commands.add_parser("list", help="saved conversations, most recent first")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(func=run_list)

    importing = commands.add_parser("import", help="add a conversation from a `localchat export --format json` file")
    importing.add_argument("file", type=Path)
    importing.set_defaults(func=run_import)

    deleting = commands.add_parser("delete", help="delete a conversation for good (see `history list` for ids)")
    deleting.add_argument("id", type=int)
    deleting.set_defaults(func=run_delete)


def open_store(*, reading: bool = False) -> ConversationStore:
    """The real database, never the in-memory fallback: a command must not pretend it saved or found nothing.

    A command that only reads (``reading``) still works when the file can't be written (read-only or
    full disk): it reads a copy in memory, so the user can always list and export what is stored.
    """
    try:
        store = ConversationStore(default_path())
    except StorageUnavailable as error:
        if not reading:
            raise
        store = ConversationStore.read_only_copy_of(str(default_path()))
        print(f"localchat: {error.user_message} Showing what is stored.", file=sys.stderr)
    if store.notice:
        print(f"localchat: {store.notice}", file=sys.stderr)
    return store


def run_list(args: argparse.Namespace) -> int:
    with open_store(reading=True) as store:
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
    text = read_export_file(args.file)
    notes = Notes()
    with open_store() as store:
        conversation = store.get_conversation(import_json(store, text, notes))
    for line in notes.lines:
        print(f"localchat: repaired {line}", file=sys.stderr)
    print(f"Imported conversation {conversation.id}: {conversation.title or '(untitled)'}")
    return 0


def run_delete(args: argparse.Namespace) -> int:
    with open_store() as store:
        title = store.get_conversation(args.id).title
        store.delete_conversation_now(args.id)
    print(f"Deleted conversation {args.id}: {title or '(untitled)'}")
    return 0


def _as_json(conversation: Conversation) -> dict:
    return {"id": conversation.id, "title": conversation.title, "created_at": conversation.created_at,
            "updated_at": conversation.updated_at, "message_count": conversation.message_count}


def _local_time(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except (ValueError, OverflowError):  # written before imports were checked: shown as stored
        return stamp[:16]
