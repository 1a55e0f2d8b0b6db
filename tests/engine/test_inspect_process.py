"""The inspection calls through the engine process give what the in-process session gives."""

from __future__ import annotations

import numpy as np
import pytest

from engine.process.client import EngineProcess
from engine.runtime.conversation import Message
from engine.runtime.model import load_model
from engine.runtime.session import ChatSession
from engine.runtime.settings import SamplingSettings

HI = [Message("user", "hi")]
GREEDY = SamplingSettings(temperature=0, max_new_tokens=20)


def ids_of(reply) -> list[int]:
    reply.text()
    return reply.token_ids


@pytest.fixture
def engine(chat_model, tmp_path):
    process = EngineProcess(hash_cache=str(tmp_path / "hashes.json"))
    process.load(str(chat_model), "cpu")
    yield process
    process.close()


def test_prompt_next_token_continue_and_replay_through_the_process(engine, chat_model, tmp_path):
    local = ChatSession(load_model(chat_model, "cpu"))
    assert engine.prompt_xray(HI) == local.prompt_xray(HI)
    remote_dist, local_dist = engine.next_token(HI), local.next_token(HI)
    assert np.array_equal(remote_dist.ids, local_dist.ids) and remote_dist.texts == local_dist.texts
    original = engine.reply(HI, GREEDY, explain=3)
    text = original.text()
    assert original.token_ids == ids_of(local.reply(HI, GREEDY))
    assert original.provenance.model_hash == local.model_hash() and (tmp_path / "hashes.json").is_file()
    alternative = original.steps[0].alternatives[1]
    continued = engine.reply(HI, GREEDY, explain=3, forced=[alternative.token])
    continued_text = continued.text()
    assert continued.token_ids[0] == alternative.token and continued_text != text
    assert continued.token_ids == ids_of(local.reply(HI, GREEDY, forced=[alternative.token]))
    verdict = engine.replay(HI, original.provenance, text, original.token_ids)
    assert verdict.identical
    assert engine.model_hash(fresh=True) == original.provenance.model_hash
