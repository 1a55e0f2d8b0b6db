from ui.chat.conversation_model import ConversationTree
from engine.runtime.conversation import Message


def test_alternatives_branch_and_the_active_path_follows_them():
    tree = ConversationTree()
    hi = tree.append("user", "hi")
    first = tree.append("assistant", "one")
    tree.append("user", "more")
    second = tree.add_alternative(first, "two")
    assert [n.content for n in tree.active_path()] == ["hi", "two"]
    assert tree.select(second, -1) is first
    assert [n.content for n in tree.active_path()] == ["hi", "one", "more"]
    assert tree.messages_until(hi, "Be brief.") == [Message("system", "Be brief."), Message("user", "hi")]
    tree.remove(first)
    assert [n.content for n in tree.active_path()] == ["hi", "two"]
