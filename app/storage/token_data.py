"""A reply's token data as stored: its token ids and, when they were kept, the choices at every step.

Stored JSON is untrusted (an old file, an import, a hand edit), so ``steps_from_stored`` checks every
value once here and gives back typed TokenSteps, or nothing for what cannot be read.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Sequence

from engine.runtime.record import Alternative, TokenStep


def to_stored(token_ids: Sequence[int], steps: Sequence[TokenStep]) -> dict[str, Any] | None:
    if not token_ids and not steps:
        return None
    return {"ids": [int(t) for t in token_ids], "steps": [[asdict(a) for a in step.alternatives] for step in steps]}


def ids_from_stored(data: dict[str, Any] | None) -> list[int]:
    ids = data.get("ids") if isinstance(data, dict) else None
    if not isinstance(ids, list) or not all(isinstance(t, int) and not isinstance(t, bool) for t in ids):
        return []
    return list(ids)


def steps_from_stored(data: dict[str, Any] | None) -> list[TokenStep]:
    steps = data.get("steps") if isinstance(data, dict) else None
    if not isinstance(steps, list):
        return []
    result = []
    for step in steps:
        alternatives = tuple(a for a in map(_alternative, step if isinstance(step, list) else []) if a is not None)
        if not alternatives or sum(a.chosen for a in alternatives) != 1:
            return []  # a damaged list would misplace every token after it
        result.append(TokenStep(alternatives))
    return result


def _alternative(item: Any) -> Alternative | None:
    if not isinstance(item, dict):
        return None
    text, model, drawn, chosen = (item.get(k) for k in ("text", "model_probability", "drawn_probability", "chosen"))
    token = item.get("token", -1)
    if not (isinstance(text, str) and _probability(model) and _probability(drawn) and isinstance(chosen, bool)
            and isinstance(token, int)):
        return None
    return Alternative(text, float(model), float(drawn), chosen, token)


def _probability(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0.0 <= value <= 1.0
