"""The token popover pins the token the model wrote, and the tokens of a reply can be reached by keyboard:
Left/Right move a highlight token by token, Enter opens the popover, Esc closes it and comes back."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from engine.runtime.record import Alternative, TokenStep
from ui.inspect.token_view import TokenView

CONTENT = "Hello la line\nnext end"


def step(written: str, *weighed: tuple[str, float]) -> TokenStep:
    """A step where the model weighed ``weighed`` (most likely first, as the engine stores them)."""
    return TokenStep(tuple(Alternative(text, chance, chance, text == written, token)
                           for token, (text, chance) in enumerate(weighed)))


STEPS = [step("Hello", ("Hello", 0.7), (" Hi", 0.2)),
         step(" la", (" world", 0.6), (" la", 0.25), (" there", 0.1)),  # the draw took the second most likely
         step(" line\nnext", (" line\nnext", 0.9), (" x", 0.05)),
         step(" end", (" end", 0.5), (" stop", 0.4))]


def shown_view(qtbot) -> TokenView:
    view = TokenView(CONTENT, STEPS)
    qtbot.addWidget(view)
    view.resize(420, 120)
    view.show()
    qtbot.waitExposed(view)
    return view


def highlighted_text(view: TokenView) -> str:
    return "".join(selection.cursor.selectedText() for selection in view.extraSelections())


def test_the_written_token_is_the_first_row_marked_and_the_others_follow_by_probability(qtbot):
    view = shown_view(qtbot)
    popover = view.show_popover(1, view.mapToGlobal(view.rect().center()))
    grid = popover.layout().itemAt(1).layout()
    tokens = [grid.itemAtPosition(row, 0).widget() for row in range(1, grid.rowCount())]
    chances = [grid.itemAtPosition(row, 1).widget().text() for row in range(1, grid.rowCount())]
    assert isinstance(tokens[0], QLabel) and tokens[0].text() == "✓ <b>“␣la”</b>  written"
    assert tokens[0].accessibleName() == "Written: “␣la”"
    assert [token.text() for token in tokens[1:]] == ["“␣world”  → continue with this",
                                                       "“␣there”  → continue with this"]
    assert chances == ["25.0 %", "60.0 %", "10.0 %"]
    popover.close()


def test_arrow_keys_move_a_highlight_token_by_token(qtbot):
    view = shown_view(qtbot)
    view.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(view.hasFocus)
    assert highlighted_text(view) == "Hello" and "Token 1 of 4" in view.accessibleDescription()
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert highlighted_text(view) == " la" and "Token 2 of 4: “␣la”, 25.0 %" in view.accessibleDescription()
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert highlighted_text(view) == " line\u2028next"  # one token across the line break
    qtbot.keyClick(view, Qt.Key.Key_End)
    qtbot.keyClick(view, Qt.Key.Key_Right)  # stays on the last
    assert highlighted_text(view) == " end"
    qtbot.keyClick(view, Qt.Key.Key_Home)
    qtbot.keyClick(view, Qt.Key.Key_Left)  # stays on the first
    assert highlighted_text(view) == "Hello"


def test_enter_opens_the_popover_of_the_highlighted_token_and_esc_comes_back_to_it(qtbot):
    view = shown_view(qtbot)
    view.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(view.hasFocus)
    qtbot.keyClick(view, Qt.Key.Key_Right)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    popover = view.popover
    assert popover is not None and popover.isVisible() and popover.index == 1
    qtbot.waitUntil(lambda: QApplication.focusWidget() is popover.rows[0])  # the first other token to continue with
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not popover.isVisible() and view.hasFocus())
    assert highlighted_text(view) == " la"
    qtbot.keyClick(view, Qt.Key.Key_Space)  # Space opens it too
    assert view.popover is not popover and view.popover.isVisible() and view.popover.index == 1
    view.popover.close()


def test_tab_leaves_the_view_instead_of_walking_every_token(qtbot):
    holder = QWidget()
    qtbot.addWidget(holder)
    view = TokenView(CONTENT, STEPS)
    view.setTabChangesFocus(True)  # as the message card sets it
    after = QLabel("after")
    after.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    layout = QVBoxLayout(holder)
    layout.addWidget(view)
    layout.addWidget(after)
    holder.show()
    qtbot.waitExposed(holder)
    view.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(view.hasFocus)
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    qtbot.waitUntil(after.hasFocus)
    assert view.extraSelections() == []  # no highlight left behind


def test_the_arrows_go_on_from_a_clicked_token(qtbot):
    view = shown_view(qtbot)
    step, start, end = view.spans[2]
    cursor = QTextCursor(view.document())
    cursor.setPosition(start + 2)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.cursorRect(cursor).center())
    qtbot.waitUntil(lambda: view.popover is not None and view.popover.isVisible())
    assert view.popover.index == step == 2
    view.popover.close()
    view.activateWindow()
    qtbot.waitUntil(view.hasFocus)
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert highlighted_text(view) == " end"
