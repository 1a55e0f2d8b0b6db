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
    thinking_line: int = 0  # the source line the thinking starts on


def split_thinking(text: str) -> Parts:
    stripped = text.lstrip()
    if stripped.startswith(OPEN):
        start = len(text) - len(stripped) + len(OPEN)
        end = text.find(CLOSE, start)
        if end < 0:
            thinking_line = _line_after_newlines(text, start)
            return Parts(text[start:].strip("\n"), "", thinking_done=False, thinking_line=thinking_line)
    else:
        start, end = 0, text.find(CLOSE)
        if end < 0:
            answer = text.lstrip("\n")
            return Parts(None, answer, answer_line=len(text) - len(answer))
    answer_start = end + len(CLOSE)
    answer = text[answer_start:].lstrip("\n")
    return Parts(text[start:end].strip("\n"), answer, answer_line=_line_after_newlines(text, answer_start),
                 thinking_line=_line_after_newlines(text, start))


def _line_after_newlines(text: str, start: int) -> int:
    """The line of the first character at or after ``start`` that is not a newline."""
    while start < len(text) and text[start] == "\n":
        start += 1
    return text.count("\n", 0, start)


class ThinkingStream:
    """Routes streamed chunks to the thinking or the answer, even when a tag is split across chunks.

    ``feed`` returns ``(thinking_text, answer_text)`` that can be shown now; text that may be
    the start of a tag is held back until the next chunk says what it is.  Newlines at the start
    of either part are the viewer's to drop, as ``split_thinking`` does.  When a reply that
    did not open a section closes one (the R1 shape), ``earlier_was_thinking`` turns True once:
    the text shown so far as the answer was thinking.
    """

    def __init__(self) -> None:
        self.state = "start"  # start → thinking → answer, or start → answer (→ answer, if R1-shaped)
        self.earlier_was_thinking = False
        self._held = ""
        self._seen_section = False

    @property
    def thinking(self) -> bool:
        return self.state == "thinking"

    def feed(self, chunk: str) -> tuple[str, str]:
        text, self._held = self._held + chunk, ""
        if self.state == "start":
            stripped = text.lstrip()
            if stripped.startswith(OPEN):
                self.state, self._seen_section = "thinking", True
                text = stripped[len(OPEN):]
            elif OPEN.startswith(stripped):  # "", " ", "<th": wait for more
                self._held = text
                return "", ""
            else:
                self.state = "answer"
        if self.state == "answer":
            if self._seen_section:
                return "", text
            end = text.find(CLOSE)
            if end >= 0:  # R1: everything so far, and this up to the tag, was thinking
                self._seen_section = self.earlier_was_thinking = True
                return text[:end], text[end + len(CLOSE):]
            return "", self._hold_partial(text)
        end = text.find(CLOSE)
        if end >= 0:
            self.state = "answer"
            return text[:end], text[end + len(CLOSE):]
        return self._hold_partial(text), ""

    def _hold_partial(self, text: str) -> str:
        keep = _partial_suffix(text, CLOSE)
        if keep:
            self._held = text[-keep:]
            return text[:-keep]
        return text

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
