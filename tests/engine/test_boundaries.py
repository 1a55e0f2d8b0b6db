"""The engine never imports Qt, and nothing LocalChat runs writes onnxruntime's telemetry files."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def user_environment(home: Path) -> dict[str, str]:
    """The environment of a user's desktop: no telemetry switch of our own, and no CI marker
    (onnxruntime stays quiet by itself when it sees ``CI`` set, which would hide a failure)."""
    env = {k: v for k, v in os.environ.items() if k not in ("ORT_DISABLE_TELEMETRY", "CI", "GITHUB_ACTIONS")}
    env.update(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"))
    return env


def test_engine_source_never_mentions_qt():
    for path in (ROOT / "engine").rglob("*.py"):
        assert not re.search(r"^\s*(from|import)\s+(PySide6|PyQt\d|qtpy|shiboken6)", path.read_text(), re.M), path


def test_importing_the_whole_engine_loads_no_qt():
    modules = sorted(".".join(p.relative_to(ROOT).with_suffix("").parts) for p in (ROOT / "engine").rglob("*.py")
                     if p.stem != "__init__")
    assert len(modules) > 15, modules
    code = ("import sys\n" + "".join(f"import {m}\n" for m in modules) +
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'PyQt5', 'PyQt6', 'shiboken6')]\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_no_telemetry_files_from_cli_or_engine_process(tmp_path, chat_model):
    home = tmp_path / "home"
    home.mkdir()
    env = {**user_environment(home), "LOCALCHAT_HOME": str(tmp_path / "lc")}
    cli = [sys.executable, "-c", "import sys; from app.cli import run; sys.exit(run(sys.argv[1:]))"]
    subprocess.run(cli + ["generate", "--model", str(chat_model), "--prompt", "hi", "--temperature", "0"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    remote = ("from engine.process.client import EngineProcess\n"
              "from engine.runtime.conversation import Message\nfrom engine.runtime.settings import SamplingSettings\n"
              "if __name__ == '__main__':\n"
              "    e = EngineProcess(); e.load(%r)\n"
              "    print(e.reply([Message('user', 'hi')], SamplingSettings(temperature=0)).text()); e.close()\n"
              % str(chat_model))
    script = tmp_path / "remote.py"
    script.write_text(remote)
    out = subprocess.run([sys.executable, str(script)], cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)},
                         check=True, capture_output=True, text=True)
    assert "Hello" in out.stdout
    written = [str(p.relative_to(home)) for p in home.rglob("*")]
    assert not [p for p in written if "Microsoft" in p or "onnxruntime" in p.lower()], written


def test_the_check_above_can_fail(tmp_path, chat_model):
    """Loading a model without LocalChat's guard does write the files: the test above is meaningful."""
    home = tmp_path / "home"
    home.mkdir()
    env = user_environment(home)
    code = f"import onnxruntime_genai as og; og.Model({str(chat_model)!r})"
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    assert any("Microsoft" in str(p) for p in home.rglob("*"))
