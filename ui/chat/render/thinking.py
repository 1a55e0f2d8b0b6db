"""Reasoning models' ``<think>…</think>`` text, separated from the answer, whole or while it streams.

Two shapes occur: the reply starts with ``<think>`` (Qwen3, most models), or the chat template
already opened it and the reply only closes it (DeepSeek-R1 distills): then the text before
the first ``</think>`` is the thinking.  A model that writes ``</think>`` in an answer for
another reason would see the text before it folded away; it is still one click from view.
"""

from __future__ import annotations

from dataclasses import dataclass

OPEN, CLOSE = "<think>", "</think>"


@dataclass(frozen=True)
class Parts:
    thinking: str | None  # None: the reply has no thinking section
    answer: str
    thinking_done: bool = True
    answer_line: int = 0  # the source line the answer starts on


def split_thinking(text: str) -> Parts:
    stripped = text.lstrip()
    if stripped.startswith(OPEN):
        body = stripped[len(OPEN):]
        end = body.find(CLOSE)
        if end < 0:
            return Parts(body.strip("\n"), "", thinking_done=False)
        answer = body[end + len(CLOSE):]
        consumed = len(text) - len(answer)
    else:
        end = text.find(CLOSE)
        if end < 0:
            return Parts(None, text)
        body, answer = text[:end], text[end + len(CLOSE):]
        consumed = end + len(CLOSE)
    skipped = len(answer) - len(answer.lstrip("\n"))
    return Parts(body[:end].strip("\n"), answer.lstrip("\n"),
                 answer_line=text.count("\n", 0, consumed + skipped))


class ThinkingStream:
    """Routes streamed chunks to the thinking or the answer, even when a tag is split across chunks.

    ``feed`` returns ``(thinking_text, answer_text)`` that can be shown now; text that may be
    the start of a tag is held back until the next chunk says what it is.
    """

    def __init__(self) -> None:
        self.state = "start"  # start → thinking → answer, or start → answer
        self._held = ""

    @property
    def thinking(self) -> bool:
        return self.state == "thinking"

    def feed(self, chunk: str) -> tuple[str, str]:
        text, self._held = self._held + chunk, ""
        if self.state == "start":
            stripped = text.lstrip()
            if stripped.startswith(OPEN):
                self.state = "thinking"
                text = stripped[len(OPEN):].lstrip("\n")
            elif OPEN.startswith(stripped):  # "", " ", "<th": wait for more
                self._held = text
                return "", ""
            elif CLOSE in text or _partial_suffix(text, CLOSE):
                self.state = "thinking"  # an R1-style reply: the template opened the section
            else:
                self.state = "answer"
        if self.state == "answer":
            return "", text
        end = text.find(CLOSE)
        if end >= 0:
            self.state = "answer"
            return text[:end], text[end + len(CLOSE):].lstrip("\n")
        keep = _partial_suffix(text, CLOSE)
        if keep:
            self._held = text[-keep:]
            text = text[:-keep]
        return text, ""

    def flush(self) -> tuple[str, str]:
        """What is still held back when the reply ends."""
        held, self._held = self._held, ""
        return (held, "") if self.state == "thinking" else ("", held)


def _partial_suffix(text: str, tag: str) -> int:
    """How many characters at the end of ``text`` could be the start of ``tag``."""
    for size in range(min(len(tag) - 1, len(text)), 0, -1):
        if text.endswith(tag[:size]):
            return size
    return 0
