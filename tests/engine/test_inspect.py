"""Prompt X-ray, continuing from an alternative, provenance and replay, on the real engine."""

from __future__ import annotations

import dataclasses

import pytest

from engine.inspect.identity import ModelHasher, Provenance
from engine.inspect.replay import replay
from engine.inspect.tokens import joined
from engine.inspect.xray import TEMPLATE, TEMPLATE_TEXT
from engine.runtime.conversation import Message
from engine.runtime.model import load_model
from engine.runtime.prompt import PromptBuilder
from engine.runtime.session import ChatSession
from engine.runtime.settings import SamplingSettings
from synthetic_model import REPLY_TEXT, TOKEN_ID, SyntheticLM, build_synthetic_model
from conftest import shared_model

HI = [Message("user", "hi")]
GREEDY = SamplingSettings(temperature=0, max_new_tokens=30)
LM = SyntheticLM()


def test_the_xray_is_the_exact_prompt_cut_at_token_boundaries(chat_session, chat_loaded):
    messages = [Message("system", "Be brief."), Message("user", "Hello café 😀")]
    xray = chat_session.prompt_xray(messages)
    assert xray.ids == PromptBuilder(chat_loaded).encode(messages)
    assert xray.text == "<s><|system|>Be brief.<|end|><|user|>Hello café 😀<|end|><|assistant|>"
    assert joined(xray.tokens) == xray.text
    kinds = [(s.kind, s.text) for s in xray.segments]
    assert kinds == [(TEMPLATE, "<s><|system|>"), ("system", "Be brief."), (TEMPLATE, "<|end|><|user|>"),
                     ("user", "Hello café 😀"), (TEMPLATE, "<|end|><|assistant|>")]
    assert [t.text for t in xray.tokens if t.special] == ["<s>", "<|system|>", "<|end|>", "<|user|>", "<|end|>",
                                                         "<|assistant|>"]
    assert xray.segments[-1].end_token == len(xray.tokens)


def test_the_xray_marks_what_the_cache_reused_as_the_engine_counted_it(chat_session):
    first = chat_session.reply(HI, GREEDY)
    text = first.text()
    chat_session.settle()  # the reply's tokens, computed again in a batch, can be reused (see ChatSession)
    cached = chat_session.prompt_xray(HI).ids + first.token_ids[:-1]  # the last token is never fed
    turn = [*HI, Message("assistant", text), Message("user", "count")]
    xray = chat_session.prompt_xray(turn)
    second = chat_session.reply(turn, SamplingSettings(temperature=0, max_new_tokens=3))
    second.text()
    assert second.record.prompt_tokens == len(xray.tokens)
    common = next(i for i, (a, b) in enumerate(zip(cached + [-1], xray.ids + [-2])) if a != b)
    assert second.record.reused_tokens == min(common, len(xray.ids) - 2) > 0  # two are always fed again
    assert xray.ids[: second.record.reused_tokens] == cached[: second.record.reused_tokens]


def test_the_xray_lists_the_messages_the_context_policy_dropped(tmp_path):
    session = ChatSession(load_model(build_synthetic_model(tmp_path / "small", context_length=64), "cpu"))
    turns = [Message("system", "sys")]
    for n in range(6):
        turns += [Message("user", f"question {n} " + "ab " * 3), Message("assistant", "answer " + "cd " * 3)]
    turns.append(Message("user", "last"))
    xray = session.prompt_xray(turns, reply_reserve=8)
    reply = session.reply(turns, SamplingSettings(temperature=0, max_new_tokens=8))
    reply.text()
    assert len(xray.dropped) == reply.record.dropped_messages > 0
    assert xray.dropped == turns[1: 1 + len(xray.dropped)]
    assert len(xray.tokens) == reply.record.prompt_tokens
    assert xray.segments[1].kind == "system"


