"""``generate`` and ``doctor --model`` say when a GPU provider was not used, and why.

CUDA is asked for with every GPU hidden, so on any machine the model ends up on the CPU:
because the build has no CUDA (CPU flavour) or because CUDA cannot start (CUDA flavour).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.runtime.providers import built_in_providers
from synthetic_model import REPLY_TEXT

pytestmark = pytest.mark.providers
ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "import sys; from app.cli import run; sys.exit(run(sys.argv[1:]))"]


def expected_reason_start() -> str:
    if "cuda" in built_in_providers():
        return "CUDA could not start ("
    return "This build of onnxruntime-genai has no CUDA support"


def run_without_gpu(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    return subprocess.run([*CLI, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_generate_says_why_on_stderr_and_in_json(chat_model):
    done = run_without_gpu("generate", "--model", str(chat_model), "--prompt", "hi", "--temperature", "0",
                           "--provider", "cuda", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["text"] == REPLY_TEXT and result["provider"] == "cpu"
    assert result["fallback_reason"].startswith(expected_reason_start())
    assert f"localchat: {result['fallback_reason']}" in done.stderr.splitlines()


def test_generate_on_the_cpu_reports_no_fallback(chat_model):
    done = run_without_gpu("generate", "--model", str(chat_model), "--prompt", "hi", "--temperature", "0",
                           "--provider", "cpu", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["fallback_reason"] is None and "using the CPU" not in done.stderr


def test_doctor_model_reports_the_provider_used_and_why(chat_model):
    done = run_without_gpu("doctor", "--model", str(chat_model))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    model_line = next(i for i, line in enumerate(lines) if line.startswith(f"Model {chat_model.name}:"))
    if built_in_providers() == ["cpu"]:  # Auto on a CPU build is the CPU, nothing fell back
        assert lines[model_line].endswith("runs on CPU") and model_line == len(lines) - 1
    else:
        assert lines[model_line].endswith("runs on CPU")
        assert lines[model_line + 1].strip().startswith(expected_reason_start())
        assert lines[model_line + 2].strip().startswith("onnxruntime-genai said: ")
