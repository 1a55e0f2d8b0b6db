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
import logging
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Literal, TypeVar

from app import paths
from app.storage import validate
# DatabaseTooNew, StorageUnavailable and the notices live with the file handling but stay importable from here.
from app.storage.database import MEMORY, DatabaseTooNew, StorageUnavailable  # noqa: F401
from app.storage.file_or_memory import MEMORY_NOTICE, TOO_NEW_NOTICE, FileOrMemory  # noqa: F401
from app.storage.rows import (_ACTIVE_PATH, _CONVERSATION_COLUMNS, _MESSAGE_COLUMNS, _TAIL_SQL, _THREAD_SQL,
                              Conversation, Message, SearchHit, conversation_from_row, message_from_row)
from app.storage.search import search
from app.storage.validate import Notes
from engine.errors import LocalChatError

log = logging.getLogger(__name__)

DB_NAME = "conversations.sqlite3"
TITLE_LENGTH = 60

ReplyStatus = Literal["done", "cancelled", "error"]
T = TypeVar("T")


class ConversationNotFound(LocalChatError):
    pass


class MessageNotFound(LocalChatError):
    pass


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


class ConversationStore(FileOrMemory):
    """Conversations in ``path`` (a file, or ``":memory:"``).

    ``recovered_from`` is set when a file was moved aside on open (damaged, or not one LocalChat
    recognises), with ``notice`` the sentence saying so.  ``unsaved_reason`` is the sentence to
    show for as long as the store keeps what is written in memory only (a full or read-only disk, a
    newer database); it is None while everything is saved.
    """

    def __init__(self, path: Path | str, *, clock: Callable[[], str] = utc_now,
                 fallback_to_memory: bool = False) -> None:
        super().__init__(path, clock=clock, fallback_to_memory=fallback_to_memory)

    @classmethod
    def open_default(cls) -> ConversationStore:
        """The app's store on the default file, or in memory with ``unsaved_reason`` saying why (see ``open_in``)."""
        return cls.open_in(str(default_path()))

    @staticmethod
    def _connect(target: str) -> sqlite3.Connection:
        return _connect(target)  # looked up at call time, so tests that replace ``_connect`` reach every connection

    def unsaved_conversations(self) -> list[Conversation]:
        """Conversations changed while the store kept them in memory only (what to offer to export on close)."""
        if self.unsaved_reason is None:
            return []
        return [c for c in self.list_conversations() if c.updated_at >= (self._memory_since or "")]

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
        return conversation_from_row(row)

    def list_conversations(self, limit: int | None = None) -> list[Conversation]:
        """Newest first by last activity, as the sidebar shows them."""
        rows = self._db.execute(
            f"SELECT {_CONVERSATION_COLUMNS} FROM conversations c WHERE c.deleted_at IS NULL "
            "ORDER BY c.updated_at DESC, c.id DESC LIMIT ?",
            (-1 if limit is None else limit,),
        )
        return [conversation_from_row(row) for row in rows]

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

    def delete_conversation_now(self, conversation_id: int) -> None:
        """Remove a conversation and its messages for good (the CLI's delete: no Undo there)."""
        self.get_conversation(conversation_id)
        self._write(lambda db: db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,)))

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
        notes = Notes()
        model_name = validate.optional_name(model, "model", notes)
        provider_name = validate.optional_name(provider, "provider", notes)
        clean_settings = json.dumps(validate.sampling_settings(settings, "settings", notes))
        _log_repairs("reply settings", notes)

        def work(db: sqlite3.Connection) -> int:
            parent_id = self._parent_for(db, conversation_id, "assistant", alternative_to)
            now = self._clock()
            message_id = self._insert(db, conversation_id, parent_id, role="assistant", content="", now=now,
                                      status="streaming", model=model_name, provider=provider_name,
                                      settings=clean_settings)
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
        notes = Notes()
        clean_stats = json.dumps(validate.reply_stats(stats, "stats", notes))
        error = validate.optional_name(error, "error", notes)
        token_data = validate.json_object(tokens, "tokens", notes)
        made_by = validate.json_object(provenance, "provenance", notes)
        _log_repairs(f"reply {message_id}", notes)

        def work(db: sqlite3.Connection) -> None:
            now = self._clock()
            updated = db.execute(
                "UPDATE messages SET status = ?, content = ?, stats = ?, error = ?, updated_at = ?, "
                "tokens = COALESCE(?, tokens), provenance = COALESCE(?, provenance) "
                "WHERE id = ? AND role = 'assistant'",
                (status, content, clean_stats, error, now, token_data, made_by, message_id))
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
        return message_from_row(row)

    def thread(self, conversation_id: int) -> list[Message]:
        """The active thread in order: what the chat shows and what the model is given."""
        return [message_from_row(row) for row in self._db.execute(_THREAD_SQL, {"c": conversation_id})]

    def alternatives(self, message_id: int) -> list[Message]:
        """The message and its siblings (same parent), oldest first."""
        anchor = self.message(message_id)
        rows = self._db.execute(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages m WHERE m.conversation_id = ? AND m.parent_id IS ? "
            "ORDER BY m.id", (anchor.conversation_id, anchor.parent_id)).fetchall()
        return [message_from_row([*row, index, len(rows)]) for index, row in enumerate(rows, start=1)]

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
        return [message_from_row(row) for row in rows]

    def import_conversation(self, *, title: str, renamed: bool, created_at: str, updated_at: str,
                            messages: Sequence[Mapping[str, Any]]) -> int:
        """Add a whole conversation in one transaction; return its new id.

        Each message mapping has the ``Message`` fields, already through the validation boundary
        (``app.storage.importing``); ``id`` and ``parent_id`` may be any numbering local to
        ``messages`` (parents listed before children).
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
        return search(self._db, text, limit)

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


def _log_repairs(what: str, notes: Notes) -> None:
    if notes.lines:
        log.warning("%s repaired before saving: %s", what, "; ".join(notes.lines))
