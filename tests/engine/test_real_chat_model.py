"""The engine on a real chat model: smollm2-135m-instruct (ChatML template with its own default system prompt,
30 layers of grouped-query attention, 49,152 tokens, int4).  Skipped when ../shared is absent.

Replies are compared with independent references (a bare onnxruntime-genai loop, or a fresh prefill of the same
conversation), never with text written into the test.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from conftest import shared_model
from engine.errors import ContextOverflow
from engine.runtime.conversation import Message
from engine.runtime.genai import genai
from engine.runtime.model import LoadedModel, load_model
from engine.runtime.prompt import PromptBuilder
from engine.runtime.record import END_OF_REPLY
from engine.runtime.session import ChatSession
from engine.runtime.settings import SamplingSettings

SMOLLM2 = "smollm2-135m-instruct"
GREEDY = SamplingSettings(temperature=0, max_new_tokens=24)
IM_START, IM_END = "<|im_start|>", "<|im_end|>"
DEFAULT_SYSTEM = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"


@pytest.fixture(scope="module")
def smol() -> LoadedModel:
    return load_model(shared_model(SMOLLM2), "cpu")


@pytest.fixture(scope="module")
def short_smol(tmp_path_factory: pytest.TempPathFactory) -> LoadedModel:
    """The same model files with the context cut to 512 tokens (linked, not copied; only the config changes)."""
    source = shared_model(SMOLLM2)
    folder = tmp_path_factory.mktemp("smollm2-512")
    for item in source.iterdir():
        if item.name != "genai_config.json":
            try:
                os.symlink(item, folder / item.name)
            except OSError as error:
                pytest.skip(f"cannot link the model files here: {error}")
    config = json.loads((source / "genai_config.json").read_text(encoding="utf-8"))
    config["model"]["context_length"] = config["search"]["max_length"] = 512
    (folder / "genai_config.json").write_text(json.dumps(config), encoding="utf-8")
    return load_model(folder, "cpu")


def bare_greedy(loaded: LoadedModel, ids: list[int], max_new: int) -> str:
    """onnxruntime-genai's own greedy loop on the same ids, decoded by the tokenizer: the reference."""
    og = genai()
    params = og.GeneratorParams(loaded.model)
    params.set_search_options(max_length=len(ids) + max_new, do_sample=False)
    generator = og.Generator(loaded.model, params)
    generator.append_tokens(ids)
    tokens: list[int] = []
    while not generator.is_done() and len(tokens) < max_new:
        generator.generate_next_token()
        token = int(generator.get_next_tokens()[0])
        if token in loaded.eos_token_ids:
            break
        tokens.append(token)
    return loaded.tokenizer.decode(tokens)


def test_without_a_system_prompt_the_template_adds_smollms_own(smol):
    messages = [Message("user", "What is the capital of France?")]
    text = PromptBuilder(smol).render(messages)
    assert text == (f"{IM_START}system\n{DEFAULT_SYSTEM}{IM_END}\n{IM_START}user\nWhat is the capital of France?"
                    f"{IM_END}\n{IM_START}assistant\n")
    ids = PromptBuilder(smol).encode(messages)
    assert ids[0] == smol.bos_token_id and ids.count(smol.bos_token_id) == 3  # the template's own, none added
    reply = ChatSession(smol).reply(messages, GREEDY)
    assert reply.text() == bare_greedy(smol, ids, GREEDY.max_new_tokens)
    assert reply.record.finish_reason == "eos" and reply.record.prompt_tokens == len(ids)


def test_a_system_prompt_replaces_the_default_one(smol):
    messages = [Message("system", "Answer in one word."), Message("user", "What colour is the sky?"),
                Message("assistant", "Blue."), Message("user", "And grass?")]
    text = PromptBuilder(smol).render(messages)
    assert DEFAULT_SYSTEM not in text
    assert text == (f"{IM_START}system\nAnswer in one word.{IM_END}\n{IM_START}user\nWhat colour is the sky?{IM_END}\n"
                    f"{IM_START}assistant\nBlue.{IM_END}\n{IM_START}user\nAnd grass?{IM_END}\n{IM_START}assistant\n")
    ids = PromptBuilder(smol).encode(messages)
    assert ChatSession(smol).reply(messages, GREEDY).text() == bare_greedy(smol, ids, GREEDY.max_new_tokens)


