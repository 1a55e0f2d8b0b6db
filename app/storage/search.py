"""Searching conversations: titles and message text, through the FTS5 trigram index when it can."""

from __future__ import annotations

import sqlite3

from app.storage.rows import SearchHit


def search(db: sqlite3.Connection, text: str, limit: int = 50) -> list[SearchHit]:
    """Conversations whose title or messages contain ``text`` (any case), newest first."""
    needle = text.strip()
    if not needle:
        return []
    like = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    if len(needle) >= 3:  # the trigram index needs three characters
        matching = "SELECT rowid FROM messages_fts WHERE messages_fts MATCH :phrase"
    else:
        matching = "SELECT id FROM messages WHERE content LIKE :like ESCAPE '\\'"
    rows = db.execute(
        f"""
        WITH hits AS (
            SELECT m.conversation_id, MAX(m.id) AS message_id, m.content
            FROM messages m WHERE m.id IN ({matching}) GROUP BY m.conversation_id
        )
        SELECT c.id, c.title, c.updated_at, hits.message_id, hits.content
        FROM conversations c LEFT JOIN hits ON hits.conversation_id = c.id
        WHERE c.deleted_at IS NULL AND (hits.message_id IS NOT NULL OR c.title LIKE :like ESCAPE '\\')
        ORDER BY c.updated_at DESC, c.id DESC LIMIT :limit
        """,
        {"phrase": '"' + needle.replace('"', '""') + '"', "like": like, "limit": limit},
    )
    return [SearchHit(conversation_id=row[0], title=row[1], updated_at=row[2], message_id=row[3],
                      snippet=_snippet(row[4], needle) if row[4] is not None else row[1])
            for row in rows]


def _snippet(content: str, needle: str, width: int = 40) -> str:
    at = content.lower().find(needle.lower())
    if at < 0:
        return content[: 2 * width]
    start, end = max(0, at - width), min(len(content), at + len(needle) + width)
    return ("…" if start else "") + " ".join(content[start:end].split()) + ("…" if end < len(content) else "")
