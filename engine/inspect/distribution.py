"""The next-token distribution: read once from the model, reshaped for any settings without the model.

``measure`` turns one row of logits into a ``NextTokenDistribution``: the most likely tokens with their
logits, the logits of every token already in the conversation (the repetition penalty changes those),
a histogram of the rest, and the exact log-normaliser.  That is a few kilobytes whatever the
vocabulary, so it crosses the process boundary once per forward pass.  ``reshape`` then applies
repetition penalty, temperature, top-k and top-p exactly as engine.runtime.sampling does, in a few
microseconds, so the window can redraw the chart on every slider move.

The result is exact whenever every token the settings keep is in the shortlist (always with top-k
on, as top-k is at most 200 and the shortlist holds 256), and exact for the model's own
probabilities.  With top-k off, the tail's share is estimated from its histogram (each bin's tokens
at their mean logit): probabilities are then within a fraction of a percent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.runtime.settings import SamplingSettings

SHORTLIST = 256
TAIL_BINS = 256


@dataclass(frozen=True)
class NextTokenDistribution:
    ids: np.ndarray  # int64, the shortlist, most likely first
    logits: np.ndarray  # float32, their logits
    texts: tuple[str, ...]  # readable labels of the shortlist
    seen: np.ndarray  # bool, which shortlist tokens are already in the conversation
    other_seen_logits: np.ndarray  # float32, logits of tokens in the conversation but not in the shortlist
    tail_counts: np.ndarray  # int64, histogram of every other token's logit
    tail_means: np.ndarray  # float64, mean logit per bin
    log_z: float  # log of the sum of exp(logit) over the whole vocabulary
    prompt_tokens: int = 0
    vocab_size: int = 0


@dataclass(frozen=True)
class ShapedDistribution:
    """``reshape``'s result, aligned with the distribution's shortlist."""

    model_probability: np.ndarray  # the model's own probabilities (softmax of its logits)
    probability: np.ndarray  # what the draw would use under the settings (0 for a token they cut)
    kept: int  # how many tokens the settings leave in the running (tail tokens included, estimated)
    effective: float  # exp(entropy) of the shaped distribution: "about this many tokens are in play"

    @property
    def top_share(self) -> float:
        return float(self.probability.max()) if self.probability.size else 0.0


def measure(logits: np.ndarray, context: list[int], texts_of, count: int = SHORTLIST,
            prompt_tokens: int = 0) -> NextTokenDistribution:
    """Summarise one row of logits (one vectorised pass over the vocabulary)."""
    row = np.asarray(logits, dtype=np.float32).reshape(-1)
    vocab = row.size
    count = max(1, min(count, vocab))
    top = np.argpartition(-row, count - 1)[:count] if count < vocab else np.arange(vocab)
    top = top[np.lexsort((top, -row[top]))]  # most likely first, ties by id as argmax breaks them
    seen_mask = np.zeros(vocab, dtype=bool)
    context_ids = np.asarray([t for t in context if 0 <= t < vocab], dtype=np.int64)
    seen_mask[context_ids] = True
    rest = np.ones(vocab, dtype=bool)
    rest[top] = False
    other_seen = rest & seen_mask
    rest &= ~seen_mask
    tail = row[rest].astype(np.float64)
    counts, means = _histogram(tail)
    peak = float(row.max())
    log_z = peak + math.log(float(np.exp(row.astype(np.float64) - peak).sum()))
    return NextTokenDistribution(
        ids=top.astype(np.int64), logits=row[top].copy(), texts=tuple(texts_of(int(t)) for t in top),
        seen=seen_mask[top], other_seen_logits=row[other_seen].copy(), tail_counts=counts, tail_means=means,
        log_z=log_z, prompt_tokens=prompt_tokens, vocab_size=vocab)


def _histogram(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if values.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    edges = np.linspace(values.min(), values.max() + 1e-6, TAIL_BINS + 1)
    bins = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, TAIL_BINS - 1)
    counts = np.bincount(bins, minlength=TAIL_BINS)
    sums = np.bincount(bins, weights=values, minlength=TAIL_BINS)
    used = counts > 0
    return counts[used].astype(np.int64), sums[used] / counts[used]


def reshape(dist: NextTokenDistribution, settings: SamplingSettings) -> ShapedDistribution:
    """The probabilities the draw would use for the shortlist under ``settings`` (see engine.runtime.sampling)."""
    n = dist.ids.size
    model = np.exp(dist.logits.astype(np.float64) - dist.log_z)
    # Known tokens: the shortlist, then the other tokens of the conversation; the tail is only in bins.
    scores = np.concatenate([dist.logits, dist.other_seen_logits]).astype(np.float64)
    seen = np.concatenate([dist.seen, np.ones(dist.other_seen_logits.size, dtype=bool)])
    penalty = settings.repetition_penalty
    if penalty != 1.0:
        scores[seen] = np.where(scores[seen] > 0, scores[seen] / penalty, scores[seen] * penalty)
    probability = np.zeros(n, dtype=np.float64)
    if settings.greedy:
        order = np.lexsort((np.concatenate([dist.ids, np.full(dist.other_seen_logits.size, 1 << 40)]), -scores))
        if order[0] < n:
            probability[order[0]] = 1.0
        return ShapedDistribution(model, probability, 1, 1.0)
    scaled = scores / settings.temperature
    order = np.argsort(-scaled, kind="stable")
    top_k = settings.top_k
    use_tail = not (0 < top_k < dist.vocab_size)
    if not use_tail:
        order = order[:top_k]
    head = np.exp(scaled[order] - scaled[order[0]])
    tail_order = np.argsort(-dist.tail_means, kind="stable") if use_tail else np.zeros(0, dtype=np.int64)
    tail = (dist.tail_counts[tail_order] * np.exp(dist.tail_means[tail_order] / settings.temperature
                                                  - scaled[order[0]]))
    total = head.sum() + tail.sum()
    cumulative = np.cumsum(np.concatenate([head, tail]) / total)
    crossing = int(np.searchsorted(cumulative, settings.top_p))
    counts = dist.tail_counts[tail_order].copy()
    if crossing < head.size or counts.size == 0:
        kept_head, counts = head[: crossing + 1], counts[:0]
    else:  # the cut falls in a tail bin: keep only as many of its tokens as it takes to reach top-p
        kept_head, bin_index = head, min(crossing - head.size, counts.size - 1)
        before = cumulative[head.size + bin_index - 1] if head.size + bin_index > 0 else 0.0
        each = tail[bin_index] / counts[bin_index] / total
        needed = int(min(counts[bin_index], max(1, math.ceil((settings.top_p - before) / each - 1e-9))))
        counts = counts[: bin_index + 1]
        counts[bin_index] = needed
    per_token = tail[: counts.size] / np.maximum(dist.tail_counts[tail_order][: counts.size], 1)
    kept_tail = per_token * counts
    kept_mass = kept_head.sum() + kept_tail.sum()
    shaped = kept_head / kept_mass
    for position, index in enumerate(order[: kept_head.size]):
        if index < n:
            probability[index] = shaped[position]
    entropy = -float((shaped * np.log(shaped)).sum())
    if counts.size:
        entropy -= float((kept_tail / kept_mass * np.log(per_token / kept_mass)).sum())
    return ShapedDistribution(model, probability, int(kept_head.size + counts.sum()), math.exp(entropy))


def describe(shaped: ShapedDistribution) -> str:
    """One plain sentence on how random the next token is."""
    top = shaped.top_share
    if top >= 0.995:
        return f"The top token has {top * 100:.0f} %: the next token is as good as decided."
    return (f"The top token has {top * 100:.0f} %; about {max(1, round(shaped.effective))} tokens are in play "
            f"({shaped.kept} left in the running by top-k and top-p).")
