"""Disks that fill up or turn read-only: nothing the user wrote is lost, the history stays readable.

The real cases run on a small tmpfs mounted for the test (root only; skipped with the reason
otherwise); the same paths are also driven with an injected SQLITE_FULL, which runs anywhere.
"""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

import app.storage.store as store_module
from app.cli import run
from app.storage.store import MEMORY_NOTICE, ConversationStore, default_path
from small_disk import full_disk_connect, mount_small_disk, remount_read_only, unmount

STATS = {"prompt_tokens": 3, "generated_tokens": 2, "ttft_s": 0.01, "finish_reason": "eos"}


@pytest.fixture
def small_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    disk = tmp_path / "disk"
    mount_small_disk(disk, "3m")
    monkeypatch.setenv("LOCALCHAT_HOME", str(disk / "home"))
    yield disk
    unmount(disk)


def fill(disk: Path) -> Path:
    """Write a file until the filesystem says ENOSPC."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 4096)
        except OSError as error:
            assert error.errno == errno.ENOSPC
    return filler


def chat(store: ConversationStore, conversation_id: int, said: list[str], text: str) -> None:
    store.add_user_message(conversation_id, text)
    said.append(text)
    reply = store.start_reply(conversation_id, model="m", provider="cpu", settings={"temperature": 0.0})
    store.update_reply(reply.id, "partial " + text)
    store.finish_reply(reply.id, status="done", content="answer to " + text, stats=STATS)
    said.append("answer to " + text)


def test_a_disk_that_fills_mid_conversation_loses_nothing_and_is_written_again(small_disk: Path) -> None:
    store = ConversationStore.open_default()
    store.retry_seconds = 0.0  # try the file at every save
    conversation_id = store.create_conversation().id
    said: list[str] = []
    chat(store, conversation_id, said, "before the disk filled up")
    filler = fill(small_disk)
    for turn in range(200):  # long messages until the disk refuses one
        chat(store, conversation_id, said, f"turn {turn} " + "x" * 20_000)
        if store.unsaved_reason:
            break
    assert store.unsaved_reason == MEMORY_NOTICE
    assert [c.id for c in store.unsaved_conversations()] == [conversation_id]
    chat(store, conversation_id, said, "still full")  # the retry at this save fails: still in memory
    assert store.unsaved_reason == MEMORY_NOTICE
    assert [m.content for m in store.thread(conversation_id)] == said

    filler.unlink()  # space comes back
    chat(store, conversation_id, said, "space again")
    assert store.unsaved_reason is None and store.path == str(default_path())
    chat(store, conversation_id, said, "saved directly")
    store.close()
    with ConversationStore(default_path()) as reopened:
        assert [m.content for m in reopened.thread(conversation_id)] == said  # 0 messages lost


real_connect = store_module._connect


def test_an_injected_full_disk_is_written_back_when_it_clears(monkeypatch: pytest.MonkeyPatch) -> None:
    with ConversationStore(default_path()) as healthy:
        conversation_id = healthy.create_conversation().id
    said: list[str] = []
    monkeypatch.setattr(store_module, "_connect", full_disk_connect)
    store = ConversationStore.open_default()
    store.retry_seconds = 0.0
    chat(store, conversation_id, said, "x" * 100_000)
    assert store.unsaved_reason == MEMORY_NOTICE
    chat(store, conversation_id, said, "y" * 100_000)  # retried at this save: still full
    assert store.unsaved_reason == MEMORY_NOTICE
    monkeypatch.setattr(store_module, "_connect", real_connect)  # space again
    assert store.try_saving() and store.unsaved_reason is None
    store.close()
    with ConversationStore(default_path()) as reopened:
        assert [m.content for m in reopened.thread(conversation_id)] == said


def test_memory_is_not_written_over_a_file_someone_else_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    with ConversationStore(default_path()) as healthy:
        conversation_id = healthy.create_conversation().id
    monkeypatch.setattr(store_module, "_connect", full_disk_connect)
    store = ConversationStore.open_default()
    chat(store, conversation_id, [], "x" * 100_000)
    assert store.unsaved_reason == MEMORY_NOTICE
    monkeypatch.setattr(store_module, "_connect", real_connect)
    with ConversationStore(default_path()) as other:  # another LocalChat writes meanwhile
        other.create_conversation()
    assert not store.try_saving() and store.unsaved_reason == MEMORY_NOTICE
    assert [c.id for c in store.unsaved_conversations()] == [conversation_id]  # offered for export instead


@pytest.fixture
def read_only_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    disk = tmp_path / "disk"
    mount_small_disk(disk, "8m")
    monkeypatch.setenv("LOCALCHAT_HOME", str(disk / "home"))
    with ConversationStore(default_path()) as store:
        conversation = store.create_conversation()
        chat(store, conversation.id, [], "Kept on a disk that turned read-only")
    remount_read_only(disk)
    yield conversation.id
    unmount(disk)


def test_a_read_only_disk_still_lists_and_exports_the_history(read_only_disk: int, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(OSError):
        (default_path().parent / "probe").write_text("x")
    assert run(["history", "list"]) == 0
    captured = capsys.readouterr()
    assert "Kept on a disk that turned read-only" in captured.out and "Showing what is stored" in captured.err
    target = tmp_path / "rescued.json"
    assert run(["export", "--conversation", str(read_only_disk), "--format", "json", "--output", str(target)]) == 0
    assert "Kept on a disk that turned read-only" in target.read_text(encoding="utf-8")
    store = ConversationStore.open_default()
    assert store.unsaved_reason == MEMORY_NOTICE
    assert [c.title for c in store.list_conversations()] == ["Kept on a disk that turned read-only"]
    chat(store, read_only_disk, [], "new, in memory")  # the chat goes on
    assert not store.try_saving()
    store.close()
