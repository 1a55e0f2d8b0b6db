"""Choosing the next token from the model's logits.

onnxruntime-genai samples inside the generator, but its random stream cannot be
re-seeded once a generator exists, and a rewound generator continues the old stream.
LocalChat keeps one generator per conversation so every turn reuses the KV cache, so
it samples here instead, from a numpy generator seeded per reply: the same seed,
conversation and settings always give the same reply.  Plain greedy replies skip this
and use the library's own loop (see engine.runtime.session).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.runtime.settings import SamplingSettings


class Sampler:
    def __init__(self, settings: SamplingSettings, seed: int, vocab_size: int, context: list[int]) -> None:
        self._settings = settings
        self._rng = np.random.default_rng(seed)
        self._seen = np.zeros(vocab_size, dtype=bool)
        self._seen[np.asarray(context, dtype=np.int64)] = True

    def pick(self, logits: np.ndarray) -> int:
        """The next token for these logits (one row, one float per vocabulary entry)."""
        return self.pick_explained(logits, 0)[0]

    def pick_explained(self, logits: np.ndarray, count: int) -> tuple[int, list[Candidate]]:
        """The next token, and the ``count`` tokens the model found most likely (the chosen one always among
        them) with two probabilities each: the model's own, and the one the settings gave it when drawing."""
        scores = np.asarray(logits, dtype=np.float64).reshape(-1)[: self._seen.size].copy()
        settings = self._settings
        if settings.repetition_penalty != 1.0:
            _penalise(scores, self._seen, settings.repetition_penalty)
        if settings.greedy:
            token = int(np.argmax(scores))
            drawn = {token: 1.0}
        else:
            candidates, probs = self._shortlist(scores / settings.temperature)
            token = int(self._rng.choice(candidates, p=probs))
            drawn = dict(zip(candidates.tolist(), probs.tolist()))
        self._seen[token] = True
        return token, (_candidates(scores, token, drawn, count) if count else [])

    def _shortlist(self, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The tokens top-k and top-p leave in the running, with their probabilities (summing to 1)."""
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
        return candidates, probs / probs.sum()


@dataclass(frozen=True)
class Candidate:
    token: int
    model_probability: float  # softmax of the model's scores (after the repetition penalty)
    drawn_probability: float  # after temperature, top-k and top-p: what the draw used (greedy: 1 for the top)


def _candidates(scores: np.ndarray, chosen: int, drawn: dict[int, float], count: int) -> list[Candidate]:
    model = np.exp(scores - scores.max())
    model /= model.sum()
    top = np.argsort(-model, kind="stable")[:count].tolist()
    if chosen not in top:
        top[-1] = chosen
    return [Candidate(t, float(model[t]), drawn.get(t, 0.0)) for t in top]


def _penalise(scores: np.ndarray, seen: np.ndarray, penalty: float) -> None:
    """The CTRL-paper penalty used by Hugging Face: seen tokens lose likelihood whatever their sign."""
    seen_scores = scores[seen]
    scores[seen] = np.where(seen_scores > 0, seen_scores / penalty, seen_scores * penalty)
