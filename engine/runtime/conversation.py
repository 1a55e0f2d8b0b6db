"""The conversation the engine sees: an ordered list of role/content messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

ROLES = ("system", "user", "assistant")


@dataclass(frozen=True)
class Message:
    role: str
    content: str

    def to_dict(self) -> dict:
        return {"role": self.role, "content": self.content}


def system_and_turns(messages: Sequence[Message]) -> tuple[list[Message], list[Message]]:
    """Split leading system messages from the rest (the turns that may be dropped to fit)."""
    count = 0
    while count < len(messages) and messages[count].role == "system":
        count += 1
    return list(messages[:count]), list(messages[count:])
