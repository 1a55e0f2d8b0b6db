"""ConversationStore: conversations and their messages in one SQLite file.

Messages form a tree so editing and regenerating keep what came before: a message's
``parent_id`` is the message before it, siblings are alternatives, and one sibling per
group is active.  The active thread is what the chat shows and what the model sees.

The store is plain Python (no Qt, no engine classes) and is used from one thread.
Every write is a short transaction; a reply is saved when generation starts (status
``streaming``), updated while it streams and finished with its stats, so a crash loses
at most the last second of text and leaves a row that ``mark_interrupted_replies`` flags.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Literal, TypeVar

from app import paths
# DatabaseTooNew and StorageUnavailable live with the file handling but stay importable from here.
from app.storage.database import MEMORY, DatabaseTooNew, StorageUnavailable, copy_to_memory, open_database, run_transaction
from engine.errors import LocalChatError

DB_NAME = "conversations.sqlite3"
TITLE_LENGTH = 60
MEMORY_NOTICE = ("Your conversations can't be saved (the disk is full or read-only); "
                 "this chat is kept in memory until you close LocalChat.")
TOO_NEW_NOTICE = ("Your conversations were saved by a newer version of LocalChat, so this chat is kept "
                  "in memory until you close LocalChat; update LocalChat to see them.")

ReplyStatus = Literal["done", "cancelled", "error"]
T = TypeVar("T")


class ConversationNotFound(LocalChatError):
    pass


class MessageNotFound(LocalChatError):
    pass


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


def default_path() -> Path:
    return paths.data_dir() / DB_NAME


def utc_now() -> str:
    """Timestamps are ISO 8601 in UTC, so sorting them as text sorts them in time."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def derive_title(text: str) -> str:
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(first_line) <= TITLE_LENGTH:
        return first_line
    return first_line[: TITLE_LENGTH - 1].rstrip() + "…"


def _connect(target: str) -> sqlite3.Connection:
    """The one place connections are made (tests replace it to inject disk failures).

    It stays here and is handed to ``app.storage.database`` on every call, so replacing
    ``app.storage.store._connect`` reaches every connection the store opens.
    """
    return sqlite3.connect(target, isolation_level=None)


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


def _message(row: Sequence[Any]) -> Message:
    return Message(
        id=row[0], conversation_id=row[1], parent_id=row[2], role=row[3], content=row[4], status=row[5],
        created_at=row[6], updated_at=row[7], model=row[8], provider=row[9],
        settings=json.loads(row[10]) if row[10] else {}, stats=json.loads(row[11]) if row[11] else {},
        error=row[12], active=bool(row[13]),
        alternative_index=row[16] if len(row) > 16 else 1, alternative_count=row[17] if len(row) > 17 else 1,
        tokens=_json_object(row[14]), provenance=_json_object(row[15]),
    )


def _json_object(text: str | None) -> dict[str, Any] | None:
    """A stored JSON object, or None when there is none or it cannot be read (never raises on stored data)."""
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _conversation(row: Sequence[Any]) -> Conversation:
    return Conversation(id=row[0], title=row[1], created_at=row[2], updated_at=row[3], renamed=bool(row[4]),
                        message_count=row[5])


