"""Choosing the next token from the model's logits.

onnxruntime-genai samples inside the generator, but its random stream cannot be
re-seeded once a generator exists, and a rewound generator continues the old stream.
LocalChat keeps one generator per conversation so every turn reuses the KV cache, so
it samples here instead, from a numpy generator seeded per reply: the same seed,
conversation and settings always give the same reply.  Plain greedy replies skip this
and use the library's own loop (see engine.runtime.session).

This runs once per token, so its cost is bounded by one vectorised float32 pass over
the vocabulary, with no full sort and no Python loop over it:

* top-k: a threshold that at least k tokens pass is read off a strided sample of the
  logits, and only the tokens above it are partitioned and ranked;
* top-p without top-k: the temperature's weights are computed once, and the nucleus is
  ranked among the tokens above a falling weight floor (usually a few hundred);
* neither: the draw walks block sums of the weights, then one block;
* token choices: one more exp-and-sum pass for the model's own probabilities.

Each draw takes exactly one number from the seeded generator, and every step is
deterministic for the same logits, which is what makes a seed repeat a reply.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import accumulate

import numpy as np

from engine.runtime.settings import SamplingSettings

SAMPLE_STRIDE = 64  # every 64th logit is read to find the top-k threshold
SAMPLE_SLACK = 4  # extra sample ranks, so that k tokens pass the threshold with near certainty
NUCLEUS_FLOORS = (2.0 ** -10, 2.0 ** -16, 2.0 ** -24, 0.0)  # weights relative to the most likely token
BLOCK = 1024  # tokens per block when drawing from the whole vocabulary
RANK_ALL = 4096  # up to this many candidates are sorted outright: fewer numpy calls than partitioning first


@dataclass(frozen=True)
class Candidate:
    token: int
    model_probability: float  # softmax of the model's scores (after the repetition penalty)
    drawn_probability: float  # after temperature, top-k and top-p: what the draw used (greedy: 1 for the top)


class Sampler:
    def __init__(self, settings: SamplingSettings, seed: int, vocab_size: int | None, context: list[int]) -> None:
        self._settings = settings
        self._rng = np.random.default_rng(seed)
        self._vocab = vocab_size or None
        self._penalty = settings.repetition_penalty
        self._seen: set[int] = set(int(t) for t in context) if self._penalty != 1.0 else set()
        self._seen_ids = np.fromiter(self._seen, dtype=np.int64, count=len(self._seen))
        self._scratch = _Scratch(0)  # vocabulary-sized buffers, made once per reply instead of once per token

    def pick(self, logits: np.ndarray) -> int:
        """The next token for these logits (one row, one float per vocabulary entry)."""
        return self.pick_explained(logits, 0)[0]

    def pick_explained(self, logits: np.ndarray, count: int) -> tuple[int, list[Candidate]]:
        """The next token, and the ``count`` tokens the model found most likely (the chosen one always among
        them) with two probabilities each: the model's own, and the one the settings gave it when drawing."""
        scores = np.asarray(logits, dtype=np.float32).reshape(-1)[: self._vocab]
        if self._scratch.size != scores.size:
            self._scratch = _Scratch(scores.size)
        if self._penalty != 1.0:
            np.copyto(self._scratch.penalised, scores)
            scores = self._scratch.penalised
            _penalise(scores, self._seen_ids, self._penalty)
        if self._settings.greedy:
            token = int(scores.argmax())
            draw = _Draw(ranked=np.array([token]), kept=[1.0], index=0)
        else:
            draw = self._draw(scores)
            token = draw.token
        if self._penalty != 1.0 and token not in self._seen:
            self._seen.add(token)
            self._seen_ids = np.append(self._seen_ids, token)
        return token, (_candidates(scores, draw, count, self._scratch) if count else [])

    def _draw(self, scores: np.ndarray) -> "_Draw":
        settings = self._settings
        inverse_temperature = np.float32(1.0 / settings.temperature)
        if 0 < settings.top_k < scores.size:
            ranked = top_tokens(scores, settings.top_k, self._scratch.mask)
            best = scores[ranked].tolist()
            inverse = 1.0 / settings.temperature
            return self._from_ranked(ranked, [math.exp((value - best[0]) * inverse) for value in best])
        weights = np.subtract(scores, scores.max(), out=self._scratch.values)
        weights *= inverse_temperature
        np.exp(weights, out=weights)
        total = float(weights.sum())
        if settings.top_p >= 1.0:
            token = self._from_all(weights, total)
            return _Draw(ranked=np.array([token]), kept=[float(weights[token]) / total], index=0,
                         weights=weights, total=total)
        for floor in NUCLEUS_FLOORS:  # the first floor whose tokens hold top-p of the weight
            members = (np.flatnonzero(np.greater_equal(weights, floor, out=self._scratch.mask)) if floor
                       else np.arange(scores.size))
            if float(weights[members].sum()) >= settings.top_p * total:
                break
        ranked = members[np.argsort(-weights[members], kind="stable")]
        return self._from_ranked(ranked, weights[ranked].astype(np.float64).tolist(), total)

    def _from_ranked(self, ranked: np.ndarray, weights: list[float], total: float | None = None) -> "_Draw":
        """Cut the ranked tokens where their weights reach top-p of ``total`` (the whole distribution's weight;
        None: the ranked tokens are all of it), renormalise, and draw one.

        The ranked tokens are few (top-k, or the nucleus), so this is plain Python: after a step of the model,
        each numpy call on a small array costs more than the arithmetic it does."""
        cumulative = list(accumulate(weights))
        total = cumulative[-1] if total is None else total
        keep = min(bisect_left(cumulative, self._settings.top_p * total) + 1, len(weights))
        kept_weight = cumulative[keep - 1]
        index = min(bisect_right(cumulative, self._rng.random() * kept_weight, 0, keep), keep - 1)
        return _Draw(ranked=ranked, kept=[weight / kept_weight for weight in weights[:keep]], index=index)

    def _from_all(self, weights: np.ndarray, total: float) -> int:
        """Draw from the whole vocabulary: find the block, then the token within it."""
        target = self._rng.random() * total
        block_sums = np.add.reduceat(weights, np.arange(0, weights.size, BLOCK)).astype(np.float64)
        ends = np.cumsum(block_sums)
        block = min(int(np.searchsorted(ends, target, side="right")), ends.size - 1)
        inside = np.cumsum(weights[block * BLOCK:(block + 1) * BLOCK], dtype=np.float64)
        rest = target - (ends[block - 1] if block else 0.0)
        return block * BLOCK + min(int(np.searchsorted(inside, rest, side="right")), inside.size - 1)