def test_edits_and_regenerations_reuse_the_cache_and_equal_a_fresh_prefill(smol):
    session, fresh = ChatSession(smol), ChatSession(smol)

    def turn(messages: list[Message], settings: SamplingSettings, settle: bool = True):
        reply = session.reply(messages, settings)
        text = reply.text()
        if settle:
            session.settle()
        fresh.forget(free_memory=False)  # the whole conversation prefilled from the start
        assert text == fresh.reply(messages, settings).text()
        return reply.record, text

    sampled = SamplingSettings(temperature=0.8, seed=11, max_new_tokens=24)
    messages = [Message("user", "Give me a tip for sleeping well.")]
    record, first = turn(messages, GREEDY)
    assert record.reused_tokens == 0
    messages += [Message("assistant", first), Message("user", "And one for waking up early?")]
    record, second = turn(messages, GREEDY)
    assert record.reused_tokens > record.prompt_tokens // 2  # the first turn and its (settled) reply

    messages[-1] = Message("user", "And one for eating well?")  # edit: the common prefix is kept
    record, edited = turn(messages, GREEDY, settle=False)
    assert 0 < record.reused_tokens < record.prompt_tokens
    record, regenerated = turn(messages, sampled)  # regenerate: only the last two prompt tokens are fed again
    assert record.reused_tokens == record.prompt_tokens - 2
    record, again = turn(messages, sampled)
    assert again == regenerated  # the same seed repeats the reply whatever the cache went through
    record, back = turn(messages, GREEDY)
    assert back == edited

    messages += [Message("assistant", back), Message("user", "Thanks. Summarise both tips in one line.")]
    record, _ = turn(messages, sampled)
    assert record.reused_tokens > 0 and record.prompt_tokens > 100


def test_oldest_turns_are_dropped_on_the_real_template(short_smol):
    system = Message("system", "You are a patient teacher.")
    messages = [system]
    for n in range(12):
        messages += [Message("user", f"Question {n}: what is {n} times {n}, and why? Explain it simply."),
                     Message("assistant", f"{n} times {n} is {n * n}, because you add {n} to itself {n} times.")]
    messages.append(Message("user", "What is 3 plus 4?"))
    builder = PromptBuilder(short_smol)
    assert len(builder.encode(messages)) > 512
    reply = ChatSession(short_smol).reply(messages, GREEDY)
    reply.text()
    record = reply.record
    assert record.dropped_messages > 0 and record.dropped_messages % 2 == 0  # whole turns
    kept = [system] + messages[1 + record.dropped_messages:]
    assert record.prompt_tokens == len(builder.encode(kept))
    assert record.prompt_tokens + GREEDY.max_new_tokens <= 512
    assert builder.render(kept).startswith(f"{IM_START}system\nYou are a patient teacher.{IM_END}\n{IM_START}user\n")


def test_a_single_message_too_long_for_the_context_is_refused_in_one_sentence(short_smol):
    huge = [Message("user", "Please read this carefully. " * 200)]
    with pytest.raises(ContextOverflow) as caught:
        ChatSession(short_smol).reply(huge, GREEDY).text()
    sentence = caught.value.user_message
    assert "too long" in sentence and sentence.endswith(".") and "\n" not in sentence


def test_a_reply_that_reaches_the_end_of_the_context_says_context_full(short_smol):
    filler = Message("system", "You count. " + "Numbers are fun to count. " * 55)
    messages = [filler, Message("user", "Count from 1 to 1000, one number per line.")]
    settings = SamplingSettings(temperature=0, max_new_tokens=5000)
    prompt = len(PromptBuilder(short_smol).encode(messages))
    assert 300 < prompt <= 512 - 128  # the context policy keeps a quarter of the context for the reply
    reply = ChatSession(short_smol).reply(messages, settings)
    reply.text()
    assert reply.record.finish_reason == "context_full"
    assert reply.record.prompt_tokens + reply.record.generated_tokens == 512


def test_token_choices_with_real_tokens(smol):
    session = ChatSession(smol)
    messages = [Message("user", "Name three colours of the rainbow.")]
    settings = SamplingSettings(temperature=0.9, top_p=0.9, top_k=40, seed=5, max_new_tokens=30)
    reply = session.reply(messages, settings, explain=5)
    text = reply.text()
    assert len(reply.steps) == reply.record.generated_tokens
    for step in reply.steps:
        model = [a.model_probability for a in step.alternatives]
        drawn = [a.drawn_probability for a in step.alternatives]
        assert len(step.alternatives) == 5 and sum(model) <= 1 + 1e-5 and sum(drawn) <= 1 + 1e-5
        ranked = model[:-1] if step.alternatives[-1].chosen else model  # a drawn outsider takes the last place
        assert ranked == sorted(ranked, reverse=True)
        assert step.chosen.drawn_probability > 0
    written = "".join(s.chosen.text for s in reply.steps if s.chosen.text != END_OF_REPLY)
    assert written.removeprefix(" ") == text
    assert [s.chosen.token for s in reply.steps if s.chosen.text != END_OF_REPLY] == [
        t for t in reply.token_ids if t not in smol.eos_token_ids]
    assert session.reply(messages, settings).text() == text  # asking for choices changes nothing
    greedy = session.reply(messages, GREEDY, explain=3)
    greedy_text = greedy.text()
    assert all(step.alternatives[0].chosen for step in greedy.steps)
    assert greedy_text == bare_greedy(smol, PromptBuilder(smol).encode(messages), GREEDY.max_new_tokens)
    assert np.isclose(greedy.steps[0].alternatives[0].drawn_probability, 1.0)
