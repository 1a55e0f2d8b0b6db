"""ConversationStore: conversations, message tree, crash recovery and bad files."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from itertools import count
from pathlib import Path

import pytest

import app.storage.store as store_module
from app.storage.migrations import LATEST_VERSION
from app.storage.store import (MEMORY_NOTICE, ConversationNotFound, ConversationStore, DatabaseTooNew, StorageUnavailable,
                               default_path, derive_title)
from small_disk import full_disk_connect

SETTINGS = {"temperature": 0.7, "top_p": 0.9, "top_k": 40, "repetition_penalty": 1.0, "max_new_tokens": 512,
            "seed": 1234}
STATS = {"prompt_tokens": 12, "generated_tokens": 5, "reused_tokens": 0, "ttft_s": 0.05,
         "decode_tokens_per_s": 80.0, "finish_reason": "eos"}


@pytest.fixture
def clock():
    """Strictly increasing timestamps, so ordering by time never ties."""
    ticks = count()
    return lambda: f"2025-01-01T00:00:00.{next(ticks):06d}+00:00"


@pytest.fixture
def store(clock) -> ConversationStore:
    with ConversationStore(default_path(), clock=clock) as opened:
        yield opened


def reply(store: ConversationStore, conversation_id: int, text: str, **kwargs) -> int:
    started = store.start_reply(conversation_id, model="stories260k", provider="cpu", settings=SETTINGS, **kwargs)
    store.finish_reply(started.id, status="done", content=text, stats=STATS)
    return started.id


def contents(store: ConversationStore, conversation_id: int) -> list[str]:
    return [message.content for message in store.thread(conversation_id)]


def test_file_is_created_lazily_in_data_dir(localchat_home: Path) -> None:
    assert not localchat_home.exists()
    with ConversationStore.open_default() as opened:
        assert opened.notice is None
    assert (localchat_home / "data" / "conversations.sqlite3").exists()
    db = sqlite3.connect(localchat_home / "data" / "conversations.sqlite3")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION


def test_conversation_round_trip_with_settings_and_stats(store: ConversationStore) -> None:
    conversation = store.create_conversation(system_prompt="You are terse.")
    store.add_user_message(conversation.id, "What is ONNX?")
    reply_id = reply(store, conversation.id, "A model format.")

    thread = store.thread(conversation.id)
    assert [(m.role, m.content) for m in thread] == [
        ("system", "You are terse."), ("user", "What is ONNX?"), ("assistant", "A model format.")]
    answer = thread[-1]
    assert answer.id == reply_id and answer.status == "done"
    assert (answer.model, answer.provider) == ("stories260k", "cpu")
    assert answer.settings == SETTINGS and answer.stats == STATS
    assert store.get_conversation(conversation.id).message_count == 3


def test_reopening_keeps_everything(clock) -> None:
    with ConversationStore(default_path(), clock=clock) as first:
        conversation_id = first.create_conversation().id
        first.add_user_message(conversation_id, "remember me")
    with ConversationStore(default_path(), clock=clock) as second:
        assert contents(second, conversation_id) == ["remember me"]


def test_title_comes_from_first_user_message_until_renamed(store: ConversationStore) -> None:
    conversation = store.create_conversation()
    assert conversation.title == ""
    store.add_user_message(conversation.id, "\n  Plan a trip to Lisbon  \nwith kids")
    store.add_user_message(conversation.id, "second question")
    assert store.get_conversation(conversation.id).title == "Plan a trip to Lisbon"

    store.rename(conversation.id, "  Holiday   plans ")
    assert store.get_conversation(conversation.id).title == "Holiday plans"
    assert store.get_conversation(conversation.id).renamed

    store.rename(conversation.id, "")
    assert store.get_conversation(conversation.id).title == "Plan a trip to Lisbon"


def test_long_titles_are_trimmed() -> None:
    title = derive_title("word " * 40)
    assert len(title) <= 60 and title.endswith("…")


def test_list_is_newest_activity_first(store: ConversationStore) -> None:
    older = store.create_conversation().id
    newer = store.create_conversation().id
    assert [c.id for c in store.list_conversations()] == [newer, older]
    assert store.latest_conversation_id() == newer

    store.add_user_message(older, "back to this one")
    assert [c.id for c in store.list_conversations()] == [older, newer]
    assert store.latest_conversation_id() == older


def test_regenerate_keeps_earlier_replies_as_alternatives(store: ConversationStore) -> None:
    conversation_id = store.create_conversation().id
    store.add_user_message(conversation_id, "Tell me a joke")
    first = reply(store, conversation_id, "joke one")
    second = reply(store, conversation_id, "joke two", alternative_to=first)

    assert contents(store, conversation_id) == ["Tell me a joke", "joke two"]
    last = store.thread(conversation_id)[-1]
    assert (last.alternative_index, last.alternative_count) == (2, 2)
    assert [m.id for m in store.alternatives(second)] == [first, second]

    store.activate(first)
    assert contents(store, conversation_id) == ["Tell me a joke", "joke one"]
    assert store.thread(conversation_id)[-1].alternative_index == 1
    with pytest.raises(ValueError):
        store.add_user_message(conversation_id, "not a reply", alternative_to=first)


def test_edit_branches_and_each_branch_keeps_its_replies(store: ConversationStore) -> None:
    conversation_id = store.create_conversation().id
    original = store.add_user_message(conversation_id, "Capital of France?").id
    reply(store, conversation_id, "Paris")
    store.add_user_message(conversation_id, "And Spain?")
    reply(store, conversation_id, "Madrid")

    edited = store.add_user_message(conversation_id, "Capital of Italy?", alternative_to=original).id
    assert contents(store, conversation_id) == ["Capital of Italy?"]
    reply(store, conversation_id, "Rome")
    assert contents(store, conversation_id) == ["Capital of Italy?", "Rome"]

    store.activate(original)
    assert contents(store, conversation_id) == ["Capital of France?", "Paris", "And Spain?", "Madrid"]
    store.activate(edited)
    assert contents(store, conversation_id) == ["Capital of Italy?", "Rome"]


def test_streaming_reply_is_saved_as_it_goes(store: ConversationStore) -> None:
    conversation_id = store.create_conversation().id
    store.add_user_message(conversation_id, "Count to three")
    started = store.start_reply(conversation_id, model="m", provider="cpu", settings=SETTINGS)
    assert started.status == "streaming" and started.content == ""

    store.update_reply(started.id, "one, two")
    assert store.message(started.id).content == "one, two"

    finished = store.finish_reply(started.id, status="cancelled", content="one, two", stats=STATS)
    assert finished.status == "cancelled"
    store.update_reply(started.id, "late text is ignored")
    assert store.message(started.id).content == "one, two"


def test_failed_reply_keeps_its_error(store: ConversationStore) -> None:
    conversation_id = store.create_conversation().id
    store.add_user_message(conversation_id, "hi")
    started = store.start_reply(conversation_id, model="m", provider="cpu", settings=SETTINGS)
    failed = store.finish_reply(started.id, status="error", content="", stats={}, error="Out of memory.")
    assert (failed.status, failed.error) == ("error", "Out of memory.")
    with pytest.raises(ValueError):
        store.finish_reply(started.id, status="streaming", content="", stats={})  # type: ignore[arg-type]


def test_replies_left_streaming_by_a_crash_are_marked_interrupted(clock) -> None:
    killed = ConversationStore(default_path(), clock=clock)
    conversation_id = killed.create_conversation().id
    killed.add_user_message(conversation_id, "long question")
    started = killed.start_reply(conversation_id, model="m", provider="cpu", settings=SETTINGS)
    killed.update_reply(started.id, "partial answ")
    killed._db.close()  # the process dies: no finish_reply

    with ConversationStore(default_path(), clock=clock) as reopened:
        assert reopened.mark_interrupted_replies() == [started.id]
        assert reopened.mark_interrupted_replies() == []
        last = reopened.thread(conversation_id)[-1]
        assert (last.status, last.content) == ("interrupted", "partial answ")


def test_search_titles_and_text_case_insensitively(store: ConversationStore) -> None:
    pasta = store.create_conversation().id
    store.add_user_message(pasta, "Recipe for carbonara")
    reply(store, pasta, "Use GUANCIALE and pecorino.")
    other = store.create_conversation().id
    store.add_user_message(other, "Explain 100% of a KV cache")

    assert [(h.conversation_id, h.snippet) for h in store.search("guanciale")] == [
        (pasta, "Use GUANCIALE and pecorino.")]
    assert [h.conversation_id for h in store.search("CARBON")] == [pasta]
    assert [h.conversation_id for h in store.search("kv")] == [other]  # short: no trigram index
    assert [h.conversation_id for h in store.search("100%")] == [other]
    assert [h.conversation_id for h in store.search("e")] == [other, pasta]
    assert store.search("nothing like this") == [] and store.search("  ") == []

    store.rename(other, "Caches explained")
    assert [h.conversation_id for h in store.search("explained")] == [other]


def test_delete_restore_and_purge(store: ConversationStore) -> None:
    kept = store.create_conversation().id
    doomed = store.create_conversation().id
    store.add_user_message(doomed, "secret plans")

    store.delete_conversation(doomed)
    assert [c.id for c in store.list_conversations()] == [kept]
    assert store.search("secret") == []
    with pytest.raises(ConversationNotFound):
        store.get_conversation(doomed)

    store.restore_conversation(doomed)
    assert contents(store, doomed) == ["secret plans"]

    store.delete_conversation(doomed)
    assert store.purge_deleted(older_than=timedelta(days=30)) == 0
    assert store.purge_deleted() == 1
    with pytest.raises(ConversationNotFound):
        store.restore_conversation(doomed)
    assert store._db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 0


def test_unknown_ids_raise_plain_errors(store: ConversationStore) -> None:
    with pytest.raises(ConversationNotFound) as error:
        store.add_user_message(42, "hello?")
    assert error.value.user_message.endswith(".")
    assert store.list_conversations() == []


def test_corrupt_file_is_moved_aside_and_a_fresh_one_created() -> None:
    path = default_path()
    path.parent.mkdir(parents=True)
    garbage = b"this is not sqlite" * 500
    path.write_bytes(garbage)

    with ConversationStore(path) as recovered:
        assert recovered.recovered_from is not None
        assert recovered.recovered_from.name.startswith("conversations.sqlite3.corrupt-")
        assert recovered.recovered_from.read_bytes() == garbage
        assert recovered.notice and recovered.recovered_from.name in recovered.notice
        assert recovered.list_conversations() == []
        recovered.create_conversation()


def test_damaged_pages_inside_a_valid_file_are_caught_on_open() -> None:
    with ConversationStore(default_path()) as store:
        for number in range(30):
            store.add_user_message(store.create_conversation().id, f"message {number} " * 200)
    damaged = bytearray(default_path().read_bytes())
    damaged[4096 * 5: 4096 * 5 + 2000] = b"\xde\xad" * 1000
    default_path().write_bytes(bytes(damaged))

    with ConversationStore(default_path()) as recovered:
        assert recovered.recovered_from is not None
        assert recovered.recovered_from.read_bytes() == bytes(damaged)
        assert recovered.list_conversations() == []


def test_newer_database_is_refused_and_left_untouched() -> None:
    path = default_path()
    path.parent.mkdir(parents=True)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE from_the_future (x)")
    db.execute(f"PRAGMA user_version = {LATEST_VERSION + 5}")
    db.commit()
    db.close()
    before = path.read_bytes()

    with pytest.raises(DatabaseTooNew) as error:
        ConversationStore(path)
    assert "newer version" in error.value.user_message
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["conversations.sqlite3"]

    fallback = ConversationStore.open_default()
    assert fallback.path == ":memory:" and "newer version" in fallback.unsaved_reason
    assert path.read_bytes() == before


def read_only_connect(target: str) -> sqlite3.Connection:
    if target == ":memory:":
        return sqlite3.connect(target, isolation_level=None)
    return sqlite3.connect(f"file:{target}?mode=ro", uri=True, isolation_level=None)


def test_read_only_database_raises_storage_unavailable(monkeypatch: pytest.MonkeyPatch, clock) -> None:
    with ConversationStore(default_path(), clock=clock) as writable:
        conversation_id = writable.create_conversation().id
    monkeypatch.setattr(store_module, "_connect", read_only_connect)

    with ConversationStore(default_path(), clock=clock) as read_only:
        with pytest.raises(StorageUnavailable) as error:
            read_only.add_user_message(conversation_id, "hello")
        assert error.value.user_message.count(".") == 1
        assert read_only.thread(conversation_id) == []


def test_unopenable_database_falls_back_to_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "_connect", read_only_connect)  # the file does not exist yet
    with pytest.raises(StorageUnavailable):
        ConversationStore(default_path())

    fallback = ConversationStore.open_default()
    assert fallback.unsaved_reason == MEMORY_NOTICE
    conversation_id = fallback.create_conversation().id
    fallback.add_user_message(conversation_id, "kept in memory")
    assert contents(fallback, conversation_id) == ["kept in memory"]


def test_disk_full_mid_chat_moves_the_chat_to_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    with ConversationStore.open_default() as healthy:
        conversation_id = healthy.create_conversation().id
        healthy.add_user_message(conversation_id, "before the disk filled up")
    monkeypatch.setattr(store_module, "_connect", full_disk_connect)

    with ConversationStore(default_path()) as strict:
        with pytest.raises(StorageUnavailable) as error:
            strict.add_user_message(conversation_id, "x" * 100_000)
        assert "disk is full" in error.value.user_message

    with ConversationStore.open_default() as store:
        assert store.unsaved_reason is None
        store.add_user_message(conversation_id, "x" * 100_000)
        assert store.unsaved_reason == MEMORY_NOTICE and store.path == ":memory:"
        assert contents(store, conversation_id) == ["before the disk filled up", "x" * 100_000]
        reply(store, conversation_id, "still chatting")
        assert contents(store, conversation_id)[-1] == "still chatting"
