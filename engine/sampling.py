"""Choosing the next token from the model's logits.

onnxruntime-genai samples inside the generator, but its random stream cannot be
re-seeded once a generator exists, and a rewound generator continues the old stream.
LocalChat keeps one generator per conversation so every turn reuses the KV cache, so
it samples here instead, from a numpy generator seeded per reply: the same seed,
conversation and settings always give the same reply.  Plain greedy replies skip this
and use the library's own loop (see engine.session).
"""

from __future__ import annotations

import numpy as np

from engine.settings import SamplingSettings


class Sampler:
    def __init__(self, settings: SamplingSettings, seed: int, vocab_size: int, context: list[int]) -> None:
        self._settings = settings
        self._rng = np.random.default_rng(seed)
        self._seen = np.zeros(vocab_size, dtype=bool)
        self._seen[np.asarray(context, dtype=np.int64)] = True

    def pick(self, logits: np.ndarray) -> int:
        """The next token for these logits (one row, one float per vocabulary entry)."""
        scores = np.asarray(logits, dtype=np.float64).reshape(-1)[: self._seen.size].copy()
        settings = self._settings
        if settings.repetition_penalty != 1.0:
            _penalise(scores, self._seen, settings.repetition_penalty)
        if settings.greedy:
            token = int(np.argmax(scores))
        else:
            token = self._draw(scores / settings.temperature)
        self._seen[token] = True
        return token

    def _draw(self, scores: np.ndarray) -> int:
        top_k = self._settings.top_k
        if 0 < top_k < scores.size:
            candidates = np.argpartition(-scores, top_k - 1)[:top_k]
        else:
            candidates = np.arange(scores.size)
        candidates = candidates[np.argsort(-scores[candidates], kind="stable")]
        probs = np.exp(scores[candidates] - scores[candidates[0]])
        probs /= probs.sum()
        keep = int(np.searchsorted(np.cumsum(probs), self._settings.top_p) + 1)
        candidates, probs = candidates[:keep], probs[:keep]
        return int(self._rng.choice(candidates, p=probs / probs.sum()))


def _penalise(scores: np.ndarray, seen: np.ndarray, penalty: float) -> None:
    """The CTRL-paper penalty used by Hugging Face: seen tokens lose likelihood whatever their sign."""
    seen_scores = scores[seen]
    scores[seen] = np.where(seen_scores > 0, seen_scores / penalty, seen_scores * penalty)