class _Scratch:
    def __init__(self, size: int) -> None:
        self.size = size
        self.values = np.empty(size, dtype=np.float32)
        self.penalised = np.empty(size, dtype=np.float32)
        self.mask = np.empty(size, dtype=bool)


@dataclass(frozen=True)
class _Draw:
    """One draw: the most likely tokens first (a prefix of the whole ranking), the probabilities of the first
    ``len(kept)`` of them, and which one was drawn.  Drawing from the whole vocabulary keeps the weights."""

    ranked: np.ndarray
    kept: list[float]
    index: int
    weights: np.ndarray | None = None
    total: float = 1.0

    @property
    def token(self) -> int:
        return int(self.ranked[self.index])


def top_tokens(scores: np.ndarray, count: int, mask: np.ndarray | None = None) -> np.ndarray:
    """The ``count`` highest-scoring tokens, best first, without sorting the vocabulary (``mask``: a boolean
    scratch buffer of the vocabulary's size)."""
    size = scores.size
    if count >= size:
        return np.argsort(-scores, kind="stable")
    members = None
    if size >= 16 * SAMPLE_STRIDE * (count // SAMPLE_STRIDE + SAMPLE_SLACK):
        sample = scores[::SAMPLE_STRIDE]
        rank = sample.size - 1 - min(sample.size - 1, count // SAMPLE_STRIDE + SAMPLE_SLACK)
        threshold = np.partition(sample, rank)[rank]
        members = np.flatnonzero(np.greater_equal(scores, threshold, out=mask))
        if members.size < count:  # an unlucky sample: rank everything
            members = None
    negated = -(scores if members is None else scores[members])
    if negated.size <= RANK_ALL:  # the usual case: a few hundred tokens passed the threshold
        best = np.argsort(negated, kind="stable")[:count]
    else:
        best = np.argpartition(negated, count - 1)[:count]
        best = best[np.argsort(negated[best], kind="stable")]
    return best if members is None else members[best]


def _candidates(scores: np.ndarray, draw: _Draw, count: int, scratch: _Scratch) -> list[Candidate]:
    top = (draw.ranked[:count] if draw.ranked.size >= count and draw.weights is None
           else top_tokens(scores, count, scratch.mask))
    chosen = draw.token
    if chosen not in top:
        top = np.append(top[: count - 1], chosen)
    if draw.weights is not None:  # read before the softmax below reuses the buffer
        drawn = (draw.weights[top] / draw.total).tolist()
    best = scores[top[0]]
    normaliser = np.exp(np.subtract(scores, best, out=scratch.values), out=scratch.values).sum()
    model = np.exp(scores[top] - best) / float(normaliser)
    if draw.weights is None:
        kept = dict(zip(draw.ranked[: min(len(draw.kept), count)].tolist(), draw.kept))
        kept[chosen] = float(draw.kept[draw.index])
        drawn = [kept.get(t, 0.0) for t in top.tolist()]
    return [Candidate(int(t), float(m), float(d)) for t, m, d in zip(top.tolist(), model.tolist(), drawn)]


def _penalise(scores: np.ndarray, seen: np.ndarray, penalty: float) -> None:
    """The CTRL-paper penalty used by Hugging Face: seen tokens lose likelihood whatever their sign."""
    seen = seen[seen < scores.size]
    values = scores[seen]
    scores[seen] = np.where(values > 0, values / penalty, values * penalty)