def test_continuing_from_an_alternative_equals_a_fresh_generation_forced_through_it(chat_loaded):
    session = ChatSession(chat_loaded)
    original = session.reply(HI, GREEDY, explain=4)
    assert original.text() == REPLY_TEXT
    step = 1
    alternative = next(a for a in original.steps[step].alternatives if not a.chosen)
    forced = original.token_ids[:step] + [alternative.token]
    continued = session.reply(HI, GREEDY, explain=4, forced=forced, prefix_steps=original.steps[:step])
    continued_text = continued.text()
    fresh = ChatSession(chat_loaded).reply(HI, GREEDY, explain=4, forced=forced, prefix_steps=original.steps[:step])
    assert fresh.text() == continued_text
    assert fresh.token_ids == continued.token_ids
    prompt = PromptBuilder(chat_loaded).encode(HI)
    expected = forced + LM.greedy(prompt + forced, GREEDY.max_new_tokens - len(forced), eos=tuple(chat_loaded.eos_token_ids))
    assert continued.token_ids == expected
    assert continued.record.reused_tokens == len(prompt) + step - 2 > fresh.record.reused_tokens == 0  # two fed again
    assert continued.steps[:step] == original.steps[:step]
    assert continued.steps[step].chosen.token == alternative.token
    assert continued.steps[step].chosen.model_probability == pytest.approx(alternative.model_probability)
    assert len(continued.steps) == len(continued.token_ids)
    assert continued.provenance.forced == tuple(forced)


def test_a_sampled_continuation_repeats_with_its_seed(chat_loaded):
    settings = SamplingSettings(temperature=1.5, top_k=0, top_p=1.0, seed=7, max_new_tokens=12)
    forced = [TOKEN_ID["▁la"]]
    a = ChatSession(chat_loaded).reply(HI, settings, forced=forced)
    session = ChatSession(chat_loaded)
    session.reply(HI, GREEDY).text()
    b = session.reply(HI, settings, forced=forced)
    text = a.text()
    assert b.text() == text and text.startswith("la")
    assert b.record.reused_tokens > 0


def test_replay_of_a_sampled_reply_with_its_stored_seed_is_identical(chat_loaded):
    session = ChatSession(chat_loaded)
    original = session.reply(HI, SamplingSettings(temperature=1.4, top_k=0, top_p=1.0, max_new_tokens=15))
    text = original.text()
    stored = Provenance.from_dict(original.provenance.to_dict())
    assert stored.settings["seed"] == original.record.seed and stored.model_hash.startswith("sha256:")
    session.reply([Message("user", "count")], GREEDY).text()  # another conversation in between
    verdict = replay(session, HI, stored, text, original.token_ids)
    assert verdict.identical and verdict.text == text and verdict.differences == []
    assert verdict.sentence().startswith("Identical")


def test_replay_says_what_differs(chat_loaded):
    session = ChatSession(chat_loaded)
    original = session.reply(HI, GREEDY)
    text = original.text()
    elsewhere = dataclasses.replace(original.provenance, provider="cuda", model_hash="sha256:" + "0" * 64,
                                    genai_version="onnxruntime-genai 0.17.0")
    verdict = replay(session, HI, elsewhere, text[:-2] + "!!")
    assert not verdict.identical and verdict.first_difference == len(text) - 2
    sentence = verdict.sentence()
    assert "model's files differ" in sentence and "CUDA then, CPU now" in sentence and "0.17.0 then" in sentence


def test_old_replies_without_provenance_read_as_none():
    assert Provenance.from_dict(None) is None and Provenance.from_dict({"provider": "cpu"}) is None
    assert Provenance.from_dict({"model_name": "m"}).settings == {}


def test_the_model_hash_is_cached_by_size_and_time_and_sees_a_change(tmp_path):
    folder = build_synthetic_model(tmp_path / "m")
    cache = tmp_path / "cache" / "hashes.json"
    first = ModelHasher(cache).folder_hash(folder)
    assert cache.is_file() and first.startswith("sha256:")
    assert ModelHasher(cache).folder_hash(folder) == first == ModelHasher().folder_hash(folder, fresh=True)
    config = folder / "genai_config.json"
    config.write_text(config.read_text(encoding="utf-8") + " ", encoding="utf-8")
    assert ModelHasher(cache).folder_hash(folder) != first


