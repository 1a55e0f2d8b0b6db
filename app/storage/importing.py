"""Importing a conversation exported as JSON: the file read, checked and repaired before the store sees it.

The limits are part of the format: a file is at most ``MAX_FILE_BYTES`` (32 MiB) of UTF-8 JSON
and a message at most ``validate.MAX_TEXT_CHARS`` characters, so one import can never freeze the
window or fill the disk.  Structure that makes no sense (no messages list, a message before its
parent, an unknown role) is refused with one sentence; bad values inside a sound structure (a
figure written as text, a date that is not a date) are repaired and listed in ``Notes``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.storage import validate
from app.storage.export import FORMAT_NAME, FORMAT_VERSION
from app.storage.store import ConversationStore, utc_now
from app.storage.validate import Notes, Refused
from engine.errors import LocalChatError

MAX_FILE_BYTES = 32 * 1024 * 1024


class ImportFailed(LocalChatError):
    pass


def read_export_file(path: Path) -> str:
    """The text of an export file, or one sentence saying why it can't be one."""
    name = path.name
    try:
        with path.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise ImportFailed(f"LocalChat couldn't open {name}; check that it exists and that you may read it.",
                           f"{path}: {error}") from error
    if len(data) > MAX_FILE_BYTES:
        raise ImportFailed(f"{name} is larger than the {MAX_FILE_BYTES // (1024 * 1024)} MB LocalChat imports; "
                           "it is not a conversation LocalChat exported.", str(path))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFailed(f"{name} is not a LocalChat conversation export: it is not UTF-8 text, and LocalChat "
                           "writes its exports as UTF-8 JSON.", f"{path}: {error}") from error


def import_json(store: ConversationStore, text: str, notes: Notes | None = None) -> int:
    """Add the conversation in ``text`` (from ``export_json``) to ``store``; return its new id.

    What had to be repaired is added to ``notes``.
    """
    notes = notes if notes is not None else Notes()
    if len(text) > MAX_FILE_BYTES:
        raise ImportFailed(f"This file is larger than the {MAX_FILE_BYTES // (1024 * 1024)} MB LocalChat imports.")
    try:
        data = json.loads(text)
    except RecursionError as error:
        raise _not_an_export("JSON nested too deeply") from error
    except ValueError as error:
        raise _not_an_export(f"not JSON: {error}") from error
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise _not_an_export("no 'format': 'localchat-conversation' field")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ImportFailed(f"This file is not a LocalChat conversation export: its format version is "
                           f"{validate.shown(version)}, not a number LocalChat wrote.", f"version {version!r}")
    if version > FORMAT_VERSION:
        raise ImportFailed("This file was exported by a newer version of LocalChat; update LocalChat to import it.",
                           f"format version {version}, this LocalChat reads up to {FORMAT_VERSION}")
    try:
        conversation, messages = _checked(data, notes)
    except Refused as error:
        raise _not_an_export(str(error), sentence=f"This file is not a LocalChat conversation export: {error}.") \
            from error
    return store.import_conversation(messages=messages, **conversation)


def _checked(data: dict[str, Any], notes: Notes) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    conversation, items = data.get("conversation"), data.get("messages")
    if not isinstance(conversation, dict):
        raise Refused("it has no conversation details")
    if not isinstance(items, list) or not items:
        raise Refused("it holds no messages")
    now = utc_now()
    created = validate.utc_timestamp(conversation.get("created_at"), "conversation.created_at", notes, now)
    title = conversation.get("title", "")
    if not isinstance(title, str):
        notes.add("conversation.title", f"{validate.shown(title)} is not text; left empty")
        title = ""
    header = {
        "title": " ".join(title.split())[: validate.NAME_CHARS],
        "renamed": validate.flag(conversation.get("renamed"), "conversation.renamed", notes, False),
        "created_at": created,
        "updated_at": validate.utc_timestamp(conversation.get("updated_at", created), "conversation.updated_at",
                                             notes, created),
    }
    messages: list[dict[str, Any]] = []
    known: set[Any] = set()
    active_parents: dict[Any, int] = {}
    for number, item in enumerate(items, start=1):
        where = f"message {number}"
        if not isinstance(item, dict):
            raise Refused(f"{where} is not a message")
        message = _checked_message(item, where, notes, created)
        if message["id"] in known:
            raise Refused(f"{where} has the same id as an earlier one")
        if message["parent_id"] is not None and message["parent_id"] not in known:
            raise Refused(f"{where} comes before the message it answers")
        known.add(message["id"])
        if message["active"]:
            earlier = active_parents.get(message["parent_id"])
            if earlier is not None:  # one shown version per place: the later one wins
                messages[earlier]["active"] = False
                notes.add(where, "two versions of one message were both shown; the later one is kept shown")
            active_parents[message["parent_id"]] = len(messages)
        messages.append(message)
    return header, messages


def _checked_message(item: dict[str, Any], where: str, notes: Notes, fallback_time: str) -> dict[str, Any]:
    message_id, parent_id = item.get("id"), item.get("parent_id")
    for key, value in (("id", message_id), ("parent_id", parent_id)):
        if isinstance(value, bool) or not isinstance(value, (int, str, type(None))) or (key == "id" and value is None):
            raise Refused(f"{where} has no usable {key}")
    role = item.get("role")
    if role not in validate.ROLES:
        raise Refused(f"{where} has the role {validate.shown(role)}, not system, user or assistant")
    status = item.get("status", "done")
    if status not in validate.STATUSES:
        notes.add(f"{where}.status", f"{validate.shown(status)} is not a status LocalChat knows; 'done' used")
        status = "done"
    if status == "streaming":
        status = "interrupted"  # nothing is writing it any more
    created = validate.utc_timestamp(item.get("created_at"), f"{where}.created_at", notes, fallback_time)
    return {
        "id": message_id, "parent_id": parent_id, "role": role, "status": status,
        "active": validate.flag(item.get("active"), f"{where}.active", notes, True),
        "content": validate.text(item.get("content"), f"{where}'s text", notes),
        "created_at": created,
        "updated_at": validate.utc_timestamp(item.get("updated_at", created), f"{where}.updated_at", notes, created),
        "model": validate.optional_name(item.get("model"), f"{where}.model", notes),
        "provider": validate.optional_name(item.get("provider"), f"{where}.provider", notes),
        "error": validate.optional_name(item.get("error"), f"{where}.error", notes),
        "settings": validate.sampling_settings(item.get("settings"), f"{where}.settings", notes),
        "stats": validate.reply_stats(item.get("stats"), f"{where}.stats", notes),
        **{key: json.loads(kept) for key in ("tokens", "provenance")
           if (kept := validate.json_object(item.get(key), f"{where}.{key}", notes)) is not None},
    }


def _not_an_export(detail: str, sentence: str | None = None) -> ImportFailed:
    return ImportFailed(sentence or ("This file is not a LocalChat conversation export; "
                                     "choose a file made with `localchat export --format json`."), detail)
