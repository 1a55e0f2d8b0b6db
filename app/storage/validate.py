"""The one boundary for values entering the conversation store: imports, the engine's records, rows read back.

Every value is checked for its type and range once, here.  What can be repaired is repaired
with a note (a number written as text, a missing provider, a date that is not a date); what
cannot is refused with one sentence (``Refused``).  Code behind the boundary (the store, the
window, export) may then trust the types of what it gets.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from typing import Any

from engine.runtime.record import ReplyRecord

ROLES = ("system", "user", "assistant")
STATUSES = ("done", "cancelled", "error", "interrupted", "streaming")
MAX_TEXT_CHARS = 8 * 1024 * 1024  # one message; a 2 MB reply fits four times over
NAME_CHARS = 1000  # model names, providers, titles, errors
_RECORD_TYPES = {f.name: f.type for f in fields(ReplyRecord)}
_RECORD_DEFAULTS = ReplyRecord().to_dict()
_SETTING_TYPES = (str, int, float, bool, type(None))


class Refused(ValueError):
    """A value that cannot be stored; the message is the plain reason (part of a user sentence)."""


@dataclass
class Notes:
    """What was repaired on the way in, one line each, for the user (import) or the log (records)."""

    lines: list[str] = field(default_factory=list)

    def add(self, where: str, what: str) -> None:
        self.lines.append(f"{where}: {what}")


def utc_timestamp(value: Any, where: str, notes: Notes, fallback: str) -> str:
    """An ISO 8601 time in UTC (so that sorting the text sorts the times); anything else becomes ``fallback``."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=timezone.utc)
            try:
                return parsed.astimezone(timezone.utc).isoformat(timespec="microseconds")
            except (OverflowError, ValueError):
                pass
    notes.add(where, f"{shown(value)} is not a date; {fallback[:19]} used instead")
    return fallback


def text(value: Any, where: str, notes: Notes, *, limit: int = MAX_TEXT_CHARS) -> str:
    """Message text must be a string; longer than ``limit`` is refused (it would freeze the window)."""
    if not isinstance(value, str):
        raise Refused(f"{where} is not text")
    if len(value) > limit:
        raise Refused(f"{where} is {len(value):,} characters long, more than the {limit:,} LocalChat keeps")
    return value


def optional_name(value: Any, where: str, notes: Notes) -> str | None:
    """A model name, provider or error: text or nothing; a number is kept as text, anything else dropped."""
    if value is None or isinstance(value, str):
        return value[:NAME_CHARS] if value else value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        notes.add(where, f"{shown(value)} is not text; kept as text")
        return str(value)
    notes.add(where, f"{shown(value)} is not text; dropped")
    return None


def flag(value: Any, where: str, notes: Notes, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    if value is not None:
        notes.add(where, f"{shown(value)} is not true or false; {str(default).lower()} used")
    return default


def reply_stats(value: Any, where: str, notes: Notes) -> dict[str, Any]:
    """A reply's figures as ``ReplyRecord`` fields with their types; unknown keys dropped, bad values repaired."""
    if value is None or value == {}:
        return {}
    if not isinstance(value, Mapping):
        notes.add(where, f"{shown(value)} is not a set of figures; dropped")
        return {}
    clean: dict[str, Any] = {}
    for key, raw in value.items():
        if key not in _RECORD_TYPES:
            continue
        kind = _RECORD_TYPES[key]
        spot = f"{where}.{key}"
        if "float" in kind:
            clean[key] = _number(raw, spot, notes, float, _RECORD_DEFAULTS[key])
        elif key == "seed":
            clean[key] = None if raw is None else _number(raw, spot, notes, int, None)
        elif "int" in kind:
            clean[key] = _number(raw, spot, notes, int, _RECORD_DEFAULTS[key])
        elif key == "notes":  # what a server could not do for the reply: a list of sentences
            clean[key] = _sentences(raw, spot, notes)
        elif key in ("server", "model"):  # where a reply came from; empty for this computer's engine
            clean[key] = optional_name(raw, spot, notes) or _RECORD_DEFAULTS[key]
        else:
            name = optional_name(raw, spot, notes)
            if not name:
                notes.add(spot, f"{shown(raw)} is not a name; {_RECORD_DEFAULTS[key]!r} used")
            clean[key] = name or _RECORD_DEFAULTS[key]
    return clean


def sampling_settings(value: Any, where: str, notes: Notes) -> dict[str, Any]:
    """The settings a reply was made with: a flat mapping of text keys to plain values."""
    if value is None or value == {}:
        return {}
    if not isinstance(value, Mapping):
        notes.add(where, f"{shown(value)} is not a set of settings; dropped")
        return {}
    clean = {}
    for key, raw in value.items():
        if not isinstance(key, str) or not isinstance(raw, _SETTING_TYPES) or _not_finite(raw):
            notes.add(f"{where}.{key}", f"{shown(raw)} is not a plain value; dropped")
            continue
        clean[key] = raw[:MAX_TEXT_CHARS] if isinstance(raw, str) else raw
    return clean


def json_object(value: Any, where: str, notes: Notes) -> str | None:
    """Token data or provenance: a JSON object kept as JSON text (its readers check its inside); else nothing."""
    if value is None or value == {}:
        return None
    if not isinstance(value, Mapping):
        notes.add(where, f"{shown(value)} is not an object; dropped")
        return None
    try:
        return json.dumps(dict(value), allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        notes.add(where, "not plain JSON; dropped")
        return None


def record_from_stats(stats: Mapping[str, Any]) -> ReplyRecord | None:
    """The record a stored reply's figures stand for (None when there are none)."""
    clean = reply_stats(stats, "stats", Notes())
    return ReplyRecord(**clean) if clean else None


def _sentences(value: Any, where: str, notes: Notes) -> list[str]:
    if not isinstance(value, list):
        notes.add(where, f"{shown(value)} is not a list of notes; dropped")
        return []
    kept = [line[:NAME_CHARS] for line in value if isinstance(line, str) and line]
    if len(kept) != len(value):
        notes.add(where, "notes that are not text were dropped")
    return kept


def _number(value: Any, where: str, notes: Notes, kind: type, default: Any) -> Any:
    number = value
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if isinstance(number, bool) or not isinstance(number, (int, float)) or _not_finite(number) or number < 0:
        notes.add(where, f"{shown(value)} is not a number of 0 or more; {default} used")
        return default
    if kind is int and number != int(number):
        notes.add(where, f"{shown(value)} is not a whole number; rounded")
    if value is not number:
        notes.add(where, f"{shown(value)} was text; read as a number")
    return kind(round(number)) if kind is int else float(number)


def _not_finite(value: Any) -> bool:
    return isinstance(value, float) and not math.isfinite(value)


def shown(value: Any) -> str:
    """A value as it appears in a note: its repr, cut to 40 characters."""
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:39] + "…"