def test_the_session_hash_is_the_same_before_and_after_a_chat(chat_session):
    before = chat_session.model_hash()
    chat_session.reply(HI, GREEDY).text()
    assert chat_session.model_hash(fresh=True) == before


def test_smollm2_xray_shows_its_own_default_system_prompt():
    session = ChatSession(load_model(shared_model("smollm2-135m-instruct"), "cpu"))
    messages = [Message("user", "What is 2 + 2? Answer in one word.")]
    xray = session.prompt_xray(messages)
    assert xray.ids == PromptBuilder(session.loaded).encode(messages)
    assert joined(xray.tokens) == xray.text and xray.text.startswith("<|im_start|>system\nYou are a helpful")
    assert xray.segments[0].kind == TEMPLATE_TEXT and "SmolLM" in xray.segments[0].text
    assert [s.kind for s in xray.segments][1:] == ["user", TEMPLATE]


def test_explaining_a_reply_afterwards_gives_the_choices_it_was_written_with(chat_loaded):
    settings = SamplingSettings(temperature=1.3, top_k=5, top_p=0.95, repetition_penalty=1.2, seed=3, max_new_tokens=12)
    written = ChatSession(chat_loaded).reply(HI, settings, explain=4)
    written.text()
    session = ChatSession(chat_loaded)
    later = session.explain_reply(HI, settings, written.token_ids, 4)
    assert [s.chosen.token for s in later] == written.token_ids
    for before, after in zip(written.steps, later):
        assert before.chosen.drawn_probability == pytest.approx(after.chosen.drawn_probability, abs=1e-5)
        # the two tokens with distinct logits; the rest tie at one logit and may come in another order
        assert [a.token for a in before.alternatives[:2]] == [a.token for a in after.alternatives[:2]]


def test_a_look_at_the_next_token_leaves_the_cache_as_the_conversation_built_it(plain_session):
    count = [Message("user", "count")]
    text = plain_session.reply(count, SamplingSettings(temperature=0, max_new_tokens=4)).text()
    before = list(plain_session._cached)
    plain_session.next_token([*count, Message("assistant", text), Message("user", "five six")])
    assert plain_session._cached == before  # what the look added is gone; the conversation's part stays
    plain_session.next_token(count)  # a look at an earlier point cuts the cache back to what it shares
    assert plain_session._cached == before[: len(plain_session._cached)] < before


def test_replay_of_a_second_turn_written_on_a_reused_cache_is_identical(chat_loaded):
    settings = SamplingSettings(temperature=1.2, top_k=0, top_p=1.0, seed=5, max_new_tokens=10)
    session = ChatSession(chat_loaded)
    first = session.reply(HI, settings)
    turn = [*HI, Message("assistant", first.text()), Message("user", "count")]
    second = session.reply(turn, settings)
    text = second.text()
    assert second.record.reused_tokens > 0
    session.reply([Message("user", "something else")], GREEDY).text()
    verdict = replay(session, turn, second.provenance, text, second.token_ids)
    assert verdict.identical and verdict.differences == []


def test_smollm2_replay_of_a_sampled_second_turn_is_identical():
    session = ChatSession(load_model(shared_model("smollm2-135m-instruct"), "cpu"))
    settings = SamplingSettings(temperature=0.8, seed=7, max_new_tokens=24)
    first = session.reply([Message("user", "What is the capital of France?")], settings)
    first_text = first.text()
    turn = [Message("user", "What is the capital of France?"), Message("assistant", first_text),
            Message("user", "And what is it famous for?")]
    session.next_token([*turn[:2], Message("user", "And what")])  # the window's preview while typing
    second = session.reply(turn, settings)
    text = second.text()
    verdict = replay(ChatSession(session.loaded), turn, second.provenance, text, second.token_ids)  # fresh cache
    assert verdict.identical, verdict.sentence()
    verdict = replay(session, turn, second.provenance, text, second.token_ids)  # this conversation's cache
    assert verdict.identical, verdict.sentence()
