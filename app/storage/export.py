"""Export a conversation to Markdown (to read or share) or JSON (to keep or move), and import JSON.

Markdown holds the active thread only.  JSON holds every message including inactive
alternatives, with each reply's model, sampling settings and stats, so importing it
gives back the same conversation.  Message ids in JSON are numbered from 1 within the
file; they only link parents and children.
"""

from __future__ import annotations

import json
from typing import Any

from app.storage.store import ConversationStore, Message
from engine.errors import LocalChatError

FORMAT_NAME = "localchat-conversation"
FORMAT_VERSION = 1
ROLES = ("system", "user", "assistant")
_SPEAKERS = {"system": "System", "user": "You", "assistant": "Assistant"}
_ENDINGS = {
    "cancelled": "Stopped before the end.",
    "interrupted": "Cut off: LocalChat closed while writing this reply.",
    "streaming": "Still being written when exported.",
}


class ImportFailed(LocalChatError):
    pass


def export_markdown(store: ConversationStore, conversation_id: int) -> str:
    conversation = store.get_conversation(conversation_id)
    parts = [f"# {conversation.title or 'New chat'}", f"*{conversation.created_at[:10]} · LocalChat*"]
    for message in store.thread(conversation_id):
        heading = f"## {_SPEAKERS[message.role]}"
        if message.role == "assistant" and message.model:
            heading += f" ({message.model})"
        parts.append(heading)
        if message.content:
            parts.append(message.content)
        if message.status == "error":
            parts.append(f"> Failed: {message.error or 'unknown error'}")
        elif message.status in _ENDINGS:
            parts.append(f"> {_ENDINGS[message.status]}")
    return "\n\n".join(parts) + "\n"


def conversation_to_dict(store: ConversationStore, conversation_id: int) -> dict[str, Any]:
    conversation = store.get_conversation(conversation_id)
    messages = store.all_messages(conversation_id)
    local_ids = {message.id: number for number, message in enumerate(messages, start=1)}
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "conversation": {"title": conversation.title, "renamed": conversation.renamed,
                         "created_at": conversation.created_at, "updated_at": conversation.updated_at},
        "messages": [_message_to_dict(message, local_ids) for message in messages],
    }


def export_json(store: ConversationStore, conversation_id: int) -> str:
    return json.dumps(conversation_to_dict(store, conversation_id), indent=2, ensure_ascii=False) + "\n"


def import_json(store: ConversationStore, text: str) -> int:
    """Add the conversation in ``text`` (from ``export_json``) to ``store``; return its new id."""
    try:
        data = json.loads(text)
    except ValueError as error:
        raise _not_an_export(f"not JSON: {error}") from error
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise _not_an_export("no 'format': 'localchat-conversation' field")
    if not isinstance(data.get("version"), int) or data["version"] > FORMAT_VERSION:
        raise ImportFailed("This file was exported by a newer version of LocalChat; update LocalChat to import it.",
                           f"format version {data.get('version')!r}, this LocalChat reads up to {FORMAT_VERSION}")
    try:
        conversation = data["conversation"]
        messages = [_checked_message(item) for item in data["messages"]]
        return store.import_conversation(
            title=str(conversation["title"]), renamed=bool(conversation.get("renamed", False)),
            created_at=str(conversation["created_at"]), updated_at=str(conversation["updated_at"]),
            messages=messages)
    except (KeyError, TypeError, ValueError) as error:
        raise _not_an_export(f"{type(error).__name__}: {error}") from error


def _message_to_dict(message: Message, local_ids: dict[int, int]) -> dict[str, Any]:
    return {
        "id": local_ids[message.id],
        "parent_id": local_ids.get(message.parent_id) if message.parent_id is not None else None,
        "active": message.active,
        "role": message.role,
        "content": message.content,
        "status": message.status,
        "created_at": message.created_at,
        "updated_at": message.updated_at,
        "model": message.model,
        "provider": message.provider,
        "settings": message.settings,
        "stats": message.stats,
        "error": message.error,
        **({"tokens": message.tokens} if message.tokens else {}),
        **({"provenance": message.provenance} if message.provenance else {}),
    }


def _checked_message(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise TypeError("a message is not an object")
    if item.get("role") not in ROLES:
        raise ValueError(f"unknown role {item.get('role')!r}")
    if not isinstance(item.get("content"), str) or not isinstance(item.get("created_at"), str):
        raise ValueError("message content and created_at must be text")
    for key in ("settings", "stats", "tokens", "provenance"):
        if not isinstance(item.get(key) or {}, dict):
            raise ValueError(f"message {key} must be an object")
    return item


def _not_an_export(detail: str) -> ImportFailed:
    return ImportFailed("This file is not a LocalChat conversation export; "
                        "choose a file made with `localchat export --format json`.", detail)
