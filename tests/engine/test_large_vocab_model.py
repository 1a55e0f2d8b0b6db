"""The benchmark's stand-in for a large model (tests/support/synthetic_model.py, built small here) runs for real."""

from __future__ import annotations

from engine.runtime.conversation import Message
from engine.runtime.model import load_model
from engine.runtime.session import ChatSession
from engine.runtime.settings import SamplingSettings
from synthetic_model import build_large_vocab_model


def test_the_large_vocabulary_stand_in_samples_full_length_replies(tmp_path):
    loaded = load_model(build_large_vocab_model(tmp_path / "large", vocab_size=6000), "cpu")
    assert loaded.info.vocab_size == 6000
    session = ChatSession(loaded)
    messages = [Message("user", "Once upon a time")]
    settings = SamplingSettings(temperature=0.7, top_p=0.9, top_k=0, seed=3, max_new_tokens=30)
    reply = session.reply(messages, settings, explain=5)
    text = reply.text()
    assert reply.record.generated_tokens == 30 and reply.record.finish_reason == "max_tokens"  # never an end token
    assert all(sum(a.model_probability for a in step.alternatives) <= 1 + 1e-5 for step in reply.steps)
    assert text.startswith("w") and "<" not in text  # ordinary tokens, never a special or a byte
    assert ChatSession(loaded).reply(messages, settings).text() == text
