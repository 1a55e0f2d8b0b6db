"""Each sampling setting has the effect it promises, and seeds repeat exactly."""

from __future__ import annotations

import pytest

from engine.runtime.conversation import Message
from engine.errors import InvalidSetting
from engine.runtime.session import ChatSession
from engine.runtime.settings import SamplingSettings
from synthetic_model import REPLY_TEXT

HI = [Message("user", "hi")]


def replies(session: ChatSession, settings: SamplingSettings, seeds: range) -> list[str]:
    return [session.reply(HI, SamplingSettings(**{**settings.to_dict(), "seed": s})).text() for s in seeds]


def test_temperature_zero_is_greedy_and_ignores_the_seed(chat_session):
    assert set(replies(chat_session, SamplingSettings(temperature=0), range(5))) == {REPLY_TEXT}


def test_temperature_above_zero_samples_different_replies(chat_session):
    texts = replies(chat_session, SamplingSettings(temperature=1.5, top_k=0, top_p=1.0, max_new_tokens=15), range(12))
    assert len(set(texts)) >= 4
    assert any("la" in text.split() for text in texts)  # the runner-up token gets picked


def test_same_seed_same_reply_even_with_a_different_cache(chat_loaded):
    settings = SamplingSettings(temperature=1.2, seed=1234, max_new_tokens=15)
    fresh = ChatSession(chat_loaded).reply(HI, settings).text()
    warmed = ChatSession(chat_loaded)
    warmed.reply(HI, SamplingSettings(temperature=1.0, seed=99)).text()  # leaves a cache and a used RNG behind
    again = warmed.reply(HI, settings)
    assert again.text() == fresh
    assert again.record.reused_tokens > 0
    assert again.record.seed == 1234


def test_random_seed_is_reported_and_reproduces_the_reply(chat_session):
    first = chat_session.reply(HI, SamplingSettings(temperature=1.5, max_new_tokens=15))
    text = first.text()
    replay = chat_session.reply(HI, SamplingSettings(temperature=1.5, max_new_tokens=15, seed=first.record.seed))
    assert replay.text() == text


def test_top_k_one_is_greedy_at_any_temperature(chat_session):
    texts = replies(chat_session, SamplingSettings(temperature=2.0, top_k=1), range(5))
    assert set(texts) == {REPLY_TEXT}


def test_small_top_p_keeps_only_the_most_likely_token(chat_session):
    texts = replies(chat_session, SamplingSettings(temperature=2.0, top_k=0, top_p=0.2, max_new_tokens=15), range(5))
    assert set(texts) == {REPLY_TEXT}


def test_repetition_penalty_avoids_words_already_in_the_conversation(chat_session):
    said_hello = [Message("user", "Hello")]
    plain = chat_session.reply(said_hello, SamplingSettings(temperature=0)).text()
    penalised = chat_session.reply(said_hello, SamplingSettings(temperature=0, repetition_penalty=2.0,
                                                                 max_new_tokens=6)).text()
    assert plain.startswith("Hello")
    assert penalised.split()[0] == "la"


def test_max_new_tokens_caps_the_reply(chat_session):
    reply = chat_session.reply(HI, SamplingSettings(temperature=0, max_new_tokens=3))
    assert reply.text() == "Hello caf"  # the third token is the first byte of "é": never half a character
    assert reply.record.generated_tokens == 3
    assert reply.record.finish_reason == "max_tokens"


@pytest.mark.parametrize("change", [
    {"temperature": -0.1}, {"temperature": 2.5}, {"top_p": 0.0}, {"top_p": 1.5}, {"top_k": -1},
    {"top_k": 1.5}, {"top_k": 201}, {"repetition_penalty": 0.5}, {"repetition_penalty": 3.0}, {"max_new_tokens": 0},
    {"seed": -1}, {"seed": 2**40},
])
def test_out_of_range_settings_are_refused_with_a_clear_message(chat_session, change):
    settings = SamplingSettings(**{**SamplingSettings().to_dict(), **change})
    with pytest.raises(InvalidSetting) as caught:
        chat_session.reply(HI, settings)
    name = next(iter(change)).replace("_", " ").split()[0].lower()
    assert name[:4] in caught.value.user_message.lower().replace("-", " ")


def test_token_choices_show_what_the_model_weighed_at_each_step(chat_session):
    reply = chat_session.reply(HI, SamplingSettings(temperature=0), explain=3)
    assert reply.text() == REPLY_TEXT  # asking for choices changes nothing in the reply
    steps = reply.steps
    assert len(steps) == reply.record.generated_tokens == 15
    first = steps[0]
    assert [a.text for a in first.alternatives][:2] == [" Hello", " la"]  # the synthetic model's 10 and 8 logits
    assert first.chosen.text == " Hello" and first.chosen.drawn_probability == 1.0  # greedy: always the top
    ratio = first.alternatives[0].model_probability / first.alternatives[1].model_probability
    assert abs(ratio - 2.718281828 ** 2) < 0.2  # e^(10 - 8): the model's logits, not the settings'
    assert steps[2].chosen.text == "(part of a character)"  # the first byte of "é"
    assert steps[-1].chosen.text == "(end of reply)"


def test_token_choices_follow_temperature_and_top_k(chat_session):
    reply = chat_session.reply(HI, SamplingSettings(temperature=2.0, top_k=2, top_p=1.0, seed=4, max_new_tokens=5),
                               explain=4)
    reply.text()
    for step in reply.steps:
        drawn = [a.drawn_probability for a in step.alternatives]
        assert abs(sum(drawn) - 1.0) < 1e-6 and sum(1 for p in drawn if p > 0) == 2  # only top-k 2 were drawn from
        assert step.chosen.drawn_probability > 0
    first = reply.steps[0].alternatives
    assert first[0].drawn_probability / first[1].drawn_probability < first[0].model_probability / first[1].model_probability
