"""Killing the real app mid-reply keeps the user's message and the text streamed so far.

The app runs as a subprocess (``python -m app --model M --send count``) on a slow
synthetic completion model: about 65 ms a token on a 2-core machine, 96 tokens for
"count", so the reply streams for several seconds.  Once the database shows the reply
saved twice (it saves at most once a second while streaming), the whole process group,
engine included, gets SIGKILL.  The store then finds the reply still ``streaming`` and
marks it interrupted, and a new window shows it so.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.gui import StartOptions, build_window
from app.storage.store import ConversationStore, default_path
from synthetic_model import build_synthetic_model

ROOT = Path(__file__).resolve().parents[2]
SLOW_MATMULS = 60
TIMEOUT_S = 60
LAST_REPLY = "SELECT content FROM messages WHERE role = 'assistant' ORDER BY id DESC LIMIT 1"

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs POSIX process groups and /proc")


def saved_reply(db: Path) -> str:
    """The latest reply's text as saved so far ("" while there is none), read without writing."""
    if not db.exists():
        return ""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as connection:
            row = connection.execute(LAST_REPLY).fetchone()
    except sqlite3.OperationalError:  # not created yet, or busy for a moment
        return ""
    return row[0] if row else ""


def wait_for_saved(db: Path, longer_than: str, app: subprocess.Popen) -> str:
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        assert app.poll() is None, f"the app exited early: {app.stderr.read()}"
        text = saved_reply(db)
        if len(text) > len(longer_than):
            return text
        time.sleep(0.05)
    pytest.fail(f"no reply text was saved within {TIMEOUT_S} s")


def process_group(pgid: int) -> list[int]:
    """Live processes in a group (Linux /proc; a zombie waiting to be reaped counts as gone)."""
    return [int(entry.name) for entry in Path("/proc").iterdir()
            if entry.name.isdigit() and _state_and_pgid(entry) in (("R", pgid), ("S", pgid), ("D", pgid))]


def _state_and_pgid(entry: Path) -> tuple[str, int] | None:
    try:
        fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        return fields[0], int(fields[2])
    except (OSError, IndexError, ValueError):
        return None


def test_killed_mid_reply_keeps_the_message_and_the_partial_reply(tmp_path, qtbot):
    model = build_synthetic_model(tmp_path / "counting", chat=False, context_length=4096, slow_matmuls=SLOW_MATMULS)
    db = default_path()  # LOCALCHAT_HOME is this test's own folder; the subprocess inherits it
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    app = subprocess.Popen([sys.executable, "-m", "app", "--model", str(model), "--send", "count",
                            "--temperature", "0", "--max-tokens", "2000"],
                           cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
    try:
        first = wait_for_saved(db, "", app)
        first_at = time.monotonic()
        second = wait_for_saved(db, first, app)
        between = time.monotonic() - first_at
        group = process_group(app.pid)
    finally:
        os.killpg(app.pid, signal.SIGKILL)
        app.wait(TIMEOUT_S)
        app.stderr.close()
    print(f"\nsaved {len(first)} then {len(second)} characters, {between:.2f} s apart; "
          f"processes killed: {len(group)}")
    assert len(group) >= 2  # the window and its engine
    deadline = time.monotonic() + TIMEOUT_S
    while process_group(app.pid) and time.monotonic() < deadline:  # the engine is not left running
        time.sleep(0.05)
    assert process_group(app.pid) == []
    assert between > 0.5  # saves are spaced, not one per chunk

    with ConversationStore(db) as store:
        interrupted = store.mark_interrupted_replies()
        user, reply = store.thread(store.latest_conversation_id())
    assert (user.role, user.content) == ("user", "count")
    assert interrupted == [reply.id] and reply.status == "interrupted"
    assert reply.content.startswith(second) and reply.content.split()[:3] == ["one", "two", "three"]
    assert reply.settings["max_new_tokens"] == 2000 and reply.settings["temperature"] == 0.0

    window = build_window(StartOptions())  # the next start shows it, marked
    qtbot.addWidget(window)
    messages = window.chat_view.messages
    assert [m.node.content for m in messages] == ["count", reply.content]
    assert messages[1].note.text() == "Interrupted"
    window.close()
