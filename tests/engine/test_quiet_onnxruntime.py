"""A damaged model gives LocalChat's sentence only: onnxruntime's own coloured error line stays off the terminal."""

from __future__ import annotations

import shutil
from pathlib import Path

import onnx
import pytest
from onnx import numpy_helper

from app.cli import run


@pytest.fixture(scope="module")
def damaged_model(chat_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic model with a weight table cut short: it loads, then its first step fails inside onnxruntime."""
    folder = tmp_path_factory.mktemp("damaged") / "model"
    shutil.copytree(chat_model, folder)
    model = onnx.load(folder / "model.onnx")
    for tensor in model.graph.initializer:
        if tensor.name == "next_logits":
            tensor.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(tensor)[:10], tensor.name))
    onnx.save(model, folder / "model.onnx")
    return folder


def test_a_failing_kernel_prints_only_the_sentence(damaged_model: Path, capfd: pytest.CaptureFixture) -> None:
    assert run(["generate", "--model", str(damaged_model), "--prompt", "Hi", "--max-tokens", "3"]) == 1
    err = capfd.readouterr().err
    assert err.startswith("localchat: ") and err.count("\n") == 1, err
    assert "\x1b[" not in err and "onnxruntime" not in err
