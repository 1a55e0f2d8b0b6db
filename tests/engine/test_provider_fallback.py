"""Loading on a GPU provider: it runs there, or falls back to the CPU and says why.

These tests run in the main environment (CPU flavour: the provider is not built in) and, in CI,
again in an environment with onnxruntime-genai-cuda (built in, but on a machine without a usable
GPU it cannot start).  On a machine with a working GPU they pass because the model runs on it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.runtime.conversation import Message
from engine.runtime.model import LoadedModel, load_model
from engine.runtime.providers import LABELS, built_in_providers
from engine.runtime.session import ChatSession
from engine.runtime.settings import SamplingSettings
from synthetic_model import REPLY_TEXT

pytestmark = pytest.mark.providers
ROOT = Path(__file__).resolve().parents[2]


def greedy_reply(loaded: LoadedModel) -> str:
    return ChatSession(loaded).reply([Message("user", "hi")], SamplingSettings(temperature=0)).text()


def assert_ran_or_fell_back_with_reason(info, wanted: str) -> None:
    """``info`` is on ``wanted`` with no reason, or on the CPU with the reason ``wanted`` could not be used."""
    if info.provider == wanted:
        assert info.fallback_reason is None
        return
    assert info.provider == "cpu"
    label = LABELS[wanted]
    if wanted in built_in_providers():  # built in, but it did not start: the library's reason, in a sentence
        assert info.fallback_reason.startswith(f"{label} could not start (")
        assert info.fallback_reason.endswith("; using the CPU instead.")
        assert info.fallback_detail.strip()
    else:
        assert info.fallback_reason == (f"This build of onnxruntime-genai has no {label} support; "
                                        "using the CPU instead.")


@pytest.mark.parametrize("provider", ["auto", "cuda", "dml"])
def test_a_provider_runs_or_falls_back_to_the_cpu_with_its_reason(chat_model, provider):
    loaded = load_model(chat_model, provider)
    wanted = built_in_providers()[0] if provider == "auto" else provider
    assert_ran_or_fell_back_with_reason(loaded.info, wanted)
    assert greedy_reply(loaded) == REPLY_TEXT  # wherever it runs, the model answers


def load_in_child(model: Path, provider: str, env: dict[str, str]) -> dict:
    code = ("import dataclasses, json, sys; from engine.runtime.model import load_model; "
            "print(json.dumps(dataclasses.asdict(load_model(sys.argv[1], sys.argv[2]).info)))")
    done = subprocess.run([sys.executable, "-c", code, str(model), provider], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif("cuda" not in built_in_providers(), reason="this onnxruntime-genai build has no CUDA")
def test_cuda_that_cannot_start_falls_back_with_the_librarys_reason(chat_model):
    # With every GPU hidden, CUDA cannot start on any machine: this is the path of a CUDA user whose
    # GPU, driver or CUDA libraries are missing.
    info = load_in_child(chat_model, "cuda", {**os.environ, "CUDA_VISIBLE_DEVICES": ""})
    assert info["provider"] == "cpu"
    assert info["fallback_reason"].startswith("CUDA could not start (")
    assert info["fallback_detail"] and info["fallback_detail"].splitlines()[0] not in ("", "None")
