"""``localchat prompt`` and ``localchat next-token``: their JSON contracts, checked against the engine."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.cli import run
from engine.runtime.conversation import Message
from engine.runtime.model import load_model
from engine.runtime.prompt import PromptBuilder
from synthetic_model import TOKEN_ID, SyntheticLM
from conftest import shared_model


def json_of(capsys, args: list[str]) -> dict:
    assert run(args) == 0
    return json.loads(capsys.readouterr().out)


def test_prompt_json_tokens_join_to_the_text(chat_model, capsys):
    result = json_of(capsys, ["prompt", "--model", str(chat_model), "--system", "Be kind", "--prompt",
                              "Hello café", "--json"])
    assert result["text"] == "<s><|system|>Be kind<|end|><|user|>Hello café<|end|><|assistant|>"
    assert "".join(t["text"] for t in result["tokens"]) == result["text"]
    ids = PromptBuilder(load_model(chat_model, "cpu")).encode([Message("system", "Be kind"), Message("user", "Hello café")])
    assert [t["id"] for t in result["tokens"]] == ids
    assert all(isinstance(t["id"], int) and isinstance(t["text"], str) for t in result["tokens"])


def test_prompt_plain_output_names_the_parts(chat_model, capsys):
    assert run(["prompt", "--model", str(chat_model), "--prompt", "hi"]) == 0
    out = capsys.readouterr().out
    assert "your message:" in out and "added by the chat template" in out


def test_next_token_json_lists_the_most_likely_with_both_probabilities(chat_model, capsys):
    result = json_of(capsys, ["next-token", "--model", str(chat_model), "--prompt", "hi", "--temperature", "1.0",
                              "--top-k", "0", "--top-p", "1.0", "--count", "4", "--json"])
    candidates = result["candidates"]
    assert len(candidates) == 4 and set(candidates[0]) == {"id", "text", "model_probability", "probability"}
    assert candidates[0]["id"] == TOKEN_ID["▁Hello"] and candidates[1]["id"] == TOKEN_ID["▁la"]
    model = [c["model_probability"] for c in candidates]
    assert model == sorted(model, reverse=True)
    ids = PromptBuilder(load_model(chat_model, "cpu")).encode([Message("user", "hi")])
    logits = SyntheticLM().logits(ids).astype(np.float64)
    expected = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    for candidate in candidates:
        assert candidate["model_probability"] == pytest.approx(expected[candidate["id"]], abs=1e-6)
        assert candidate["probability"] == pytest.approx(expected[candidate["id"]], abs=1e-6)  # T 1, no cuts


def test_next_token_at_temperature_zero_gives_the_top_token_everything(chat_model, capsys):
    candidates = json_of(capsys, ["next-token", "--model", str(chat_model), "--prompt", "hi", "--temperature", "0",
                                  "--json"])["candidates"]
    assert len(candidates) == 10
    assert candidates[0]["probability"] == 1.0 and all(c["probability"] == 0 for c in candidates[1:])


def test_next_token_top_k_cuts_to_zero(chat_model, capsys):
    candidates = json_of(capsys, ["next-token", "--model", str(chat_model), "--prompt", "hi", "--temperature", "1.5",
                                  "--top-k", "2", "--top-p", "1", "--count", "5", "--json"])["candidates"]
    assert [c["probability"] > 0 for c in candidates] == [True, True, False, False, False]
    assert candidates[0]["probability"] + candidates[1]["probability"] == pytest.approx(1.0)


def test_a_bad_setting_is_one_sentence(chat_model, capsys):
    assert run(["next-token", "--model", str(chat_model), "--prompt", "hi", "--top-p", "0"]) == 1
    assert capsys.readouterr().err.startswith("localchat: Top-p must be greater than 0")


def test_generate_json_gains_the_reply_tokens_and_provenance(chat_model, capsys):
    result = json_of(capsys, ["generate", "--model", str(chat_model), "--prompt", "hi", "--temperature", "0",
                              "--json", "--choices", "3"])
    assert [t["id"] for t in result["tokens"]][:2] == [TOKEN_ID["▁Hello"], TOKEN_ID["▁caf"]]
    assert len(result["tokens"]) == len(result["choices"]) == result["generated_tokens"]
    assert result["choices"][0][0]["token"] == TOKEN_ID["▁Hello"]
    provenance = result["provenance"]
    assert provenance["model_hash"].startswith("sha256:") and provenance["settings"]["seed"] == result["seed"]
    assert provenance["genai_version"].startswith("onnxruntime-genai")


def test_smollm2_prompt_json_joins_exactly(capsys):
    model = shared_model("smollm2-135m-instruct")
    result = json_of(capsys, ["prompt", "--model", str(model), "--prompt", "Привет 👋 — tabs\tand\nlines", "--json"])
    assert "".join(t["text"] for t in result["tokens"]) == result["text"]
    assert "Привет 👋 — tabs\tand\nlines" in result["text"]
