"""Server-sent events as OpenAI-compatible servers stream them: ``data:`` lines, blank-line separated."""

from __future__ import annotations

from typing import Iterable, Iterator

DONE = "[DONE]"


def data_events(lines: Iterable[str]) -> Iterator[str]:
    """The data of each event, multi-line data joined with newlines; comments (keep-alives) and other
    fields (``event:``, ``id:``, ``retry:``) are skipped.  Ends at ``[DONE]`` or when the lines end."""
    data: list[str] = []
    for line in lines:
        if not line:
            if data:
                payload = "\n".join(data)
                data = []
                if payload == DONE:
                    return
                yield payload
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        if name == "data":
            data.append(value[1:] if value.startswith(" ") else value)
    if data and "\n".join(data) != DONE:
        yield "\n".join(data)
