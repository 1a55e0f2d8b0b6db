"""The conversation as a pure-Python tree, so edits and regenerations keep every alternative.

Each node's siblings are the alternatives at its position; ``active`` on a node picks
which child continues the conversation.  The thread sent to the engine is the active
path from the root.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.inspect.identity import Provenance
from engine.runtime.conversation import Message
from engine.runtime.record import ReplyRecord, TokenStep


@dataclass(eq=False)
class Node:
    role: str
    content: str
    parent: "Node | None" = None
    children: list["Node"] = field(default_factory=list)
    active: int = 0
    record: ReplyRecord | None = None
    interrupted: bool = False
    greedy: bool = False  # asked with temperature 0: nothing was drawn at random, so its seed means nothing
    steps: list[TokenStep] = field(default_factory=list)  # token choices, when they were asked for
    token_ids: list[int] = field(default_factory=list)  # the reply's tokens, as the engine wrote them
    provenance: Provenance | None = None  # what wrote the reply (model hash, provider, settings, versions)
    system_prompt: str = ""  # the system prompt the reply was asked with

    @property
    def alternatives(self) -> list["Node"]:
        return self.parent.children if self.parent is not None else [self]

    @property
    def alternative_index(self) -> int:
        return self.alternatives.index(self)

    def active_child(self) -> "Node | None":
        return self.children[self.active] if self.children else None


class ConversationTree:
    def __init__(self) -> None:
        self.root = Node("root", "")

    def active_path(self) -> list[Node]:
        """The messages shown and sent: the active child of each node from the root down."""
        path, node = [], self.root.active_child()
        while node is not None:
            path.append(node)
            node = node.active_child()
        return path

    def is_empty(self) -> bool:
        return not self.root.children

    def append(self, role: str, content: str = "") -> Node:
        """Add a message after the last one on the active path."""
        path = self.active_path()
        return self._add_child(path[-1] if path else self.root, role, content)

    def add_alternative(self, node: Node, content: str = "") -> Node:
        """Add a sibling of ``node`` (an edit or a regeneration) and make it active."""
        assert node.parent is not None
        return self._add_child(node.parent, node.role, content)

    def select(self, node: Node, delta: int) -> Node:
        """Show the alternative ``delta`` steps from ``node`` (wrapping stops at the ends)."""
        siblings = node.alternatives
        index = max(0, min(len(siblings) - 1, node.alternative_index + delta))
        if node.parent is not None:
            node.parent.active = index
        return siblings[index]

    def remove(self, node: Node) -> None:
        """Drop ``node`` and its replies; its parent shows its last remaining alternative."""
        parent = node.parent
        assert parent is not None
        parent.children.remove(node)
        parent.active = max(0, len(parent.children) - 1)

    def messages_until(self, node: Node, system_prompt: str = "") -> list[Message]:
        """The engine's view of the conversation up to and including ``node``."""
        chain = []
        while node is not None and node is not self.root:
            chain.append(Message(node.role, node.content))
            node = node.parent
        chain.reverse()
        if system_prompt.strip():
            chain.insert(0, Message("system", system_prompt.strip()))
        return chain

    def _add_child(self, parent: Node, role: str, content: str) -> Node:
        node = Node(role, content, parent=parent)
        parent.children.append(node)
        parent.active = len(parent.children) - 1
        return node
