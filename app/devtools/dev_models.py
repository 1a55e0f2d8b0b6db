"""Models for the developer tools (self-test, benchmarks, screenshots) of a source checkout.

The trained ``../shared/models`` when present, else the synthetic test model.  The synthetic
model's builder lives with the tests (it needs ``onnx``, a test dependency); it is loaded
by file path, not imported by name, so a frozen build never tries to bundle onnx.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[2]
SHARED_MODELS = ROOT.parent / "shared" / "models"
SYNTHETIC_SOURCE = ROOT / "tests" / "support" / "synthetic_model.py"


class NoSyntheticModel(RuntimeError):
    pass


def shared_model(name: str) -> Path | None:
    folder = SHARED_MODELS / name
    return folder if (folder / "genai_config.json").is_file() else None


def synthetic_builder(name: str = "build_synthetic_model") -> Callable[..., Path]:
    """A builder from the tests' synthetic_model.py: ``build_synthetic_model(folder, chat=..., context_length=...,
    slow_matmuls=...)`` by default, or ``build_large_vocab_model``."""
    if not SYNTHETIC_SOURCE.is_file():
        raise NoSyntheticModel("There is no tests/support/synthetic_model.py to make a test model from.")
    if importlib.util.find_spec("onnx") is None:
        raise NoSyntheticModel("Making the test model needs the 'onnx' package (pip install -e \".[cpu,test]\").")
    spec = importlib.util.spec_from_file_location("localchat_synthetic_model", SYNTHETIC_SOURCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return getattr(module, name)