class ConversationStore:
    """Conversations in ``path`` (a file, or ``":memory:"``).

    ``recovered_from`` is set when a damaged file was moved aside on open, and ``notice``
    holds one plain sentence the app should show (damaged file moved aside, or the store
    now keeps this session in memory).
    """

    def __init__(self, path: Path | str, *, clock: Callable[[], str] = utc_now,
                 fallback_to_memory: bool = False) -> None:
        self.path = str(path)
        self._clock = clock
        self._fallback_to_memory = fallback_to_memory
        self._db, self.recovered_from, self.notice = open_database(self.path, _connect)

    @classmethod
    def open_default(cls) -> ConversationStore:
        """The app's store: the real file if usable, else memory with ``notice`` explaining why.

        It also switches to memory (copying what it holds) if a write fails later, so a
        full disk mid-chat costs the user persistence, not the chat.
        """
        try:
            return cls(default_path(), fallback_to_memory=True)
        except StorageUnavailable:
            store = cls(MEMORY)
            store.notice = MEMORY_NOTICE
        except DatabaseTooNew:
            store = cls(MEMORY)
            store.notice = TOO_NEW_NOTICE
        return store

    # -- closing and writing --------------------------------------------------------------

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ConversationStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work`` in one transaction; if the disk refuses it, a fallback store carries on in memory."""
        try:
            return run_transaction(self._db, work, self.path)
        except StorageUnavailable:
            if not self._fallback_to_memory or self.path == MEMORY:
                raise
        self._db = copy_to_memory(self._db, _connect)
        self.path = MEMORY
        self.notice = MEMORY_NOTICE
        return run_transaction(self._db, work, self.path)

    # -- conversations --------------------------------------------------------------------

    def create_conversation(self, system_prompt: str = "") -> Conversation:
        """A new, empty conversation; a non-empty ``system_prompt`` becomes its first message."""
        def work(db: sqlite3.Connection) -> int:
            now = self._clock()
            cursor = db.execute("INSERT INTO conversations (created_at, updated_at) VALUES (?, ?)", (now, now))
            if system_prompt:
                self._insert(db, cursor.lastrowid, None, role="system", content=system_prompt, now=now)
            return cursor.lastrowid

        return self.get_conversation(self._write(work))

    def get_conversation(self, conversation_id: int) -> Conversation:
        row = self._db.execute(
            f"SELECT {_CONVERSATION_COLUMNS} FROM conversations c WHERE c.id = ? AND c.deleted_at IS NULL",
            (conversation_id,),
        ).fetchone()
        if row is None:
            raise ConversationNotFound(f"There is no conversation {conversation_id}; "
                                       "run `localchat history list` to see the conversations you have.")
        return _conversation(row)

    def list_conversations(self, limit: int | None = None) -> list[Conversation]:
        """Newest first by last activity, as the sidebar shows them."""
        rows = self._db.execute(
            f"SELECT {_CONVERSATION_COLUMNS} FROM conversations c WHERE c.deleted_at IS NULL "
            "ORDER BY c.updated_at DESC, c.id DESC LIMIT ?",
            (-1 if limit is None else limit,),
        )
        return [_conversation(row) for row in rows]

    def latest_conversation_id(self) -> int | None:
        row = self._db.execute(
            "SELECT id FROM conversations WHERE deleted_at IS NULL ORDER BY updated_at DESC, id DESC LIMIT 1"
        ).fetchone()
        return row[0] if row else None

    def rename(self, conversation_id: int, title: str) -> None:
        """Give a conversation its own title; an empty title goes back to the automatic one."""
        self.get_conversation(conversation_id)
        title = " ".join(title.split())

        def work(db: sqlite3.Connection) -> None:
            if title:
                db.execute("UPDATE conversations SET title = ?, renamed = 1 WHERE id = ?", (title, conversation_id))
                return
            row = db.execute("SELECT content FROM messages WHERE conversation_id = ? AND role = 'user' "
                             "ORDER BY id LIMIT 1", (conversation_id,)).fetchone()
            db.execute("UPDATE conversations SET title = ?, renamed = 0 WHERE id = ?",
                       (derive_title(row[0]) if row else "", conversation_id))

        self._write(work)

    def delete_conversation(self, conversation_id: int) -> None:
        """Hide a conversation; ``restore_conversation`` undoes this until ``purge_deleted`` runs."""
        self.get_conversation(conversation_id)
        self._write(lambda db: db.execute("UPDATE conversations SET deleted_at = ? WHERE id = ?",
                                          (self._clock(), conversation_id)))

    def restore_conversation(self, conversation_id: int) -> None:
        self._write(lambda db: db.execute("UPDATE conversations SET deleted_at = NULL WHERE id = ?",
                                          (conversation_id,)))
        self.get_conversation(conversation_id)

    def purge_deleted(self, older_than: timedelta = timedelta(0)) -> int:
        """Remove for good the conversations deleted more than ``older_than`` ago; return how many."""
        cutoff = (datetime.fromisoformat(self._clock()) - older_than).isoformat(timespec="microseconds")
        return self._write(lambda db: db.execute(
            "DELETE FROM conversations WHERE deleted_at IS NOT NULL AND deleted_at <= ?", (cutoff,)).rowcount)

    # -- messages -------------------------------------------------------------------------

    def add_user_message(self, conversation_id: int, content: str, *,
                         alternative_to: int | None = None) -> Message:
        """Save what the user sent, before generation starts.

        By default it follows the active thread; ``alternative_to`` (a user message's id)
        makes it an edit of that message, keeping the original as an alternative.
        """
        def work(db: sqlite3.Connection) -> int:
            parent_id = self._parent_for(db, conversation_id, "user", alternative_to)
            now = self._clock()
            message_id = self._insert(db, conversation_id, parent_id, role="user", content=content, now=now)
            db.execute("UPDATE conversations SET updated_at = ?, "
                       "title = CASE WHEN renamed = 0 AND title = '' THEN ? ELSE title END WHERE id = ?",
                       (now, derive_title(content), conversation_id))
            return message_id

        return self.message(self._write(work))

    def start_reply(self, conversation_id: int, *, model: str, provider: str, settings: Mapping[str, Any],
                    alternative_to: int | None = None) -> Message:
        """Create the assistant's row as generation starts (status ``streaming``).

        ``settings`` are the sampling settings actually used (temperature, top_p, top_k,
        repetition_penalty, max_new_tokens, seed).  ``alternative_to`` (an assistant
        message's id) regenerates that reply, keeping the old one as an alternative.
        """
        def work(db: sqlite3.Connection) -> int:
            parent_id = self._parent_for(db, conversation_id, "assistant", alternative_to)
            now = self._clock()
            message_id = self._insert(db, conversation_id, parent_id, role="assistant", content="", now=now,
                                      status="streaming", model=model, provider=provider,
                                      settings=json.dumps(dict(settings)))
            db.execute("UPDATE conversations SET updated_at = ? WHERE id = ?", (now, conversation_id))
            return message_id

        return self.message(self._write(work))

    def update_reply(self, message_id: int, content: str) -> None:
        """Save the text streamed so far (the app calls this about once a second)."""
        self._write(lambda db: db.execute(
            "UPDATE messages SET content = ?, updated_at = ? WHERE id = ? AND status = 'streaming'",
            (content, self._clock(), message_id)))

    def finish_reply(self, message_id: int, *, status: ReplyStatus, content: str, stats: Mapping[str, Any],
                     error: str | None = None, tokens: Mapping[str, Any] | None = None,
                     provenance: Mapping[str, Any] | None = None) -> Message:
        """Record how a reply ended, its final text and its stats (tokens, ttft_s, finish_reason...), and
        when known its token data and provenance."""
        if status not in ("done", "cancelled", "error"):
            raise ValueError(f"unknown reply status {status!r}")

        def work(db: sqlite3.Connection) -> None:
            now = self._clock()
            updated = db.execute(
                "UPDATE messages SET status = ?, content = ?, stats = ?, error = ?, updated_at = ?, "
                "tokens = COALESCE(?, tokens), provenance = COALESCE(?, provenance) "
                "WHERE id = ? AND role = 'assistant'",
                (status, content, json.dumps(dict(stats)), error, now,
                 json.dumps(dict(tokens)) if tokens else None, json.dumps(dict(provenance)) if provenance else None,
                 message_id))
            if updated.rowcount == 0:
                raise self._missing_message(message_id)
            db.execute("UPDATE conversations SET updated_at = ? "
                       "WHERE id = (SELECT conversation_id FROM messages WHERE id = ?)", (now, message_id))

        self._write(work)
        return self.message(message_id)

    def mark_interrupted_replies(self) -> list[int]:
        """Flag replies left ``streaming`` by a LocalChat that was killed; call once on start."""
        def work(db: sqlite3.Connection) -> list[int]:
            ids = [row[0] for row in db.execute("SELECT id FROM messages WHERE status = 'streaming' ORDER BY id")]
            db.execute("UPDATE messages SET status = 'interrupted' WHERE status = 'streaming'")
            return ids

        return self._write(work)

    def message(self, message_id: int) -> Message:
        row = self._db.execute(f"SELECT {_MESSAGE_COLUMNS} FROM messages m WHERE m.id = ?",
                               (message_id,)).fetchone()
        if row is None:
            raise self._missing_message(message_id)
        return _message(row)

    def thread(self, conversation_id: int) -> list[Message]:
        """The active thread in order: what the chat shows and what the model is given."""
        return [_message(row) for row in self._db.execute(_THREAD_SQL, {"c": conversation_id})]

    def alternatives(self, message_id: int) -> list[Message]:
        """The message and its siblings (same parent), oldest first."""
        anchor = self.message(message_id)
        rows = self._db.execute(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages m WHERE m.conversation_id = ? AND m.parent_id IS ? "
            "ORDER BY m.id", (anchor.conversation_id, anchor.parent_id)).fetchall()
        return [_message([*row, index, len(rows)]) for index, row in enumerate(rows, start=1)]

    def activate(self, message_id: int) -> None:
        """Make this alternative the active one at its position; the thread follows its branch."""
        anchor = self.message(message_id)
        self._write(lambda db: db.execute(
            "UPDATE messages SET active = (id = ?) WHERE conversation_id = ? AND parent_id IS ?",
            (message_id, anchor.conversation_id, anchor.parent_id)))

    def all_messages(self, conversation_id: int) -> list[Message]:
        """Every message including inactive alternatives, parents before children."""
        rows = self._db.execute(f"SELECT {_MESSAGE_COLUMNS} FROM messages m WHERE m.conversation_id = ? "
                                "ORDER BY m.id", (conversation_id,))
        return [_message(row) for row in rows]

    def import_conversation(self, *, title: str, renamed: bool, created_at: str, updated_at: str,
                            messages: Sequence[Mapping[str, Any]]) -> int:
        """Add a whole conversation in one transaction; return its new id.

        Each message mapping has the ``Message`` fields; ``id`` and ``parent_id`` may be any
        numbering local to ``messages`` (parents listed before children).
        """
        def work(db: sqlite3.Connection) -> int:
            conversation_id = db.execute(
                "INSERT INTO conversations (title, renamed, created_at, updated_at) VALUES (?, ?, ?, ?)",
                (title, int(renamed), created_at, updated_at)).lastrowid
            new_ids: dict[Any, int] = {}
            for item in messages:
                parent = item.get("parent_id")
                if parent is not None and parent not in new_ids:
                    raise ValueError(f"message {item.get('id')!r} comes before its parent {parent!r}")
                new_ids[item["id"]] = db.execute(
                    "INSERT INTO messages (conversation_id, parent_id, active, role, content, status, created_at, "
                    "updated_at, model, provider, settings, stats, error, tokens, provenance) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (conversation_id, new_ids.get(parent), int(item.get("active", True)), item["role"],
                     item["content"], item.get("status", "done"), item["created_at"],
                     item.get("updated_at", item["created_at"]), item.get("model"), item.get("provider"),
                     json.dumps(item["settings"]) if item.get("settings") else None,
                     json.dumps(item["stats"]) if item.get("stats") else None, item.get("error"),
                     json.dumps(item["tokens"]) if isinstance(item.get("tokens"), dict) else None,
                     json.dumps(item["provenance"]) if isinstance(item.get("provenance"), dict) else None)).lastrowid
            return conversation_id

        return self._write(work)

    # -- search ---------------------------------------------------------------------------

    def search(self, text: str, limit: int = 50) -> list[SearchHit]:
        """Conversations whose title or messages contain ``text`` (any case), newest first."""
        needle = text.strip()
        if not needle:
            return []
        like = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        if len(needle) >= 3:  # the trigram index needs three characters
            matching = "SELECT rowid FROM messages_fts WHERE messages_fts MATCH :phrase"
        else:
            matching = "SELECT id FROM messages WHERE content LIKE :like ESCAPE '\\'"
        rows = self._db.execute(
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

    # -- helpers --------------------------------------------------------------------------

    def _parent_for(self, db: sqlite3.Connection, conversation_id: int, role: str,
                    alternative_to: int | None) -> int | None:
        if alternative_to is not None:
            anchor = self.message(alternative_to)
            if anchor.conversation_id != conversation_id:
                raise self._missing_message(alternative_to)
            if anchor.role != role:
                raise ValueError(f"a {role} message cannot be an alternative to a {anchor.role} message")
            return anchor.parent_id
        self.get_conversation(conversation_id)
        tail = db.execute(_TAIL_SQL, {"c": conversation_id}).fetchone()
        return tail[0] if tail else None

    @staticmethod
    def _insert(db: sqlite3.Connection, conversation_id: int, parent_id: int | None, *, role: str, content: str,
                now: str, status: str = "done", model: str | None = None, provider: str | None = None,
                settings: str | None = None) -> int:
        # A new message is the active alternative at its position.
        db.execute("UPDATE messages SET active = 0 WHERE conversation_id = ? AND parent_id IS ?",
                   (conversation_id, parent_id))
        return db.execute(
            "INSERT INTO messages (conversation_id, parent_id, role, content, status, created_at, updated_at, "
            "model, provider, settings) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (conversation_id, parent_id, role, content, status, now, now, model, provider, settings)).lastrowid

    @staticmethod
    def _missing_message(message_id: int) -> MessageNotFound:
        return MessageNotFound("That message no longer exists; reload the conversation and try again.",
                               f"message id {message_id}")


def _snippet(content: str, needle: str, width: int = 40) -> str:
    at = content.lower().find(needle.lower())
    if at < 0:
        return content[: 2 * width]
    start, end = max(0, at - width), min(len(content), at + len(needle) + width)
    return ("…" if start else "") + " ".join(content[start:end].split()) + ("…" if end < len(content) else "")
