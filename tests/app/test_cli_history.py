"""``localchat history`` and ``localchat export`` through app.cli.run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import run
from app.storage.store import ConversationStore, default_path

SETTINGS = {"temperature": 0.7, "top_p": 0.9, "top_k": 40, "repetition_penalty": 1.0, "max_new_tokens": 64,
            "seed": 3}


def add_chat(question: str, answer: str) -> int:
    with ConversationStore(default_path()) as store:
        conversation_id = store.create_conversation().id
        store.add_user_message(conversation_id, question)
        started = store.start_reply(conversation_id, model="stories260k", provider="cpu", settings=SETTINGS)
        store.finish_reply(started.id, status="done", content=answer, stats={"generated_tokens": 4})
        return conversation_id


def test_history_list_table_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["history", "list"]) == 0
    assert capsys.readouterr().out == "No conversations yet.\n"

    first = add_chat("Why is the sky blue?", "Rayleigh scattering.")
    second = add_chat("Name a prime", "Seven.")

    assert run(["history", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "UPDATED", "MESSAGES", "TITLE"]
    assert lines[1].split()[0] == str(second) and lines[1].endswith("  2  Name a prime")
    assert lines[2].split()[0] == str(first) and lines[2].endswith("Why is the sky blue?")

    assert run(["history", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(c["id"], c["title"], c["message_count"]) for c in listed] == [
        (second, "Name a prime", 2), (first, "Why is the sky blue?", 2)]
    assert set(listed[0]) == {"id", "title", "created_at", "updated_at", "message_count"}


def test_export_last_as_markdown_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    add_chat("Old question", "Old answer")
    add_chat("Why is the sky blue?", "Rayleigh scattering.")

    assert run(["export", "--last", "--format", "md"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Why is the sky blue?\n")
    assert "## Assistant (stories260k)\n\nRayleigh scattering." in out
    assert "Old answer" not in out


def test_export_json_to_file_then_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conversation_id = add_chat("Why is the sky blue?", "Rayleigh scattering.")
    target = tmp_path / "sky.json"

    assert run(["export", "--conversation", str(conversation_id), "--format", "json", "--output", str(target)]) == 0
    assert capsys.readouterr().out == ""
    exported = json.loads(target.read_text(encoding="utf-8"))
    assert exported["messages"][1]["settings"] == SETTINGS

    assert run(["history", "import", str(target)]) == 0
    assert capsys.readouterr().out.startswith("Imported conversation ")
    with ConversationStore(default_path()) as store:
        assert len(store.list_conversations()) == 2

    assert run(["export", "--format", "json"]) == 0  # --last is the default
    assert json.loads(capsys.readouterr().out) == exported


@pytest.mark.parametrize("argv, sentence", [
    (["export", "--conversation", "99"], "There is no conversation 99"),
    (["export", "--format", "json"], "There are no saved conversations to export yet"),
    (["history", "import", "missing.json"], "LocalChat couldn't open missing.json"),
])
def test_bad_input_is_one_plain_sentence(argv: list[str], sentence: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert run(argv) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"localchat: {sentence}")
    assert captured.err.count("\n") == 1


def test_importing_a_file_that_is_not_an_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bogus = tmp_path / "notes.json"
    bogus.write_text('{"hello": "world"}')
    assert run(["history", "import", str(bogus)]) == 1
    assert "not a LocalChat conversation export" in capsys.readouterr().err


def test_export_to_an_unwritable_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_chat("hello", "hi")
    assert run(["export", "--output", str(tmp_path / "no-such-folder" / "out.md")]) == 1
    assert "couldn't write" in capsys.readouterr().err


def test_a_damaged_database_is_reported_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    default_path().parent.mkdir(parents=True)
    default_path().write_bytes(b"garbage" * 100)
    assert run(["history", "list"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "No conversations yet.\n"
    assert "set it aside as conversations.sqlite3.corrupt-" in captured.err


def test_history_runs_in_a_fresh_process(localchat_home: Path) -> None:
    """The commands work outside pytest's process too (imports, stdout encoding, exit status)."""
    add_chat("Ünïcode title ✓", "yes")
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from app.cli import run; sys.exit(run(sys.argv[1:]))",
         "history", "list", "--json"],
        cwd=root, env={**os.environ, "LOCALCHAT_HOME": str(localchat_home)}, capture_output=True, text=True,
        encoding="utf-8", timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert [c["title"] for c in json.loads(done.stdout)] == ["Ünïcode title ✓"]
