"""Generators are sized from the model's context when memory allows, so no turn waits for a rebuild."""

from __future__ import annotations

from engine.runtime.capacity import MIN_CAPACITY, KvCache, generator_capacity
from engine.runtime.conversation import Message
from engine.runtime.model import load_model
from engine.runtime.session import ChatSession
from engine.runtime.settings import SamplingSettings

SMOLLM2_LIKE = {"model": {"context_length": 8192, "decoder": {
    "num_hidden_layers": 30, "num_key_value_heads": 3, "num_attention_heads": 9, "head_size": 64}},
    "search": {"past_present_share_buffer": True}}


def test_kv_bytes_come_from_the_config():
    kv = KvCache.from_config(SMOLLM2_LIKE, "cpu")
    assert kv.preallocated and kv.bytes_per_token == 30 * 3 * 64 * 2 * 4
    assert kv.bytes_per_token * 8192 == 377_487_360  # the README's 377 MB
    assert KvCache.from_config(SMOLLM2_LIKE, "cuda").bytes_per_token == 30 * 3 * 64 * 2 * 2
    grows = KvCache.from_config({**SMOLLM2_LIKE, "search": {"past_present_share_buffer": False}}, "cpu")
    assert not grows.preallocated


def test_the_whole_context_when_an_eighth_of_memory_holds_it():
    kv = KvCache(bytes_per_token=46_080, preallocated=True)
    assert generator_capacity(kv, 8192, 40, budget=16 * 2**30 // 8) == 8192
    limited = generator_capacity(kv, 8192, 40, budget=100 * 46_080)  # room for 100 tokens only
    assert limited == MIN_CAPACITY  # never less than a useful minimum
    assert generator_capacity(kv, 8192, 3000, budget=2000 * 46_080) == 6000  # twice the turn beyond the budget
    assert generator_capacity(kv, 8192, 5000, budget=None) == 8192  # unknown memory: grow by doubling, capped
    assert generator_capacity(KvCache(46_080, preallocated=False), 8192, 40, budget=0) == 8192  # nothing up front


def test_a_long_conversation_never_rebuilds_when_memory_allows(stories_model):
    loaded = load_model(stories_model, "cpu")
    session = ChatSession(loaded)
    session.prepare()
    assert session.capacity == loaded.info.context_length  # made before the first reply, for the whole context
    generator = session._generator
    messages = [Message("user", "Once upon a time")]
    settings = SamplingSettings(temperature=0, max_new_tokens=60)
    for turn in range(5):
        reply = session.reply(messages, settings)
        messages += [Message("assistant", reply.text()), Message("user", "Then")]
        if turn:
            assert reply.record.reused_tokens > 0
    assert reply.record.prompt_tokens > 256  # well past what a generator sized from the first turn held
    assert session._generator is generator
    session.forget(free_memory=False)  # the same generator, rewound
    fresh = session.reply(messages[:1], settings)
    assert fresh.record.reused_tokens == 0 and session._generator is generator
    assert fresh.text() == ChatSession(loaded).reply(messages[:1], settings).text()


def test_a_conversation_longer_than_memory_allows_gets_a_bigger_generator(stories_model):
    loaded = load_model(stories_model, "cpu")
    session = ChatSession(loaded, kv_budget=loaded.kv_cache.bytes_per_token * 100)
    session.prepare()
    assert session.capacity == MIN_CAPACITY
    messages = [Message("user", "Once upon a time")]
    settings = SamplingSettings(temperature=0.8, seed=3, max_new_tokens=80)
    for _ in range(4):
        reply = session.reply(messages, settings)
        text = reply.text()
        assert text == ChatSession(loaded).reply(messages, settings).text()
        messages += [Message("assistant", text), Message("user", "Then")]
    assert session.capacity > MIN_CAPACITY

