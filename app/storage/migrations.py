"""Schema of the conversations database as named, append-only migrations.

Each migration is a function that changes the schema one step; ``MIGRATIONS`` lists them
in the order they are applied.  Never edit or reorder a migration that has shipped: add a
new one, and add what its database holds to ``_EXPECTED`` (``recognise`` sets aside a file
that does not match its version).  A database's version is the number of migrations applied, kept in
``PRAGMA user_version`` (cheap to read before touching anything) and, by name, in the
``_migrations`` table (readable by a human debugging a user's file).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from typing import Callable

Migration = Callable[[sqlite3.Connection], None]


def _run(db: sqlite3.Connection, *statements: str) -> None:
    # Not executescript(): it commits first, which would split a migration from its bookkeeping.
    for statement in statements:
        db.execute(statement)


def m001_initial(db: sqlite3.Connection) -> None:
    """Conversations and a tree of messages.

    A message's ``parent_id`` is the message before it in the thread; siblings (same
    parent) are alternatives made by editing or regenerating, and exactly one sibling in
    each group has ``active = 1``.  The active thread follows the active child from the
    root down.
    """
    _run(
        db,
        """CREATE TABLE conversations (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL DEFAULT '',
            renamed INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            deleted_at TEXT
        )""",
        "CREATE INDEX conversations_by_update ON conversations(deleted_at, updated_at)",
        """CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            parent_id INTEGER REFERENCES messages(id) ON DELETE CASCADE,
            active INTEGER NOT NULL DEFAULT 1,
            role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
            content TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'done',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            model TEXT,
            provider TEXT,
            settings TEXT,
            stats TEXT,
            error TEXT
        )""",
        "CREATE INDEX messages_by_conversation ON messages(conversation_id, parent_id)",
        "CREATE INDEX messages_by_parent ON messages(parent_id, active)",
        "CREATE INDEX messages_by_status ON messages(status)",
    )


def m002_message_search(db: sqlite3.Connection) -> None:
    """Full-text index over message text, so searching a long history stays fast.

    The trigram tokenizer matches any substring of three or more characters without
    regard to case, which is what people expect from a search box.  Triggers keep the
    index in step with the messages table; existing messages are indexed here.
    """
    _run(
        db,
        """CREATE VIRTUAL TABLE messages_fts USING fts5(
            content, content='messages', content_rowid='id', tokenize='trigram'
        )""",
        "INSERT INTO messages_fts(rowid, content) SELECT id, content FROM messages",
        """CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
            INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
        END""",
        """CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
            INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
        END""",
        """CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
            INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
            INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
        END""",
    )


def m003_reply_tokens_and_provenance(db: sqlite3.Connection) -> None:
    """Per-token data and provenance of replies.

    ``tokens`` holds a reply's token ids and, when they were kept, the choices at every step (JSON,
    see app.storage.token_data); ``provenance`` the model's name and file hash, provider, settings,
    seed and versions that wrote it.  Replies stored before this migration have neither and stay as
    they were.
    """
    _run(db, "ALTER TABLE messages ADD COLUMN tokens TEXT", "ALTER TABLE messages ADD COLUMN provenance TEXT")


MIGRATIONS: list[Migration] = [m001_initial, m002_message_search, m003_reply_tokens_and_provenance]
LATEST_VERSION = len(MIGRATIONS)


# What each version's database holds: tables (and views) with the columns LocalChat relies on.
_EXPECTED: list[dict[str, set[str]]] = [
    {},
    {"conversations": {"id", "title", "renamed", "created_at", "updated_at", "deleted_at"},
     "messages": {"id", "conversation_id", "parent_id", "active", "role", "content", "status", "created_at",
                  "updated_at", "model", "provider", "settings", "stats", "error"},
     "_migrations": {"name", "applied_at"}},
]
_EXPECTED.append({**_EXPECTED[1], "messages_fts": {"content"}})
_EXPECTED.append({**_EXPECTED[2], "messages": _EXPECTED[2]["messages"] | {"tokens", "provenance"}})


class Unrecognised(Exception):
    """The file is an SQLite database, but not one written by this or an older LocalChat."""


def schema_version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def recognise(db: sqlite3.Connection) -> None:
    """Check, reading only, that ``db`` is what LocalChat's migrations made at its version.

    A newer version is the caller's business (refused untouched); anything else that does not
    match (a negative version, another program's tables, a version whose tables are missing)
    raises ``Unrecognised`` so the file can be set aside before anything writes to it.
    """
    version = schema_version(db)
    if version < 0:
        raise Unrecognised(f"user_version {version}")
    if version > LATEST_VERSION:
        return
    tables = {name for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE 'messages_fts_%'")}
    expected = _EXPECTED[version]
    if tables != set(expected):
        raise Unrecognised(f"version {version} should hold {sorted(expected)}, holds {sorted(tables)}")
    for table, columns in expected.items():
        have = {row[1] for row in db.execute(f'PRAGMA table_info("{table}")')}
        if not columns <= have:
            raise Unrecognised(f"{table} lacks {sorted(columns - have)}")
    if version:
        names = [name for (name,) in db.execute("SELECT name FROM _migrations ORDER BY rowid")]
        if names != [step.__name__ for step in MIGRATIONS[:version]]:
            raise Unrecognised(f"version {version} with migrations {names}")


def migrate(db: sqlite3.Connection, target: int = LATEST_VERSION) -> list[str]:
    """Apply the migrations a database lacks, up to ``target``; return their names.

    Each migration runs in its own transaction together with its bookkeeping, so a
    crash leaves the database at a clean version.  ``db`` must be in autocommit mode
    (``isolation_level=None``) so the explicit BEGIN/COMMIT here are the only ones.
    """
    applied: list[str] = []
    for version in range(schema_version(db) + 1, target + 1):
        step = MIGRATIONS[version - 1]
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
            step(db)
            db.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                (step.__name__, datetime.now(timezone.utc).isoformat(timespec="seconds")),
            )
            db.execute(f"PRAGMA user_version = {version}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        applied.append(step.__name__)
    return applied
