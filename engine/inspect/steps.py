"""A token step for a token that was chosen rather than drawn ("continue from this alternative")."""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from engine.inspect.distribution import SHORTLIST, measure, reshape
from engine.runtime.record import Alternative, TokenStep
from engine.runtime.settings import SamplingSettings


def forced_step(logits: np.ndarray, settings: SamplingSettings, context: Sequence[int], chosen: int, count: int,
                label: Callable[[int], str]) -> TokenStep:
    """The ``count`` most likely tokens at this step (``chosen`` always among them), with the model's
    probability and what the settings would have given each."""
    row = np.asarray(logits, dtype=np.float32).reshape(-1)
    dist = measure(row, list(context), lambda _token: "", count=max(SHORTLIST, count))
    if chosen not in dist.ids:  # a token drawn from far down the list: rank the whole vocabulary once
        dist = measure(row, list(context), lambda _token: "", count=row.size)
    shaped = reshape(dist, settings)
    top = list(range(min(count, row.size)))
    position = int(np.flatnonzero(dist.ids == chosen)[0])
    if position not in top:
        top[-1] = position
    return TokenStep(tuple(Alternative(label(int(dist.ids[i])), float(shaped.model_probability[i]),
                                       float(shaped.probability[i]), int(dist.ids[i]) == chosen, int(dist.ids[i]))
                           for i in top))
