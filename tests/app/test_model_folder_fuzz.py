"""A fuzz of model folders: a real loading model with random damage (fixed seed), through every path that loads one.

Each case changes ``genai_config.json`` (values replaced at any depth with wrong types, edge numbers and junk,
keys removed or added, the bytes cut, made invalid UTF-8 or given a BOM) and sometimes the tokenizer files or a
chat_template.jinja, or deletes a file.  The folder then goes through the window's path (the engine process),
``localchat doctor --model`` and the CLI's in-process engine.  Each either loads and writes a reply, or gives one
of the engine's errors whose sentence is plain; a crash of the engine process would be EngineCrashed, and the
case is then kept away from this test's own process.
"""

from __future__ import annotations

import copy
import json
import random
import shutil
from pathlib import Path

import pytest
from fuzzing import ODD_VALUES, assert_one_sentence, damage, mutate

from app.cli import run
from engine import errors
from engine.process.client import EngineProcess
from engine.process.host import UNEXPECTED_FAILURE
from engine.runtime.conversation import Message
from engine.runtime.model import load_model
from engine.runtime.session import ChatSession
from engine.runtime.settings import SamplingSettings

CASES = 300
SEED = 2024
EDGE_NUMBERS = [-1, 0, 1, 2, 255, 2**31 - 1, 2**31, 2**53, 10**30, 0.5, -0.5, 1e308, float("nan")]
CONFIG_VALUES = ODD_VALUES + EDGE_NUMBERS + ["model.onnx", "../model.onnx", "/etc/passwd", "present.%d.key"]
CONFIG_KEYS = ("type", "context_length", "vocab_size", "decoder", "filename", "head_size", "extra")
FILES = ("tokenizer.json", "tokenizer_config.json")


def damaged_folder(original: Path, folder: Path, rng: random.Random) -> None:
    shutil.copytree(original, folder)
    config = json.loads((folder / "genai_config.json").read_text(encoding="utf-8"))
    for _ in range(rng.randint(1, 3)):
        mutate(config, rng, CONFIG_VALUES, CONFIG_KEYS)
    raw = json.dumps(config).encode()
    (folder / "genai_config.json").write_bytes(damage(raw, rng) if rng.random() < 0.15 else raw)
    other = rng.random()
    name = rng.choice(FILES)
    if other < 0.1:
        (folder / name).write_bytes(damage((folder / name).read_bytes(), rng))
    elif other < 0.2:
        data = json.loads((folder / name).read_text(encoding="utf-8"))
        for _ in range(rng.randint(1, 3)):
            mutate(data, rng, ODD_VALUES, ("chat_template", "add_bos_token", "added_tokens", "extra"))
        (folder / name).write_text(json.dumps(data), encoding="utf-8")
    elif other < 0.25:
        (folder / rng.choice(FILES + ("model.onnx", "genai_config.json"))).unlink()
    elif other < 0.3:
        (folder / "chat_template.jinja").write_bytes(damage(b"{{ messages[0]['content'] }}", rng))


def assert_plain_engine_error(error: errors.LocalChatError) -> None:
    assert type(error) is not errors.LocalChatError and error.user_message != UNEXPECTED_FAILURE, error
    assert_one_sentence(error.user_message)


def reply_or_error(load, folder: Path, settings: SamplingSettings) -> str:
    """'replied' or 'refused' (with a plain sentence); anything else fails the test with its traceback."""
    try:
        reply = load(folder).reply([Message("user", "hi")], settings)
        "".join(reply)
    except errors.LocalChatError as error:
        assert_plain_engine_error(error)
        return "crashed" if isinstance(error, errors.EngineCrashed) else "refused"
    assert reply.record.generated_tokens > 0
    return "replied"


def test_damaged_model_folders_load_and_reply_or_say_why(chat_model, tmp_path, capsys) -> None:
    rng = random.Random(SEED)
    engine = EngineProcess()

    def through_the_engine_process(folder: Path) -> EngineProcess:
        engine.load(str(folder), "cpu")
        return engine

    tally = {"replied": 0, "refused": 0, "crashed": 0}
    try:
        for case in range(CASES):
            folder = tmp_path / f"case-{case}"
            damaged_folder(chat_model, folder, rng)
            settings = SamplingSettings(temperature=0.0 if case % 2 else 0.8, max_new_tokens=4, seed=case)
            outcome = reply_or_error(through_the_engine_process, folder, settings)
            tally[outcome] += 1
            if outcome == "crashed":
                continue  # what crashes the engine's process would crash this one too
            in_process = reply_or_error(lambda f: ChatSession(load_model(f, "cpu")), folder, settings)
            assert in_process == outcome, folder
            capsys.readouterr()
            status = run(["doctor", "--model", str(folder)])
            out, err = capsys.readouterr()
            assert status == 0 or err.startswith("localchat: ") and err.count("\n") == 1, err
            if status:
                assert_one_sentence(err.removeprefix("localchat: ").strip())
            shutil.rmtree(folder)
    finally:
        engine.close()
    assert tally["crashed"] == 0
    assert tally["replied"] > 30 and tally["refused"] > 100  # the damage reaches both sides of the boundary
    print(f"\nmodel folder fuzz: {CASES} cases, {tally['replied']} replied, {tally['refused']} refused with a "
          "sentence, 0 crashes, 0 tracebacks")
