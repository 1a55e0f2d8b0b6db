"""Stored messages become the chat's tree: versions, the chosen version, interrupted replies, hidden failed sends."""

from __future__ import annotations

import pytest

from app.stored_tree import tree_from_messages
from app.storage.store import ConversationStore


@pytest.fixture
def store():
    with ConversationStore(":memory:") as store:
        yield store


def contents(tree):
    return [node.content for node in tree.active_path()]


def test_versions_and_the_active_one_come_back(store):
    conversation = store.create_conversation(system_prompt="Be brief").id
    user = store.add_user_message(conversation, "Hi")
    first = store.start_reply(conversation, model="m", provider="cpu", settings={})
    store.finish_reply(first.id, status="done", content="one", stats={"finish_reason": "eos", "seed": 3})
    second = store.start_reply(conversation, model="m", provider="cpu", settings={}, alternative_to=first.id)
    store.finish_reply(second.id, status="cancelled", content="two", stats={"finish_reason": "cancelled"})
    store.activate(first.id)
    tree, ids, hidden = tree_from_messages(store.all_messages(conversation))
    assert contents(tree) == ["Hi", "one"]  # the system prompt is not a chat message
    reply = tree.active_path()[1]
    assert [node.content for node in reply.alternatives] == ["one", "two"]
    assert reply.record.seed == 3 and not reply.interrupted
    assert ids[tree.active_path()[0]] == user.id and hidden == {}


def test_interrupted_and_failed_replies(store):
    conversation = store.create_conversation().id
    store.add_user_message(conversation, "count")
    cut = store.start_reply(conversation, model="m", provider="cpu", settings={})
    store.update_reply(cut.id, " one two")
    store.mark_interrupted_replies()
    failed_user = store.add_user_message(conversation, "again")
    failed = store.start_reply(conversation, model="m", provider="cpu", settings={})
    store.finish_reply(failed.id, status="error", content="", stats={}, error="refused")
    tree, _ids, hidden = tree_from_messages(store.all_messages(conversation))
    assert contents(tree) == ["count", " one two"]
    reply = tree.active_path()[1]
    assert reply.interrupted and reply.record.finish_reason == "error"
    assert hidden == {(cut.id, "user"): failed_user.id}
