"""A real smollm2 reply, streamed into a message and rendered: its list and its fenced code come out right."""

from __future__ import annotations

from markdown_it import MarkdownIt

from conftest import shared_model
from engine.runtime.conversation import Message
from engine.runtime.model import load_model
from engine.runtime.record import ReplyRecord
from engine.runtime.session import ChatSession
from engine.runtime.settings import SamplingSettings
from ui.chat.code_block import CodeBlock
from ui.chat.conversation_model import ConversationTree
from ui.chat.message_widget import MessageWidget
from ui.chat.safe_text import SafeBrowser

# A greedy reply depends on the processor's kernels (AVX2 and AVX-512 round differently), so the test asks until
# one reply holds both a fence and a list; on every machine seen so far one of these does.
PROMPTS = ("Write a Python function that reverses a string. Put the code in a fenced code block, then list three "
           "tips as bullet points.",
           "List three tips for writing clean Python as bullet points, then show a short Python example in a fenced "
           "code block.")


def expected_parts(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """What a CommonMark parser finds in the reply: (language, code) of each fence, the text of each list item."""
    tokens = MarkdownIt("commonmark").parse(text)
    fences = [(t.info.strip(), t.content.rstrip("\n")) for t in tokens if t.type == "fence"]
    items, inside = [], 0
    for index, token in enumerate(tokens):
        inside += token.type == "list_item_open"
        inside -= token.type == "list_item_close"
        if inside and token.type == "inline" and tokens[index - 1].type == "paragraph_open":
            items.append("".join(child.content for child in token.children if child.type in ("text", "code_inline")))
    return fences, items


def streamed_reply(qtbot, session: ChatSession, prompt: str):
    """The reply to ``prompt`` streamed into a message widget as the window receives it."""
    reply = session.reply([Message("user", prompt)], SamplingSettings(temperature=0.0, max_new_tokens=110))
    tree = ConversationTree()
    tree.append("user", prompt)
    node = tree.append("assistant")
    widget = MessageWidget(node)
    qtbot.addWidget(widget)
    widget.show()
    for piece in reply:
        node.content += piece
        widget.append_text(piece)
    assert widget.text_widgets()[0].toPlainText() == node.content.lstrip("\n")  # streamed: every line kept
    return reply, node, widget


def test_a_smollm2_reply_with_a_list_and_code(qtbot):
    session = ChatSession(load_model(shared_model("smollm2-135m-instruct"), "cpu"))
    written = []
    for prompt in PROMPTS:
        reply, node, widget = streamed_reply(qtbot, session, prompt)
        fences, items = expected_parts(node.content)
        if any(code for _, code in fences) and items:
            break
        written.append(node.content)
    else:
        raise AssertionError(f"no reply held both a fence and a list: {written!r}")
    node.record = ReplyRecord(finish_reason=reply.record.finish_reason)
    widget.render_final()
    views = widget.text_widgets()
    codes = [(view.language, view.code) for view in views if isinstance(view, CodeBlock)]
    assert codes == fences
    assert all(view.highlighted for view in views if isinstance(view, CodeBlock) and view.language == "python")
    listed = []
    for view in views:
        if isinstance(view, SafeBrowser):
            block = view.document().begin()
            while block.isValid():
                if block.textList() is not None:
                    listed.append(block.text())
                block = block.next()
    assert listed == items
    assert "**" not in "".join(listed) and "```" not in "\n".join(v.toPlainText() for v in views
                                                                  if isinstance(v, SafeBrowser))
