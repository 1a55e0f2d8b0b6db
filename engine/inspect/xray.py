"""The prompt X-ray: the exact text and tokens a conversation becomes, and where each part came from.

A reply's prompt is the conversation rendered through the model's chat template.  The X-ray cuts it
into segments: the messages (system prompt, user, assistant), the text the template itself added
(role markers, and for some models a whole system prompt of their own, such as SmolLM2's "You are a
helpful AI assistant named SmolLM"), and lists the messages the context policy dropped to make room.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Sequence

from engine.inspect.tokens import PromptToken, joined
from engine.runtime.conversation import Message

ROLE_WORDS = re.compile(r"\b(system|user|assistant)\b")
TEMPLATE = "template"  # role markers and separators the template adds
TEMPLATE_TEXT = "template_text"  # words the template adds that nobody in the conversation wrote


@dataclass(frozen=True)
class PromptSegment:
    kind: str  # "system", "user", "assistant", TEMPLATE or TEMPLATE_TEXT
    first_token: int  # [first_token, end_token) in PromptXray.tokens
    end_token: int
    text: str


@dataclass(frozen=True)
class PromptXray:
    tokens: list[PromptToken]
    segments: list[PromptSegment]
    dropped: list[Message] = field(default_factory=list)  # oldest turns the context policy left out

    @property
    def text(self) -> str:
        return joined(self.tokens)

    @property
    def ids(self) -> list[int]:
        return [t.id for t in self.tokens]

    def to_dict(self) -> dict:
        return {"text": self.text, "tokens": [t.to_dict() for t in self.tokens],
                "segments": [{"kind": s.kind, "first_token": s.first_token, "end_token": s.end_token}
                             for s in self.segments],
                "dropped_messages": [m.to_dict() for m in self.dropped]}


def build_xray(tokens: list[PromptToken], kept: Sequence[Message], dropped: Sequence[Message] = ()) -> PromptXray:
    """Segments for ``tokens``: each kept message where its text occurs in order, template text between."""
    text = joined(tokens)
    # Messages are looked for outside special tokens, so "sys" is not found inside "<|system|>".
    searchable = "".join("\0" * len(t.text) if t.special else t.text for t in tokens)
    spans: list[tuple[int, int, str]] = []  # character ranges
    position = 0
    for message in kept:
        start = searchable.find(message.content, position) if message.content else -1
        if start < 0:
            continue
        if start > position:
            spans.append((position, start, _template_kind(text[position:start], tokens)))
        spans.append((start, start + len(message.content), message.role))
        position = start + len(message.content)
    if position < len(text):
        spans.append((position, len(text), _template_kind(text[position:], tokens)))
    starts, offset = [], 0
    for token in tokens:
        starts.append(offset)
        offset += len(token.text)
    segments, first = [], 0
    for index, (_begin, end, kind) in enumerate(spans):
        last = len(tokens) if index == len(spans) - 1 else _first_token_from(starts, end)
        if last > first:
            segments.append(PromptSegment(kind, first, last, joined(tokens[first:last])))
            first = last
    return PromptXray(tokens, segments, list(dropped))


def _first_token_from(starts: list[int], char: int) -> int:
    """The first token that starts at or after ``char`` (a token straddling it stays with what came before)."""
    return bisect_left(starts, char)


def _template_kind(text: str, tokens: list[PromptToken]) -> str:
    plain = text
    for special in {t.text for t in tokens if t.special}:
        plain = plain.replace(special, " ")
    words = re.findall(r"[A-Za-z]{2,}", ROLE_WORDS.sub(" ", plain))
    return TEMPLATE_TEXT if len(words) >= 3 else TEMPLATE
