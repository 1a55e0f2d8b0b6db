"""Markdown and JSON export, and JSON import back into the store."""

from __future__ import annotations

import json

import pytest

from app.storage.export import FORMAT_VERSION, conversation_to_dict, export_json, export_markdown
from app.storage.importing import ImportFailed, import_json
from app.storage.store import ConversationStore

SETTINGS = {"temperature": 0.2, "top_p": 0.9, "top_k": 40, "repetition_penalty": 1.0, "max_new_tokens": 128,
            "seed": 42}
STATS = {"prompt_tokens": 20, "generated_tokens": 8, "reused_tokens": 0, "ttft_s": 0.1,
         "decode_tokens_per_s": 50.0, "finish_reason": "eos"}


@pytest.fixture
def store() -> ConversationStore:
    with ConversationStore(":memory:") as opened:
        yield opened


@pytest.fixture
def conversation_id(store: ConversationStore) -> int:
    """A system prompt, a question answered twice (regenerated, first answer active), a follow-up cut off."""
    conversation_id = store.create_conversation(system_prompt="You are a poet.").id
    store.add_user_message(conversation_id, "Write a haiku about rain")
    first = store.start_reply(conversation_id, model="phi-3-mini", provider="cpu", settings=SETTINGS)
    store.finish_reply(first.id, status="done", content="Soft rain on the roof", stats=STATS)
    second = store.start_reply(conversation_id, model="phi-3-mini", provider="cpu", settings=SETTINGS,
                               alternative_to=first.id)
    store.finish_reply(second.id, status="cancelled", content="Grey sky", stats=STATS)
    store.activate(first.id)
    store.add_user_message(conversation_id, "Now about snow — «neige»")
    store.start_reply(conversation_id, model="phi-3-mini", provider="cpu", settings=SETTINGS)
    store.mark_interrupted_replies()
    return conversation_id


def test_markdown_shows_the_active_thread(store: ConversationStore, conversation_id: int) -> None:
    text = export_markdown(store, conversation_id)
    assert text.startswith("# Write a haiku about rain\n")
    assert "## System\n\nYou are a poet." in text
    assert "## You\n\nWrite a haiku about rain" in text
    assert "## Assistant (phi-3-mini)\n\nSoft rain on the roof" in text
    assert "Grey sky" not in text
    assert text.rstrip().endswith("> Cut off: LocalChat closed while writing this reply.")


def test_json_keeps_alternatives_settings_and_stats(store: ConversationStore, conversation_id: int) -> None:
    data = json.loads(export_json(store, conversation_id))
    assert (data["format"], data["version"]) == ("localchat-conversation", FORMAT_VERSION)
    assert [m["id"] for m in data["messages"]] == [1, 2, 3, 4, 5, 6]
    answers = [m for m in data["messages"] if m["parent_id"] == 2]
    assert [(m["content"], m["active"], m["status"]) for m in answers] == [
        ("Soft rain on the roof", True, "done"), ("Grey sky", False, "cancelled")]
    assert answers[0]["settings"] == SETTINGS and answers[0]["stats"] == STATS
    assert answers[0]["model"] == "phi-3-mini" and answers[0]["provider"] == "cpu"


def test_export_import_export_is_identical(store: ConversationStore, conversation_id: int) -> None:
    exported = export_json(store, conversation_id)
    imported_id = import_json(store, exported)

    assert imported_id != conversation_id
    assert export_json(store, imported_id) == exported
    assert export_markdown(store, imported_id) == export_markdown(store, conversation_id)
    assert [m.content for m in store.thread(imported_id)] == [m.content for m in store.thread(conversation_id)]


def test_import_into_another_store(store: ConversationStore, conversation_id: int) -> None:
    exported = conversation_to_dict(store, conversation_id)
    with ConversationStore(":memory:") as elsewhere:
        imported_id = import_json(elsewhere, json.dumps(exported))
        assert conversation_to_dict(elsewhere, imported_id) == exported
        assert elsewhere.get_conversation(imported_id).title == "Write a haiku about rain"


@pytest.mark.parametrize("text", [
    "not json at all",
    "[]",
    json.dumps({"format": "something-else", "version": 1}),
    json.dumps({"format": "localchat-conversation", "version": 1, "conversation": {}, "messages": []}),
    json.dumps({"format": "localchat-conversation", "version": 1,
                "conversation": {"title": "t", "created_at": "a", "updated_at": "b"},
                "messages": [{"id": 1, "parent_id": None, "role": "wizard", "content": "x", "created_at": "a"}]}),
    json.dumps({"format": "localchat-conversation", "version": 1,
                "conversation": {"title": "t", "created_at": "a", "updated_at": "b"},
                "messages": [{"id": 2, "parent_id": 1, "role": "user", "content": "x", "created_at": "a"}]}),
])
def test_bad_files_are_refused_without_leaving_anything(store: ConversationStore, text: str) -> None:
    with pytest.raises(ImportFailed) as error:
        import_json(store, text)
    assert "not a LocalChat conversation export" in error.value.user_message
    assert store.list_conversations() == []


def test_newer_format_is_refused(store: ConversationStore) -> None:
    with pytest.raises(ImportFailed) as error:
        import_json(store, json.dumps({"format": "localchat-conversation", "version": FORMAT_VERSION + 1}))
    assert "newer version" in error.value.user_message
