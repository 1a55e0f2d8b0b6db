"""Replay: write a stored reply again from its record and say whether it came out the same.

A reply is decided by the conversation, the model's files, the provider, the sampling settings with
the seed, and the software.  LocalChat stores all of them with every reply (``Provenance``), so a
replay can name what changed when the words differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from engine.inspect.identity import Provenance, differences
from engine.runtime.conversation import Message
from engine.runtime.session import ChatSession


@dataclass(frozen=True)
class ReplayVerdict:
    identical: bool
    text: str  # the replay's text
    token_ids: list[int]
    first_difference: int | None  # index of the first token (or character, without stored ids) that differs
    differences: list[str] = field(default_factory=list)  # what is not the same as when the reply was written

    def sentence(self) -> str:
        if self.identical:
            why = (" — although " + "; ".join(self.differences)) if self.differences else ""
            return f"Identical: the same model, settings and seed wrote exactly the same reply again{why}."
        where = f" from token {self.first_difference + 1} on" if self.first_difference is not None else ""
        if self.differences:
            return f"Different{where}: " + "; ".join(self.differences) + "."
        return (f"Different{where}, with the same model files, provider, versions, settings and seed: this "
                "provider's arithmetic is not exactly repeatable.")


def replay(session: ChatSession, messages: Sequence[Message], stored: Provenance, text: str,
           token_ids: Sequence[int] = ()) -> ReplayVerdict:
    """Write the reply to ``messages`` again with ``stored``'s settings and seed and compare it with ``text``
    (and ``token_ids`` when they were kept).  The session reuses only cache entries that a fresh prefill
    would compute bit for bit the same (see "Exact reuse" in engine.runtime.session), so whatever the
    cache holds now, the same inputs give the same tokens."""
    reply = session.reply(messages, stored.sampling(), forced=stored.forced)
    new_text = reply.text()
    now = session.provenance(stored.sampling(), reply.record.seed)
    if token_ids:
        same = list(token_ids) == reply.token_ids
        first = None if same else _first_difference(list(token_ids), reply.token_ids)
    else:
        same = new_text == text
        first = None if same else _first_difference(list(text), list(new_text))
    return ReplayVerdict(same, new_text, list(reply.token_ids), first, differences(stored, now))


def _first_difference(a: list, b: list) -> int:
    for index, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return index
    return min(len(a), len(b))
