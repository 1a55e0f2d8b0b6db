"""What the store hands out, and how its rows become those objects.

Reading is the second half of the validation boundary (``app.storage.validate``): a file can
hold rows written by an older LocalChat, by hand or by another program, so every row is turned
into typed values here and whatever cannot be read is repaired (and logged) rather than raised.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.storage import validate
from app.storage.validate import Notes

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Conversation:
    id: int
    title: str
    created_at: str
    updated_at: str
    renamed: bool
    message_count: int  # every saved message, alternatives and system prompt included


@dataclass(frozen=True)
class Message:
    """One message; ``alternative_index`` (1-based) and ``alternative_count`` place it among its siblings."""

    id: int
    conversation_id: int
    parent_id: int | None
    role: str
    content: str
    status: str
    created_at: str
    updated_at: str
    model: str | None
    provider: str | None
    settings: dict[str, Any]
    stats: dict[str, Any]
    error: str | None
    active: bool
    alternative_index: int = 1
    alternative_count: int = 1
    tokens: dict[str, Any] | None = None  # token ids and choices (app.storage.token_data), for replies that kept them
    provenance: dict[str, Any] | None = None  # what wrote the reply (engine.inspect.identity.Provenance)


@dataclass(frozen=True)
class SearchHit:
    conversation_id: int
    title: str
    updated_at: str
    message_id: int | None
    snippet: str


_MESSAGE_COLUMNS = ("m.id, m.conversation_id, m.parent_id, m.role, m.content, m.status, m.created_at, "
                    "m.updated_at, m.model, m.provider, m.settings, m.stats, m.error, m.active, m.tokens, m.provenance")
_CONVERSATION_COLUMNS = ("c.id, c.title, c.created_at, c.updated_at, c.renamed, "
                         "(SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id)")
# The active path: from the active root, follow the active child down.
_ACTIVE_PATH = """
    WITH RECURSIVE thread(id, depth) AS (
        SELECT id, 0 FROM messages WHERE conversation_id = :c AND parent_id IS NULL AND active = 1
        UNION ALL
        SELECT m.id, thread.depth + 1 FROM messages m JOIN thread ON m.parent_id = thread.id WHERE m.active = 1
    )"""
_TAIL_SQL = _ACTIVE_PATH + " SELECT id FROM thread ORDER BY depth DESC LIMIT 1"
_THREAD_SQL = _ACTIVE_PATH + f""",
    siblings AS (
        SELECT id, ROW_NUMBER() OVER (PARTITION BY parent_id ORDER BY id) AS position,
               COUNT(*) OVER (PARTITION BY parent_id) AS total
        FROM messages WHERE conversation_id = :c
    )
    SELECT {_MESSAGE_COLUMNS}, s.position, s.total
    FROM thread JOIN messages m ON m.id = thread.id JOIN siblings s ON s.id = m.id
    ORDER BY thread.depth
"""


def message_from_row(row: Sequence[Any]) -> Message:
    notes = Notes()
    where = f"message {row[0]}"
    message = Message(
        id=row[0], conversation_id=row[1], parent_id=row[2], role=row[3] if row[3] in validate.ROLES else "assistant",
        content=row[4] if isinstance(row[4], str) else _as_text(row[4], f"{where}.content", notes),
        status=row[5] if row[5] in validate.STATUSES else "done",
        created_at=_as_text(row[6], f"{where}.created_at", notes), updated_at=_as_text(row[7], f"{where}.updated_at", notes),
        model=validate.optional_name(row[8], f"{where}.model", notes),
        provider=validate.optional_name(row[9], f"{where}.provider", notes),
        settings=validate.sampling_settings(_json(row[10], f"{where}.settings", notes), f"{where}.settings", notes),
        stats=validate.reply_stats(_json(row[11], f"{where}.stats", notes), f"{where}.stats", notes),
        error=validate.optional_name(row[12], f"{where}.error", notes), active=bool(row[13]),
        alternative_index=row[16] if len(row) > 16 else 1, alternative_count=row[17] if len(row) > 17 else 1,
        tokens=_json_object(row[14], f"{where}.tokens", notes),
        provenance=_json_object(row[15], f"{where}.provenance", notes),
    )
    if notes.lines:
        log.warning("stored %s repaired on reading: %s", where, "; ".join(notes.lines))
    return message


def conversation_from_row(row: Sequence[Any]) -> Conversation:
    notes = Notes()
    where = f"conversation {row[0]}"
    return Conversation(id=row[0], title=_as_text(row[1], f"{where}.title", notes),
                        created_at=_as_text(row[2], f"{where}.created_at", notes),
                        updated_at=_as_text(row[3], f"{where}.updated_at", notes), renamed=bool(row[4]),
                        message_count=row[5])


def _json(value: Any, where: str, notes: Notes) -> Any:
    if not value:
        return {}
    try:
        return json.loads(value)
    except (TypeError, ValueError, RecursionError):
        notes.add(where, "unreadable; dropped")
        return {}


def _json_object(value: Any, where: str, notes: Notes) -> dict[str, Any] | None:
    """A stored JSON object, or None when there is none or it cannot be read (never raises on stored data)."""
    if not value:
        return None
    found = _json(value, where, notes)
    if not isinstance(found, dict):
        notes.add(where, "not an object; dropped")
        return None
    return found


def _as_text(value: Any, where: str, notes: Notes) -> str:
    if isinstance(value, str):
        return value
    notes.add(where, f"{validate.shown(value)} is not text")
    return "" if value is None else str(value)
