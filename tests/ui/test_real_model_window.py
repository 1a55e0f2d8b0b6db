"""The window with a real chat model (smollm2-135m-instruct, greedy) writing a fenced code block.

Skipped when ../shared is absent.  The expected code is read from the reply the model actually wrote.
"""

from __future__ import annotations

import re

from PySide6.QtGui import QGuiApplication

from conftest import shared_model
from ui.chat.code_block import CodeBlock
from waits import WAIT_MS

REAL_MODEL_WAIT_MS = 180_000  # loading and replying on a busy 2-core machine; nothing here depends on speed
FENCE = re.compile(r"```(\w*)\n(.*?)\n```", re.DOTALL)


def test_a_real_models_code_block_is_rendered_and_copies_exactly_the_code(chat, qtbot, tmp_path):
    model = shared_model("smollm2-135m-instruct")
    chat.window.load_model(str(model))
    qtbot.waitUntil(lambda: chat.controller.model is not None, timeout=REAL_MODEL_WAIT_MS)
    chat.use(temperature=0.0, max_new_tokens=48)
    chat.send("Write Python code to reverse a string.", wait=False)
    qtbot.waitUntil(lambda: not chat.controller.generating, timeout=REAL_MODEL_WAIT_MS)
    reply = chat.controller.tree.active_path()[-1]
    assert reply.role == "assistant" and reply.record.finish_reason in ("eos", "max_tokens")
    fenced = FENCE.findall(reply.content)
    assert fenced, f"the model wrote no closed code block: {reply.content!r}"
    language, code = fenced[0]
    blocks = chat.messages()[-1].findChildren(CodeBlock)
    assert [block.code for block in blocks][: len(fenced)] == [c for _, c in fenced]
    block = blocks[0]
    qtbot.waitUntil(block.isVisible, timeout=WAIT_MS)  # shown once the final render is laid out
    assert block.text.toPlainText() == code
    assert language.lower() in block.accessibleName().lower()
    assert "```" not in chat.shown_text(len(chat.messages()) - 1)  # fences are rendered, not shown
    block.copy_button.click()
    assert QGuiApplication.clipboard().text() == code
    chat.window.resize(900, 700)
    qtbot.wait(50)
    chat.window.grab().save(str(tmp_path / "smollm2-code-block.png"))
