"""Inference made visible in the window: tokens with their alternatives, continuing from one, the next-token
chart reshaped without the engine, the X-ray and Replay, on a real engine process."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QPushButton, QToolButton

from engine.runtime.settings import SamplingSettings
from synthetic_model import REPLY_TEXT, TOKEN_ID
from ui.inspect.inspector import attach_inspector
from ui.inspect.token_view import TokenView, pieces
from waits import WAIT_MS


@pytest.fixture
def inspected(window, chat):
    return chat, attach_inspector(window)


def token_view(chat, index: int) -> TokenView:
    widget = chat.messages()[index]
    try:
        chat.qtbot.waitUntil(lambda: widget.findChild(TokenView) is not None, timeout=WAIT_MS)
    except Exception:
        from PySide6.QtWidgets import QLabel
        raise AssertionError([l.text() for l in widget.findChildren(QLabel)])
    return widget.findChild(TokenView)


def test_show_tokens_then_continue_from_another_token(inspected, chat_model):
    chat, inspector = inspected
    chat.load(chat_model)
    chat.use(temperature=0.0)
    inspector.show_tokens.setChecked(True)
    assert chat.window.settings_panel.choices_check.isChecked()  # new replies keep their choices
    chat.send("Hi")
    view = token_view(chat, 1)
    original = chat.messages()[1].node
    assert len(view.steps) == 15 and "".join(view.pieces) == REPLY_TEXT == original.content
    popover = view.show_popover(1, QPoint(0, 0))
    rows = {b.text().split("  ")[0]: b for b in popover.findChildren(QPushButton)}
    assert "“␣la”" in rows  # the runner-up the model weighed at step 2
    rows["“␣la”"].click()
    chat.qtbot.waitUntil(lambda: chat.controller.generating, timeout=WAIT_MS)
    chat.wait_idle()
    continued = chat.controller.tree.active_path()[-1]
    assert continued is not original and continued.alternatives == [original, continued]  # ‹ 2/2 ›
    assert continued.token_ids[:2] == [TOKEN_ID["▁Hello"], TOKEN_ID["▁la"]]
    assert continued.content.startswith("Hello la") and original.content == REPLY_TEXT
    assert continued.record.reused_tokens == continued.record.prompt_tokens + 1 - 2  # all but the two fed again
    assert len(token_view(chat, 1).steps) == len(continued.token_ids)


def test_tokens_of_a_reply_written_without_them_are_read_afterwards(inspected, chat_model):
    chat, inspector = inspected
    chat.load(chat_model)
    chat.use(temperature=0.0)
    chat.send("Hi")
    widget = chat.messages()[1]
    assert not widget.node.steps  # off: nothing read while writing
    button = next(b for b in widget.findChildren(QToolButton) if b.text() == "Tokens")
    button.click()
    view = token_view(chat, 1)
    assert [s.chosen.token for s in view.steps] == widget.node.token_ids
    assert view.steps[0].chosen.drawn_probability == 1.0  # greedy: the top token has it all
    button.click()
    assert widget.body.isVisible() or not widget.isVisible()


def test_the_next_token_chart_is_one_forward_pass_then_reshaped_locally(inspected, chat_model):
    chat, inspector = inspected
    chat.load(chat_model)
    chat.window.composer.input.setPlainText("count")
    chat.qtbot.waitUntil(lambda: inspector.panel.distribution is not None, timeout=WAIT_MS)
    distribution = inspector.panel.distribution
    assert distribution.ids[0] == TOKEN_ID["▁Hello"]
    requests = chat.window.client._inspect_id
    panel = chat.window.settings_panel
    panel.apply(SamplingSettings(temperature=1.5, top_k=0, top_p=1.0))
    hot = inspector.panel.chart.shaped.probability.copy()
    panel.apply(SamplingSettings(temperature=0.3, top_k=0, top_p=1.0))
    cold = inspector.panel.chart.shaped.probability.copy()
    assert cold[0] > hot[0] and np.count_nonzero(cold[1:3]) > 0
    panel.apply(SamplingSettings(temperature=1.0, top_k=1, top_p=1.0))
    assert inspector.panel.chart.shaped.probability[0] == 1.0 and inspector.panel.chart.shaped.probability[1] == 0
    assert "the next token is as good as decided" in inspector.panel.summary.text()
    assert chat.window.client._inspect_id == requests  # moving sliders asked the engine nothing
    assert inspector.panel.last_reshape_s < 0.5  # generous: the figure itself is measured in bench_ui


def test_xray_and_replay_of_a_sampled_second_turn(inspected, chat_model):
    chat, inspector = inspected
    chat.load(chat_model)
    chat.use(temperature=1.3, top_k=0, top_p=1.0, seed=9, max_new_tokens=10)
    chat.send("Hi")
    chat.send("count")
    node = chat.messages()[3].node
    dialog = inspector.open_inspector(node)
    chat.qtbot.waitUntil(lambda: dialog.xray is not None, timeout=WAIT_MS)
    assert len(dialog.xray.tokens) == node.record.prompt_tokens
    assert f"{node.record.reused_tokens} came from the KV cache" in dialog.xray_summary.text()
    assert node.record.reused_tokens > 0
    chat.qtbot.waitUntil(lambda: "Same files now" in dialog.hash_now.text(), timeout=WAIT_MS)
    assert "does not learn" in dialog.hash_now.text()
    dialog.replay_button.click()
    chat.qtbot.waitUntil(lambda: dialog.replay_button.isEnabled(), timeout=WAIT_MS)
    assert dialog.verdict.text().startswith("Identical")
    assert "Every turn the model reads the whole conversation again" in dialog.cost.summary.text()
    dialog.close()


def test_pieces_line_up_with_the_text():
    assert pieces("Hello café", [" Hello", " caf", "(part of a character)", "(part of a character)",
                                 "(end of reply)"]) == ["Hello", " caf", "", "é", ""]
    assert pieces("edited by hand", [" Hello"]) == [" Hello"]  # cannot line up: the labels as they are
