"""Each migration upgrades the schema before it without losing data."""

from __future__ import annotations

import sqlite3

import pytest

import app.storage.migrations as migrations
from app.storage.migrations import LATEST_VERSION, MIGRATIONS, migrate, schema_version
from app.storage.store import ConversationStore, default_path


def connect(path=":memory:") -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def add_sample_conversation(db: sqlite3.Connection) -> None:
    """Rows written the way the m001 schema allows: a question and two alternative answers."""
    db.execute("INSERT INTO conversations (id, title, created_at, updated_at) "
               "VALUES (1, 'Lisbon trip', '2025-01-01T00:00:00+00:00', '2025-01-01T00:00:02+00:00')")
    db.executemany(
        "INSERT INTO messages (id, conversation_id, parent_id, active, role, content, status, created_at, updated_at, "
        "model, provider, settings, stats) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (1, None, 1, "user", "Plan a trip to Lisbon", "done", "t1", "t1", None, None, None, None),
            (2, 1, 0, "assistant", "Visit Belém first.", "done", "t2", "t2", "phi", "cpu",
             '{"temperature": 0.7}', '{"generated_tokens": 4}'),
            (3, 1, 1, "assistant", "Start in Alfama.", "streaming", "t3", "t3", "phi", "cpu", "{}", None),
        ],
    )


def table_rows(db: sqlite3.Connection) -> tuple[list, list]:
    return (db.execute("SELECT * FROM conversations ORDER BY id").fetchall(),
            db.execute("SELECT * FROM messages ORDER BY id").fetchall())


def test_migrations_are_named_in_order() -> None:
    names = [step.__name__ for step in MIGRATIONS]
    assert names == sorted(names) and len(set(names)) == len(names)
    assert all(name.startswith(f"m{index:03d}_") for index, name in enumerate(names, start=1))


def test_fresh_database_gets_every_migration_recorded() -> None:
    db = connect()
    assert migrate(db) == [step.__name__ for step in MIGRATIONS]
    assert schema_version(db) == LATEST_VERSION
    assert [row[0] for row in db.execute("SELECT name FROM _migrations ORDER BY rowid")] == \
        [step.__name__ for step in MIGRATIONS]
    assert migrate(db) == []


@pytest.mark.parametrize("version", range(2, LATEST_VERSION + 1))
def test_each_migration_upgrades_the_previous_schema_with_data(version: int) -> None:
    db = connect()
    migrate(db, target=version - 1)
    add_sample_conversation(db)
    before = table_rows(db)

    assert migrate(db, target=version) == [MIGRATIONS[version - 1].__name__]
    assert schema_version(db) == version
    after = table_rows(db)
    # Columns a migration adds come last and are empty for existing rows.
    for old_rows, new_rows in zip(before, after):
        assert [row[:len(old)] for row, old in zip(new_rows, old_rows)] == old_rows
        assert all(value is None for row, old in zip(new_rows, old_rows) for value in row[len(old):])


def test_m003_keeps_old_replies_readable_and_stores_token_data(tmp_path) -> None:
    path = tmp_path / "old.sqlite3"
    db = connect(str(path))
    migrate(db, target=2)
    add_sample_conversation(db)
    db.close()
    with ConversationStore(path) as store:
        old = store.message(2)
        assert old.content == "Visit Belém first." and old.tokens is None and old.provenance is None
        store.finish_reply(2, status="done", content=old.content, stats=old.stats,
                           tokens={"ids": [5, 6], "steps": []}, provenance={"model_name": "phi"})
        assert store.message(2).tokens == {"ids": [5, 6], "steps": []}
        assert store.alternatives(2)[0].provenance == {"model_name": "phi"}


def test_m002_indexes_existing_and_new_messages() -> None:
    db = connect()
    migrate(db, target=1)
    add_sample_conversation(db)
    migrate(db, target=2)

    def matches(phrase: str) -> list[int]:
        return [row[0] for row in db.execute(
            "SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rowid", (f'"{phrase}"',))]

    assert matches("lisbon") == [1]
    db.execute("UPDATE messages SET content = 'Start in Sintra.' WHERE id = 3")
    assert matches("alfama") == [] and matches("SINTRA") == [3]
    db.execute("DELETE FROM messages WHERE id = 3")
    assert matches("sintra") == []


def test_store_opens_a_file_left_at_m001_and_keeps_its_conversation() -> None:
    path = default_path()
    path.parent.mkdir(parents=True)
    db = connect(path)
    migrate(db, target=1)
    add_sample_conversation(db)
    db.close()

    with ConversationStore(path) as store:
        assert schema_version(store._db) == LATEST_VERSION
        conversation = store.list_conversations()[0]
        assert (conversation.title, conversation.message_count) == ("Lisbon trip", 3)
        assert [m.content for m in store.thread(1)] == ["Plan a trip to Lisbon", "Start in Alfama."]
        assert [m.content for m in store.alternatives(3)] == ["Visit Belém first.", "Start in Alfama."]
        assert store.message(2).settings == {"temperature": 0.7}
        assert [hit.conversation_id for hit in store.search("belém")] == [1]
        assert store.mark_interrupted_replies() == [3]


def test_a_failing_migration_leaves_the_previous_version(monkeypatch: pytest.MonkeyPatch) -> None:
    def m003_broken(db: sqlite3.Connection) -> None:
        db.execute("ALTER TABLE conversations ADD COLUMN pinned INTEGER")
        raise sqlite3.OperationalError("simulated failure half way")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*MIGRATIONS, m003_broken])
    db = connect()
    migrate(db, target=LATEST_VERSION)
    with pytest.raises(sqlite3.OperationalError):
        migrate(db, target=LATEST_VERSION + 1)
    assert schema_version(db) == LATEST_VERSION
    columns = [row[1] for row in db.execute("PRAGMA table_info(conversations)")]
    assert "pinned" not in columns
    assert db.execute("SELECT COUNT(*) FROM _migrations").fetchone()[0] == LATEST_VERSION
