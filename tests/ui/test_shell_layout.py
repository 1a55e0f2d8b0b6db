"""The window's layout: it fits half a laptop screen and 800×600 without cutting anything off, the chat column
has a readable width, and the side panels fold when there is no room."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from engine.runtime.record import ReplyRecord
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton

from layout_check import conversation, cut_off, settle, show_conversation
from ui.shell.panels import CHAT_MIN, fit_panels

def test_the_window_can_be_half_of_a_1366_px_screen(window):
    window.resize(640, 480)
    settle()
    assert window.width() <= 683 and window.minimumWidth() <= 720
    show_conversation(window)
    settle()
    assert cut_off(window) == []
    assert window.sidebar.collapsed  # the sidebar folded to its icon rail to leave the chat room


def test_nothing_is_cut_off_at_800_by_600(window):
    show_conversation(window)
    status = window.status
    status._context_length = 8192  # as with a model loaded: the long figures, the model and the context meter
    status.model_label.setText("smollm2-135m-instruct · CPU")
    status.show_record(ReplyRecord(prompt_tokens=48, generated_tokens=134, reused_tokens=40, ttft_s=0.8,
                                   decode_tokens_per_s=13.8, finish_reason="eos", seed=1))
    window.resize(800, 600)
    settle()
    assert (window.width(), window.height()) == (800, 600)
    assert cut_off(window) == []
    assert not window.settings_scroll.isVisible()  # no room for it beside the chat: it folded, the chat did not
    chat_width = window.chat_view.width()
    assert chat_width >= CHAT_MIN


def test_opening_settings_in_a_narrow_window_folds_the_sidebar_and_widening_brings_it_back(window):
    window.resize(800, 600)
    settle()
    window.top_bar.settings_button.click()
    settle()
    assert window.settings_scroll.isVisible() and window.sidebar.collapsed
    assert cut_off(window) == []
    window.resize(1400, 800)
    settle()
    assert window.settings_scroll.isVisible() and not window.sidebar.collapsed


def test_the_chat_column_stays_readable_on_a_wide_window_unless_wide_mode_is_on(window):
    show_conversation(window)
    window.resize(1800, 900)
    settle()
    reply = window.chat_view.messages[1]
    assert reply.width() <= 800
    assert abs(window.composer.width() - reply.width()) <= 2  # the composer lines up with the messages
    window.top_bar.wide_button.click()
    settle()
    assert window.chat_view.messages[1].width() > 1000


def test_panels_fold_in_the_order_the_user_opened_them():
    assert fit_panels(1400, True, True, settings_last=False) == fit_panels(1400, True, True, settings_last=True)
    narrow_sidebar_first = fit_panels(800, True, True, settings_last=False)
    narrow_settings_last = fit_panels(800, True, True, settings_last=True)
    assert (narrow_sidebar_first.sidebar_full, narrow_sidebar_first.settings_shown) == (True, False)
    assert (narrow_settings_last.sidebar_full, narrow_settings_last.settings_shown) == (False, True)


def test_ctrl_b_folds_the_sidebar_to_an_icon_rail_and_back(window, qtbot):
    window.resize(1300, 800)
    settle()
    assert not window.sidebar.collapsed and window.sidebar.width() == 260
    window.toggle_sidebar()
    settle()
    assert window.sidebar.collapsed and window.sidebar.width() == 52
    assert window.sidebar.rail_new_button.isVisible() and not window.sidebar.list.isVisible()
    window.sidebar.collapse_button.click()
    settle()
    assert not window.sidebar.collapsed


SCALED = """
import sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
sys.path.insert(0, {support!r})
from engine.runtime.record import ReplyRecord
from layout_check import cut_off, settle, show_conversation
from ui.engine_client import EngineClient
from ui.shell.main_window import MainWindow
window = MainWindow(EngineClient())
window.show()
show_conversation(window)
window.resize(800, 600)
settle()
problems = cut_off(window)
print(app.devicePixelRatio(), window.width(), problems)
window.close()
sys.exit(1 if problems or app.devicePixelRatio() != 2 else 0)
"""


def test_nothing_is_cut_off_at_200_percent_scaling(tmp_path: Path):
    """QT_SCALE_FACTOR=2 is set before Qt starts, so this runs in a fresh process."""
    env = {**os.environ, "QT_SCALE_FACTOR": "2", "QT_QPA_PLATFORM": "offscreen"}
    support = str(Path(__file__).resolve().parents[1] / "support")
    result = subprocess.run([sys.executable, "-c", SCALED.format(support=support)], env=env, capture_output=True,
                            text=True, timeout=120, cwd=Path(__file__).resolve().parents[2])
    assert result.returncode == 0, result.stdout + result.stderr


def show_server_reply(window) -> None:
    """The test conversation, its reply written by a model on a server (figures and where it was written)."""
    tree = conversation()
    reply = tree.active_path()[1]
    reply.record = ReplyRecord(prompt_tokens=5, generated_tokens=60, ttft_s=0.05, decode_tokens_per_s=3103.0,
                               finish_reason="max_tokens", seed=1, server="http://127.0.0.1:40961/v1",
                               model="stories260k")
    show_conversation(window, tree)


def test_a_reply_s_buttons_and_figures_stay_inside_its_card_beside_open_panels(open_app):
    """At 1180 px with the sidebar and Reply settings open the chat column is 620 px: a reply from a server, with
    Tokens and Inspect, its figures and where it was written must give way (elided), not push the card wider."""
    window = open_app().window
    show_server_reply(window)
    window.resize(1180, 760)
    window.set_settings_open(True)
    settle()
    assert window.settings_scroll.isVisible() and not window.sidebar.collapsed
    viewport = window.chat_view.scroll.viewport()
    for message in window.chat_view.messages:
        box = message.rect().translated(message.mapTo(viewport, message.rect().topLeft()))
        assert viewport.rect().contains(box), f"{message.node.role} card {box.getRect()} is outside {viewport.rect()}"
    card = window.chat_view.messages[1]
    assert [b.text() for b in card.findChildren(QToolButton) if b.isVisible()][-2:] == ["Tokens", "Inspect"]
    assert cut_off(window) == []


def shows_whole(label) -> bool:
    """Whether ``label`` draws all of its text (an ElidedLabel ends in "…" when it is narrower than that)."""
    return label.fontMetrics().elidedText(label.text(), Qt.TextElideMode.ElideRight, label.width()) == label.text()


def test_where_a_reply_was_written_gives_way_before_its_figures(open_app):
    """The footer of a server reply: "· model on host" elides to a dot, a letter and "…" before the figures lose a
    character; on a narrower column the figures take a line of their own under the buttons, whole, and stay inside
    the card; the tooltips say all of it."""
    window = open_app().window
    show_server_reply(window)
    window.resize(1180, 760)
    window.set_settings_open(False)
    settle()
    card = window.chat_view.messages[1]
    figures, source = card.figures_label, card.source_label
    assert shows_whole(figures) and not shows_whole(source)
    assert figures.mapTo(card, figures.rect().topLeft()).y() < card.copy_button.mapTo(card, card.copy_button.rect()
                                                                                     .bottomLeft()).y()  # one line
    window.set_settings_open(True)  # the chat column is 620 px
    settle()
    assert figures.mapTo(card, figures.rect().topLeft()).y() > card.copy_button.mapTo(card, card.copy_button.rect()
                                                                                     .bottomLeft()).y()
    assert shows_whole(figures)
    for label in (figures, source):
        box = label.rect().translated(label.mapTo(card, label.rect().topLeft()))
        assert card.rect().contains(box), f"{label.accessibleName()} {box.getRect()} is outside {card.rect()}"
    viewport = window.chat_view.scroll.viewport()
    assert viewport.rect().contains(card.rect().translated(card.mapTo(viewport, card.rect().topLeft())))
    assert figures.toolTip().startswith("Seed 1 · 60 tokens written")
    assert source.toolTip() == "Written by stories260k on the server at http://127.0.0.1:40961/v1"
