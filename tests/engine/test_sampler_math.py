"""The sampler's shortcuts (no full sort, float32) give exactly what the textbook definitions give.

Each test compares with a reference that sorts the whole vocabulary in float64, on logits shaped like a real
model's (a broad bulk and a few strong tokens) and on adversarial ones.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine.runtime.sampling import Sampler, top_tokens
from engine.runtime.settings import SamplingSettings

VOCAB = 200_064


def model_like_logits(seed: int, vocab: int = VOCAB, peak: float = 18.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    logits = (rng.standard_normal(vocab) * 3.0).astype(np.float32)
    logits[rng.integers(0, vocab, 4)] += np.array([peak, peak - 1.5, peak - 3, peak - 6], dtype=np.float32)
    return logits


def reference(logits: np.ndarray, temperature: float, top_k: int, top_p: float) -> dict[int, float]:
    """Draw probabilities by the definitions: sort everything, cut at k, then at p, renormalise."""
    scores = logits.astype(np.float64) / temperature
    order = np.argsort(-scores, kind="stable")
    if top_k:
        order = order[:top_k]
    probs = np.exp(scores[order] - scores[order[0]])
    probs /= np.exp(scores - scores[order[0]]).sum() if not top_k else probs.sum()
    keep = int(np.searchsorted(np.cumsum(probs), top_p)) + 1
    kept = probs[:keep] / probs[:keep].sum()
    return dict(zip(order[:keep].tolist(), kept.tolist()))


@pytest.mark.parametrize("count", [1, 5, 40, 200])
def test_top_tokens_are_the_best_in_order(count):
    for seed in range(5):
        logits = model_like_logits(seed)
        assert top_tokens(logits, count).tolist() == np.argsort(-logits, kind="stable")[:count].tolist()


def test_top_tokens_when_the_best_hide_between_sampled_positions():
    logits = np.zeros(VOCAB, dtype=np.float32)
    best = np.arange(1, 64 * 50, 64)  # never on the stride the threshold is read from
    logits[best] = np.linspace(5, 9, best.size, dtype=np.float32)
    assert sorted(top_tokens(logits, 40).tolist()) == sorted(best[-40:].tolist())
    flat = np.ones(VOCAB, dtype=np.float32)  # every token ties: any 40 are right, and never fewer
    assert len(set(top_tokens(flat, 40).tolist())) == 40


@pytest.mark.parametrize("vocab", [VOCAB + 3, 49_157])
def test_top_tokens_find_the_best_in_a_vocabulary_that_is_not_a_multiple_of_eight(vocab):
    logits = model_like_logits(7, vocab)
    logits[-3:] = 40.0 + np.arange(3, dtype=np.float32)  # the best three are the last tokens
    best = top_tokens(logits, 40).tolist()
    assert best == np.argsort(-logits, kind="stable")[:40].tolist() and best[:3] == [vocab - 1, vocab - 2, vocab - 3]


@pytest.mark.parametrize("top_k, top_p", [(40, 0.9), (0, 0.9), (0, 0.5), (200, 1.0), (1, 1.0)])
def test_drawn_probabilities_follow_the_definitions(top_k, top_p):
    for seed in range(4):
        logits = model_like_logits(seed, peak=9.0 + 3 * seed)  # from a broad nucleus to one strong token
        expected = reference(logits, 0.7, top_k, top_p)
        settings = SamplingSettings(temperature=0.7, top_k=top_k, top_p=top_p)
        token, candidates = Sampler(settings, seed, VOCAB, []).pick_explained(logits, 8)
        assert token in expected
        for candidate in candidates:
            assert candidate.drawn_probability == pytest.approx(expected.get(candidate.token, 0.0), rel=1e-4,
                                                                abs=1e-7)


def test_model_probabilities_are_the_softmax_of_the_logits():
    logits = model_like_logits(1)
    _, candidates = Sampler(SamplingSettings(temperature=0.0), 0, VOCAB, []).pick_explained(logits, 5)
    softmax = np.exp(logits.astype(np.float64) - logits.max())
    softmax /= softmax.sum()
    assert [c.token for c in candidates] == np.argsort(-softmax)[:5].tolist()
    assert [c.model_probability for c in candidates] == pytest.approx(np.sort(softmax)[::-1][:5], rel=1e-4)
    assert candidates[0].drawn_probability == 1.0 and all(c.drawn_probability == 0 for c in candidates[1:])


@pytest.mark.parametrize("top_k, top_p", [(40, 0.9), (0, 0.9), (0, 1.0)])
def test_draws_follow_the_distribution(top_k, top_p):
    vocab = 5_000
    logits = model_like_logits(7, vocab, peak=8.0)
    expected = reference(logits, 1.0, top_k, top_p) if top_p < 1 or top_k else None
    if expected is None:
        probs = np.exp(logits.astype(np.float64) - logits.max())
        expected = dict(enumerate((probs / probs.sum()).tolist()))
    sampler = Sampler(SamplingSettings(temperature=1.0, top_k=top_k, top_p=top_p), 3, vocab, [])
    draws = np.array([sampler.pick(logits) for _ in range(4000)])
    assert set(draws.tolist()) <= {t for t, p in expected.items() if p > 0}
    for token in sorted(expected, key=expected.get, reverse=True)[:3]:  # the likeliest tokens, within 4 sigma
        p = expected[token]
        assert abs((draws == token).mean() - p) < 4 * np.sqrt(p * (1 - p) / draws.size) + 1e-3


@pytest.mark.parametrize("top_k, top_p", [(40, 0.9), (0, 0.9), (0, 1.0)])
def test_the_same_seed_draws_the_same_tokens(top_k, top_p):
    rows = [model_like_logits(seed, peak=10.0) for seed in range(20)]
    settings = SamplingSettings(temperature=1.2, top_k=top_k, top_p=top_p, repetition_penalty=1.3)

    def run(seed: int) -> list[int]:
        sampler = Sampler(settings, seed, VOCAB, [1, 2, 3])
        return [sampler.pick(row) for row in rows]

    assert run(5) == run(5)
    assert run(5) != run(6)


def test_repetition_penalty_touches_only_tokens_already_seen():
    logits = np.array([3.0, -1.0, 2.0, 2.9], dtype=np.float32)
    settings = SamplingSettings(temperature=0.0, repetition_penalty=2.0)
    sampler = Sampler(settings, 0, 4, [0, 1])
    token, candidates = sampler.pick_explained(logits, 4)
    assert token == 3  # 3.0 halved to 1.5, so 2.9 wins
    model = {c.token: c.model_probability for c in candidates}
    penalised = np.array([1.5, -2.0, 2.0, 2.9])
    softmax = np.exp(penalised - penalised.max()) / np.exp(penalised - penalised.max()).sum()
    assert [model[t] for t in range(4)] == pytest.approx(softmax.tolist(), rel=1e-5)
    assert sampler.pick(logits) == 2  # token 3 is now seen too: 2.9 / 2 < 2.0
