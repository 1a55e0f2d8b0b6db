"""``localchat self-test``: a real reply through the engine process and in-process, a JSON file, an exit code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from app import selftest
from app.cli import run
from synthetic_model import REPLY_TEXT

ROOT = Path(__file__).resolve().parents[2]


def test_expected_reply_is_the_synthetic_models_reply():
    assert selftest.EXPECTED_REPLY == REPLY_TEXT


def test_self_test_passes_and_writes_the_result(tmp_path, capsys):
    output = tmp_path / "out" / "selftest.json"
    assert run(["self-test", "--output", str(output)]) == 0
    result = json.loads(output.read_text(encoding="utf-8"))
    assert result["ok"] is True and result["model_source"] == "generated"
    assert [c["name"] for c in result["checks"]] == ["engine_process", "in_process"]
    assert all(c["ok"] and c["reply"] == REPLY_TEXT for c in result["checks"])
    assert "self-test: OK" in capsys.readouterr().out


def test_default_output_is_in_the_log_folder(localchat_home, chat_model):
    assert run(["self-test", "--model", str(chat_model)]) == 0
    result = json.loads((localchat_home / "logs" / "selftest.json").read_text(encoding="utf-8"))
    assert result["ok"] and result["model_source"] == "given"


def test_a_wrong_reply_fails_with_exit_code_1(tmp_path, plain_model):
    # The completion model continues "hi" differently from the chat model's greedy reply.
    output = tmp_path / "selftest.json"
    assert run(["self-test", "--model", str(plain_model), "--output", str(output)]) == 1
    result = json.loads(output.read_text(encoding="utf-8"))
    assert result["ok"] is False and all(not c["ok"] for c in result["checks"])
    assert "expected" in result["checks"][0]["error"]


def test_a_broken_model_is_reported_not_raised(tmp_path):
    output = tmp_path / "selftest.json"
    assert run(["self-test", "--model", str(tmp_path / "missing"), "--output", str(output)]) == 1
    checks = json.loads(output.read_text(encoding="utf-8"))["checks"]
    assert all("does not exist" in c["error"] for c in checks)


def test_without_onnx_it_says_so_plainly(tmp_path, monkeypatch):
    from app.devtools import dev_models

    real_find_spec = dev_models.importlib.util.find_spec
    monkeypatch.setattr(dev_models.importlib.util, "find_spec",
                        lambda name, *a: None if name == "onnx" else real_find_spec(name, *a))
    output = tmp_path / "selftest.json"
    assert selftest.run_self_test(output) == 1
    result = json.loads(output.read_text(encoding="utf-8"))
    assert "onnx" in result["error"] and result["checks"] == []


def test_bundled_model_is_preferred(tmp_path, monkeypatch, chat_model):
    monkeypatch.setattr(selftest, "bundled_model", lambda: chat_model)
    assert selftest.self_test()["model_source"] == "bundled"


def test_an_unwritable_output_fails(tmp_path, chat_model):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert selftest.run_self_test(blocker / "selftest.json", chat_model) == 1


def test_command_line_exit_code(tmp_path, chat_model):
    output = tmp_path / "selftest.json"
    done = subprocess.run([sys.executable, "-m", "app", "self-test", "--model", str(chat_model),
                           "--output", str(output)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(output.read_text(encoding="utf-8"))["ok"] is True
