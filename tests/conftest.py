"""Shared fixtures: an isolated LOCALCHAT_HOME for every test, and the synthetic models."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["ORT_DISABLE_TELEMETRY"] = "1"
# No test, nor any LocalChat a test starts, reaches the developer's real keyring; tests that need one set it.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
# Helper modules (synthetic model, fake Hub server) import by plain name.  The repository root stays on
# sys.path (pyproject's pythonpath) so ``tests/app`` can never stand in for the ``app`` package.
sys.path.insert(0, str(Path(__file__).parent / "support"))
sys.path.insert(0, str(Path(__file__).parent))

from synthetic_model import build_synthetic_model  # noqa: E402

SHARED_MODELS = Path(__file__).resolve().parents[1].parent / "shared" / "models"


@pytest.fixture(autouse=True)
def localchat_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "localchat-home"
    monkeypatch.setenv("LOCALCHAT_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def chat_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthetic model with a chat template (context 256)."""
    return build_synthetic_model(tmp_path_factory.mktemp("models") / "synthetic-chat", chat=True)


@pytest.fixture(scope="session")
def plain_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthetic completion model without a chat template (context 256)."""
    return build_synthetic_model(tmp_path_factory.mktemp("models") / "synthetic-plain", chat=False)


@pytest.fixture(scope="session")
def slow_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthetic chat model whose every step does extra matrix work (several ms a token)."""
    return build_synthetic_model(tmp_path_factory.mktemp("models") / "synthetic-slow", chat=True,
                                 context_length=4096, slow_matmuls=6)


def shared_model(name: str) -> Path:
    path = SHARED_MODELS / name
    if not (path / "genai_config.json").exists():
        pytest.skip(f"{path} is not present")
    return path


@pytest.fixture
def stories_model() -> Path:
    return shared_model("stories260k")


@pytest.fixture
def stories_slow_model() -> Path:
    return shared_model("stories260k-slow")
