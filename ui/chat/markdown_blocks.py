"""Split a reply's Markdown into prose and fenced code blocks, so each code block gets its own widget.

One linear pass over the lines (no Markdown parser): a code block of any size costs the same
per line, and only prose goes through markdown-it.  Each block knows the source line it
starts on, so a view can keep the text the user was reading in place when the reply is rendered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>[^\n`]*)$")
MARKDOWN_BUDGET = 100_000  # characters of prose formatted per message (markdown-it-py parses ~1 MB/s)


@dataclass(frozen=True)
class Block:
    kind: str  # "text" or "code"
    text: str
    language: str = ""
    line: int = 0  # the source line the block's first line is on


def split_blocks(markdown: str) -> list[Block]:
    """Prose and code in order; an unclosed fence runs to the end (as CommonMark says)."""
    blocks: list[Block] = []
    prose: list[str] = []
    prose_start = 0
    lines = markdown.split("\n")
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            prose.append(lines[i])
            i += 1
            continue
        fence, indent = match["fence"], len(match["indent"])
        start = i + 1
        code: list[str] = []
        i += 1
        while i < len(lines) and not closes_fence(lines[i], fence):
            code.append(_unindent(lines[i], indent) if indent else lines[i])
            i += 1
        i += 1  # the closing fence
        _flush(prose, prose_start, blocks)
        blocks.append(Block("code", "\n".join(code), match["info"].strip().split(" ")[0], start))
        prose_start = i
    _flush(prose, prose_start, blocks)
    return blocks


def closes_fence(line: str, fence: str) -> bool:
    """True when ``line`` closes a code block opened by ``fence`` (the same character, at least as many)."""
    stripped = line.lstrip(" ")
    return (len(line) - len(stripped) <= 3 and stripped.startswith(fence[0] * len(fence))
            and not stripped.strip(fence[0]).strip())


def cut_at_budget(text: str, budget: int) -> tuple[str, str, int]:
    """``text`` split at the last paragraph break before ``budget`` characters: the part to format as
    Markdown, the rest, to show as written ("" and all of it when there is no break), and the line of
    ``text`` the rest starts on."""
    if len(text) <= budget:
        return text, "", 0
    cut = text.rfind("\n\n", 0, budget)
    if cut <= 0:
        return "", text, 0
    return text[:cut], text[cut + 2:], text.count("\n", 0, cut) + 2


def _unindent(line: str, indent: int) -> str:
    """CommonMark: a fence indented by n spaces removes up to n spaces from each of its lines."""
    stripped = line.lstrip(" ")
    return line[min(indent, len(line) - len(stripped)):]


def _flush(prose: list[str], start: int, blocks: list[Block]) -> None:
    leading = 0
    while leading < len(prose) and not prose[leading].strip():
        leading += 1
    text = "\n".join(prose[leading:]).rstrip("\n")
    if text.strip():
        blocks.append(Block("text", text, line=start + leading))
    prose.clear()
