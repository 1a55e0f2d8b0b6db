"""Streaming: the text that arrives piece by piece is exactly the model's reply."""

from __future__ import annotations

from engine.runtime.conversation import Message
from engine.runtime.model import load_model
from engine.runtime.prompt import PromptBuilder
from engine.runtime.session import ChatSession
from engine.runtime.settings import SamplingSettings
from synthetic_model import BOS, EOS, REPLY_TEXT, SyntheticLM, TOKEN_ID, VOCAB

GREEDY = SamplingSettings(temperature=0.0)


def test_chat_reply_streams_the_expected_text_with_multibyte_characters(chat_session):
    reply = chat_session.reply([Message("user", "hi")], GREEDY)
    chunks = list(reply)
    assert "".join(chunks) == REPLY_TEXT
    # é, € and 😀 each arrive as byte tokens; no chunk may hold half a character
    assert all("\ufffd" not in chunk for chunk in chunks)
    assert len(chunks) >= 8
    assert reply.record.finish_reason == "eos"
    assert reply.record.generated_tokens == 15


def test_streamed_text_equals_full_decode_of_generated_tokens(plain_loaded):
    session = ChatSession(plain_loaded)
    messages = [Message("user", "hi")]
    ids = PromptBuilder(plain_loaded).encode(messages)
    expected_ids = SyntheticLM().greedy(ids, 50)
    streamed = session.reply(messages, GREEDY).text()
    full = plain_loaded.tokenizer.decode([t for t in expected_ids if t != EOS])
    assert streamed == full  # continuation keeps the leading space that joins words
    assert streamed == " " + REPLY_TEXT


def test_prompt_gets_bos_because_tokenizer_config_asks_for_it(plain_loaded):
    ids = PromptBuilder(plain_loaded).encode([Message("user", "count")])
    assert ids == [BOS, TOKEN_ID["▁count"]]


def test_chat_template_renders_roles(chat_loaded):
    ids = PromptBuilder(chat_loaded).encode([Message("system", "be brief"), Message("user", "hi")])
    pieces = [VOCAB[i] for i in ids]
    assert pieces[:2] == ["<s>", "<|system|>"]
    assert "<|user|>" in pieces and pieces[-1] == "<|assistant|>"


def test_plain_model_continues_the_text(plain_session):
    reply = plain_session.reply([Message("user", "count")], SamplingSettings(temperature=0, max_new_tokens=5))
    assert reply.text() == " one two three four five"
    assert reply.record.finish_reason == "max_tokens"


def test_stories260k_greedy_matches_reference_text(stories_model):
    readme = (stories_model / "README.md").read_text(encoding="utf-8")
    expected = readme.split("Greedy (temperature 0), 60 new tokens, decoded:")[1].split("```")[1].strip("\n")
    session = ChatSession(load_model(stories_model, "cpu"))
    reply = session.reply([Message("user", "Once upon a time")], SamplingSettings(temperature=0, max_new_tokens=60))
    assert reply.text() == expected
    assert reply.record.prompt_tokens == 5  # [1, 403, 407, 261, 378]: BOS included
