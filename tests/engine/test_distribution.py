"""The next-token distribution and its reshaping, against numpy references of the sampler's arithmetic."""

from __future__ import annotations

import numpy as np
import pytest

from engine.inspect.distribution import describe, measure, reshape
from engine.runtime.conversation import Message
from engine.runtime.prompt import PromptBuilder
from engine.runtime.sampling import Sampler
from engine.runtime.settings import SamplingSettings
from synthetic_model import TOKEN_ID, VOCAB_SIZE, SyntheticLM

HI = [Message("user", "hi")]
LM = SyntheticLM()


def reference(logits: np.ndarray, context: list[int], settings: SamplingSettings) -> np.ndarray:
    """Probabilities the draw uses, written out step by step from the settings' definitions."""
    scores = logits.astype(np.float64).copy()
    seen = np.zeros(scores.size, dtype=bool)
    seen[context] = True
    r = settings.repetition_penalty
    scores[seen] = np.where(scores[seen] > 0, scores[seen] / r, scores[seen] * r)
    out = np.zeros(scores.size)
    if settings.temperature == 0:
        out[np.argmax(scores)] = 1.0
        return out
    order = np.argsort(-scores, kind="stable")
    if settings.top_k:
        order = order[: settings.top_k]
    p = np.exp(scores[order] / settings.temperature - scores[order[0]] / settings.temperature)
    p /= p.sum()
    keep = next(i for i, c in enumerate(np.cumsum(p)) if c >= settings.top_p or i == p.size - 1) + 1
    out[order[:keep]] = p[:keep] / p[:keep].sum()
    return out


def full(distribution, shaped) -> tuple[np.ndarray, np.ndarray]:
    model, probability = np.zeros(VOCAB_SIZE), np.zeros(VOCAB_SIZE)
    model[distribution.ids] = shaped.model_probability
    probability[distribution.ids] = shaped.probability
    return model, probability


@pytest.fixture
def prompt_ids(chat_loaded) -> list[int]:
    return PromptBuilder(chat_loaded).encode(HI)


SETTINGS = [
    SamplingSettings(temperature=1.0, top_k=0, top_p=1.0),
    SamplingSettings(temperature=0.5, top_k=0, top_p=1.0),
    SamplingSettings(temperature=2.0, top_k=0, top_p=1.0),
    SamplingSettings(temperature=1.5, top_k=3, top_p=1.0),
    SamplingSettings(temperature=1.5, top_k=0, top_p=0.5),
    SamplingSettings(temperature=1.5, top_k=0, top_p=1.0, repetition_penalty=1.8),
    SamplingSettings(temperature=0.7, top_k=40, top_p=0.9, repetition_penalty=1.3),
    SamplingSettings(temperature=0.0),
]


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: f"T{s.temperature}-k{s.top_k}-p{s.top_p}-r{s.repetition_penalty}")
def test_one_forward_pass_reshaped_for_each_setting_matches_the_reference(chat_session, prompt_ids, settings):
    distribution = chat_session.next_token(HI, count=VOCAB_SIZE)
    logits = LM.logits(prompt_ids)
    model, probability = full(distribution, reshape(distribution, settings))
    expected_model = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    assert np.allclose(model, expected_model, atol=1e-6)
    assert np.allclose(probability, reference(logits, prompt_ids, settings), atol=1e-6)
    assert distribution.prompt_tokens == len(prompt_ids)


def test_reshaping_agrees_with_what_the_sampler_draws_from(chat_loaded, prompt_ids):
    settings = SamplingSettings(temperature=1.3, top_k=5, top_p=0.95, repetition_penalty=1.2)
    logits = LM.logits(prompt_ids)
    _token, candidates = Sampler(settings, 1, VOCAB_SIZE, prompt_ids).pick_explained(logits, 5)
    shaped = reshape(measure(logits, prompt_ids, str, count=VOCAB_SIZE), settings)
    distribution = measure(logits, prompt_ids, str, count=VOCAB_SIZE)
    for candidate in candidates:
        index = int(np.flatnonzero(distribution.ids == candidate.token)[0])
        assert shaped.probability[index] == pytest.approx(candidate.drawn_probability, abs=1e-6)  # sampler: float32


def test_top_k_leaves_exactly_k_tokens(prompt_ids):
    logits = LM.logits(prompt_ids)
    distribution = measure(logits, prompt_ids, str)
    shaped = reshape(distribution, SamplingSettings(temperature=1.0, top_k=4, top_p=1.0))
    assert np.count_nonzero(shaped.probability) == 4 == shaped.kept
    assert np.all(shaped.probability[:4] > 0) and shaped.probability.sum() == pytest.approx(1.0)


def test_top_p_keeps_the_smallest_head_reaching_p(prompt_ids):
    logits = LM.logits(prompt_ids)
    distribution = measure(logits, prompt_ids, str, count=VOCAB_SIZE)
    for top_p in (0.5, 0.87, 0.9, 0.99):
        settings = SamplingSettings(temperature=1.0, top_k=0, top_p=top_p)
        shaped = reshape(distribution, settings)
        model = shaped.model_probability
        kept = np.count_nonzero(shaped.probability)
        assert model[: kept - 1].sum() < top_p <= model[:kept].sum() + 1e-12


def test_lower_temperature_sharpens_and_zero_is_greedy(prompt_ids):
    distribution = measure(LM.logits(prompt_ids), prompt_ids, str)
    tops = [reshape(distribution, SamplingSettings(temperature=t, top_k=0, top_p=1.0)).top_share
            for t in (2.0, 1.0, 0.5, 0.25)]
    assert tops == sorted(tops) and tops[0] < tops[-1]
    greedy = reshape(distribution, SamplingSettings(temperature=0.0))
    assert greedy.probability[0] == 1.0 and greedy.probability[1:].sum() == 0
    assert describe(greedy).startswith("The top token has 100 %")


def test_a_short_shortlist_estimates_the_rest_closely(prompt_ids):
    logits = LM.logits(prompt_ids)
    exact = measure(logits, prompt_ids, str, count=VOCAB_SIZE)
    short = measure(logits, prompt_ids, str, count=8)
    assert short.ids.size == 8 and short.tail_counts.sum() + short.other_seen_logits.size + 8 == VOCAB_SIZE
    for settings in (SamplingSettings(temperature=1.7, top_k=0, top_p=1.0),
                     SamplingSettings(temperature=1.2, top_k=0, top_p=0.97, repetition_penalty=1.5)):
        a, b = reshape(exact, settings), reshape(short, settings)
        assert np.allclose(a.probability[:8], b.probability, atol=2e-3)
        assert np.allclose(a.model_probability[:8], b.model_probability, atol=1e-9)


def test_the_plain_sentence_counts_the_tokens_in_play(prompt_ids):
    distribution = measure(LM.logits(prompt_ids), prompt_ids, str)
    sentence = describe(reshape(distribution, SamplingSettings(temperature=2.0, top_k=2, top_p=1.0)))
    assert sentence.startswith("The top token has ") and "about 2 tokens are in play" in sentence


def test_the_preview_reuses_the_cache_and_leaves_replies_unchanged(chat_session):
    before = chat_session.reply(HI, SamplingSettings(temperature=0)).text()
    chat_session.next_token([*HI, Message("assistant", before), Message("user", "count")])
    again = chat_session.reply(HI, SamplingSettings(temperature=0))
    assert again.text() == before and again.record.reused_tokens > 0
    distribution = chat_session.next_token([Message("user", "count")])
    assert distribution.texts[0] == " Hello"  # after the assistant marker the model greets
    assert distribution.ids[0] == TOKEN_ID["▁Hello"]
