"""Split a reply's Markdown into prose and fenced code blocks, so each code block gets its own widget."""

from __future__ import annotations

import re
from dataclasses import dataclass

FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>[^\n`]*)$")


@dataclass(frozen=True)
class Block:
    kind: str  # "text" or "code"
    text: str
    language: str = ""


def split_blocks(markdown: str) -> list[Block]:
    """Prose and code in order; an unclosed fence runs to the end (as CommonMark says)."""
    blocks: list[Block] = []
    prose: list[str] = []
    lines = markdown.split("\n")
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            prose.append(lines[i])
            i += 1
            continue
        fence = match["fence"]
        code: list[str] = []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence[0] * len(fence)):
            code.append(lines[i])
            i += 1
        i += 1  # the closing fence
        _flush(prose, blocks)
        blocks.append(Block("code", "\n".join(code), match["info"].strip().split(" ")[0]))
    _flush(prose, blocks)
    return blocks


def _flush(prose: list[str], blocks: list[Block]) -> None:
    text = "\n".join(prose).strip("\n")
    if text.strip():
        blocks.append(Block("text", text))
    prose.clear()
