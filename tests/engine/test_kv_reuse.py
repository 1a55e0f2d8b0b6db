"""KV-cache reuse: later turns process only what is new, and give the same tokens as a fresh run.

The synthetic model penalises every token it finds in its cache, so a cache that lost
or duplicated tokens would change the reply; the numpy reference says what is right.
"""

from __future__ import annotations

from engine.runtime.conversation import Message
from engine.runtime.prompt import PromptBuilder
from engine.runtime.session import ChatSession
from engine.runtime.settings import SamplingSettings
from synthetic_model import SyntheticLM, TOKEN_ID, VOCAB

GREEDY = SamplingSettings(temperature=0, max_new_tokens=40)


def reference_reply(loaded, messages, max_new=40) -> list[int]:
    ids = PromptBuilder(loaded).encode(messages)
    return SyntheticLM().greedy(ids, max_new, eos=tuple(loaded.eos_token_ids))


def token_text(loaded, tokens: list[int]) -> str:
    return loaded.tokenizer.decode([t for t in tokens if t not in loaded.eos_token_ids]).lstrip(" ")


def test_second_turn_processes_only_new_tokens_and_matches_a_fresh_run(chat_loaded):
    session = ChatSession(chat_loaded)
    messages = [Message("user", "hi")]
    first = session.reply(messages, GREEDY)
    messages.append(Message("assistant", first.text()))
    messages.append(Message("user", "and again"))
    second = session.reply(messages, GREEDY)
    text = second.text()
    prompt = PromptBuilder(chat_loaded).encode(messages)
    cached = first.record.prompt_tokens + first.record.generated_tokens - 1
    assert 0 < second.record.reused_tokens <= cached
    assert second.record.reused_tokens >= first.record.prompt_tokens
    assert second.record.prompt_tokens == len(prompt)
    assert text == token_text(chat_loaded, reference_reply(chat_loaded, messages))
    assert text == ChatSession(chat_loaded).reply(messages, GREEDY).text()


def test_many_turns_stay_correct_with_reuse(plain_loaded):
    session = ChatSession(plain_loaded)
    settings = SamplingSettings(temperature=0, max_new_tokens=12)
    messages = []
    for turn in range(6):
        messages.append(Message("user", "count" if turn % 2 else "hi"))
        reply = session.reply(messages, settings)
        text = reply.text()
        expected = plain_loaded.tokenizer.decode(reference_reply(plain_loaded, messages, 12)).rstrip("\ufffd")
        assert text == expected
        assert text == ChatSession(plain_loaded).reply(messages, settings).text()
        if turn:
            assert reply.record.reused_tokens > 0
        messages.append(Message("assistant", text))


def test_regenerate_reuses_all_but_the_last_two_prompt_tokens(chat_loaded):
    session = ChatSession(chat_loaded)
    messages = [Message("user", "hi")]
    session.reply(messages, GREEDY).text()
    again = session.reply(messages, SamplingSettings(temperature=1.0, seed=5, max_new_tokens=10))
    again.text()
    assert again.record.reused_tokens == again.record.prompt_tokens - 2  # fed as a batch, never one alone


def test_a_settled_reply_is_reused_by_the_next_turn(chat_loaded):
    session = ChatSession(chat_loaded)
    messages = [Message("user", "hi")]
    first = session.reply(messages, GREEDY)
    messages += [Message("assistant", first.text()), Message("user", "and again")]
    unsettled = session.reply(messages, GREEDY)
    expected = unsettled.text()
    assert unsettled.record.reused_tokens == first.record.prompt_tokens  # the reply's own tokens were fed again

    session = ChatSession(chat_loaded)
    session.reply(messages[:1], GREEDY).text()
    assert session.settle() == first.record.generated_tokens - 1  # all but the end token, which was never fed
    assert session.settle() == 0
    settled = session.reply(messages, GREEDY)
    assert settled.text() == expected == ChatSession(chat_loaded).reply(messages, GREEDY).text()
    assert settled.record.reused_tokens > unsettled.record.reused_tokens


def test_settling_stops_when_asked_and_the_next_turn_does_the_rest(plain_loaded):
    session = ChatSession(plain_loaded)
    messages = [Message("user", "count")]
    settings = SamplingSettings(temperature=0, max_new_tokens=150)
    reply = session.reply(messages, settings)
    text = reply.text()
    asked = []
    settled = session.settle(stop=lambda: asked.append(1) or True)  # "a request is waiting" at the first chance
    assert asked == [1] and settled == 64  # one batch
    messages += [Message("assistant", text), Message("user", "count")]
    after = session.reply(messages, settings)
    assert after.text() == ChatSession(plain_loaded).reply(messages, settings).text()
    assert after.record.reused_tokens == reply.record.prompt_tokens + 64


def test_edit_keeps_the_common_prefix_only(chat_loaded):
    session = ChatSession(chat_loaded)
    base = [Message("system", "be brief"), Message("user", "hi")]
    session.reply(base, GREEDY).text()
    edited = [Message("system", "be brief"), Message("user", "count please")]
    reply = session.reply(edited, GREEDY)
    text = reply.text()
    system_only = PromptBuilder(chat_loaded).encode([Message("system", "be brief")])
    assert len(system_only) - 1 <= reply.record.reused_tokens < reply.record.prompt_tokens
    assert text == token_text(chat_loaded, reference_reply(chat_loaded, edited))


def test_a_much_longer_second_turn_stays_correct(plain_loaded):
    session = ChatSession(plain_loaded)
    long_text = " ".join(["count"] * 100)  # ~100 tokens after a 5-token first turn
    first = [Message("user", "hi")]
    session.reply(first, SamplingSettings(temperature=0, max_new_tokens=5)).text()
    messages = first + [Message("assistant", " Hello café"), Message("user", long_text)]
    reply = session.reply(messages, SamplingSettings(temperature=0, max_new_tokens=30))
    text = reply.text()
    expected = reference_reply(plain_loaded, messages, 30)
    assert [VOCAB[t] for t in expected][:3] == ["▁one", "▁two", "▁three"]
    assert text == plain_loaded.tokenizer.decode(expected)
    assert TOKEN_ID["▁count"] in PromptBuilder(plain_loaded).encode(messages)


def test_reuse_on_a_trained_model_with_a_shared_kv_buffer(stories_model):
    """stories260k's KV buffer is preallocated (past_present_share_buffer): the other rewind path."""
    from engine.runtime.model import load_model

    loaded = load_model(stories_model, "cpu")
    session = ChatSession(loaded)
    settings = SamplingSettings(temperature=0.8, seed=7, max_new_tokens=40)
    messages = [Message("user", "Once upon a time")]
    for turn in range(4):
        reply = session.reply(messages, settings)
        text = reply.text()
        assert text == ChatSession(loaded).reply(messages, settings).text()
        if turn:
            assert reply.record.reused_tokens > 0
        messages += [Message("assistant", text), Message("user", "Then")]
