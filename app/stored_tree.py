"""The chat's tree rebuilt from stored messages: what the window shows of a conversation in the store.

Whatever the store holds is shown without raising: a row that cannot be turned into a message
becomes a visible placeholder (and a line in the log), and failed sends are left out.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from app.storage.store import Message
from app.storage.token_data import ids_from_stored, steps_from_stored
from app.storage.validate import record_from_stats
from engine.inspect.identity import Provenance
from engine.runtime.record import ReplyRecord
from ui.chat.chat_view import UNSHOWABLE
from ui.chat.conversation_model import ConversationTree, Node

log = logging.getLogger(__name__)


def is_failed_send(message: Message) -> bool:
    """An empty reply that ended in an error: the chat dropped it, so it is not shown again."""
    return message.role == "assistant" and message.status == "error" and not message.content


def tree_from_messages(messages: Sequence[Message]) -> tuple[ConversationTree, dict[Node, int], dict[tuple, int]]:
    """Rebuild the chat's tree from stored messages (parents before children).

    Returns the tree, each node's message id, and the hidden rows (failed sends) by
    ``(parent id, role)``.  System messages are not part of the chat's tree (the system
    prompt comes from the settings); their children hang from the tree's root.
    """
    tree = ConversationTree()
    nodes: dict[int | None, Node] = {None: tree.root}
    ids: dict[Node, int] = {}
    hidden: dict[tuple, int] = {}
    active: dict[Node, Node] = {}
    children: dict[int, list[Message]] = {}
    for message in messages:
        if message.parent_id is not None:
            children.setdefault(message.parent_id, []).append(message)
    for message in messages:
        parent = nodes.get(message.parent_id)
        if parent is None:  # below a hidden or system message that has no node
            continue
        if message.role == "system":
            nodes[message.id] = parent
            continue
        replies = children.get(message.id, [])
        if is_failed_send(message) or (message.role == "user" and replies and all(map(is_failed_send, replies))):
            hidden[(message.parent_id, message.role)] = message.id
            continue
        node = Node(message.role, message.content, parent=parent)
        try:
            _restore_outcome(node, message)
        except Exception:  # noqa: BLE001 - a stored row must never keep the window from opening
            log.exception("stored message %s could not be shown: %r", message.id, message)
            node = Node(message.role, UNSHOWABLE, parent=parent, interrupted=message.role == "assistant")
        parent.children.append(node)
        if message.active:
            active[parent] = node
        nodes[message.id] = node
        ids[node] = message.id
    for parent in nodes.values():
        if parent.children:
            chosen = active.get(parent)
            parent.active = parent.children.index(chosen) if chosen else len(parent.children) - 1
    return tree, ids, hidden


def _restore_outcome(node: Node, message: Message) -> None:
    if message.role != "assistant":
        return
    node.record = record_from_stats(message.stats)
    node.greedy = message.settings.get("temperature") == 0
    node.token_ids, node.steps = ids_from_stored(message.tokens), steps_from_stored(message.tokens)
    node.provenance = Provenance.from_dict(message.provenance)
    system_prompt = message.settings.get("system_prompt", "")
    node.system_prompt = system_prompt if isinstance(system_prompt, str) else ""
    if message.status in ("interrupted", "error", "streaming"):
        node.interrupted = True  # shown with the "Interrupted" note
        if node.record is None:
            node.record = ReplyRecord(finish_reason="error")  # a finished record, so it is not shown as streaming
