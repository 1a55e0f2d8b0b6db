"""Export a conversation to Markdown (to read or share) or JSON (to keep, move or import again).

Markdown holds the active thread only.  JSON holds every message including inactive
alternatives, with each reply's model, sampling settings and stats, so importing it
gives back the same conversation.  Message ids in JSON are numbered from 1 within the
file; they only link parents and children.  Importing is ``app.storage.importing``.
"""

from __future__ import annotations

import json
from typing import Any

from app.storage.store import ConversationStore, Message

FORMAT_NAME = "localchat-conversation"
FORMAT_VERSION = 1
_SPEAKERS = {"system": "System", "user": "You", "assistant": "Assistant"}
_ENDINGS = {
    "cancelled": "Stopped before the end.",
    "interrupted": "Cut off: LocalChat closed while writing this reply.",
    "streaming": "Still being written when exported.",
}


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
