"""Everything is reachable from the keyboard in the order it is seen, and every control has a name."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QWidget

from layout_check import settle, show_conversation
from ui.shell.focus import takes_tab
from ui.shell.shortcuts import SHORTCUTS


def tab_sequence(window, start: QWidget, steps: int = 400) -> list[QWidget]:
    """What Tab visits from ``start``: the focus chain, skipping what Tab skips (hidden, disabled)."""
    seen, widget = [], start
    for _ in range(steps):
        widget = widget.nextInFocusChain()
        if widget is start:
            break
        if takes_tab(widget) and widget.isVisible() and widget.isEnabled() and widget.window() is window:
            seen.append(widget)
    return seen


def test_tab_visits_sidebar_then_top_bar_then_messages_then_composer_then_settings(window):
    window.resize(1400, 900)
    show_conversation(window)
    settle()
    order = tab_sequence(window, window.sidebar.search_box)
    index = order.index
    first_message, last_message = window.chat_view.messages[0], window.chat_view.messages[-1]
    assert index(window.picker.model_button) < index(first_message.copy_button)
    assert index(first_message.action_button) < index(last_message.action_button)
    assert index(last_message.action_button) < index(window.composer.input)
    assert index(window.composer.input) < index(window.settings_panel.fields["temperature"].spin)


def test_a_new_reply_s_buttons_come_before_the_composer_not_last(chat, chat_model):
    chat.load(chat_model)
    chat.send("Hi")
    reply = chat.messages()[-1]
    order = tab_sequence(chat.window, chat.window.picker.model_button)
    assert order.index(reply.copy_button) < order.index(chat.window.composer.input)
    assert order.index(reply.action_button) < order.index(chat.window.composer.input)


def test_every_control_has_a_name(window):
    show_conversation(window)
    settle()
    unnamed = []
    for widget in window.findChildren(QWidget):
        if not takes_tab(widget) or widget.window() is not window:
            continue
        if not (widget.accessibleName() or (isinstance(widget, QAbstractButton) and widget.text())):
            unnamed.append(f"{type(widget).__name__} {widget.objectName()}")
    assert unnamed == []


def test_combo_boxes_are_announced_by_their_name_not_their_value(window):
    combos = window.findChildren(QComboBox)
    assert combos
    for combo in combos:
        interface = QAccessible.queryAccessibleInterface(combo)
        labels = [other.text(QAccessible.Text.Name) for other, _ in interface.relations(QAccessible.RelationFlag.Label)]
        assert labels == [combo.accessibleName()], combo.accessibleName()
        assert combo.accessibleName() not in [combo.itemText(i) for i in range(combo.count())]


def test_ctrl_slash_shows_every_shortcut(window, qtbot):
    qtbot.keyClick(window.composer.input, Qt.Key.Key_Slash, Qt.KeyboardModifier.ControlModifier)
    sheet = window.shortcut_sheet
    assert sheet.isVisible()
    listed = {sheet.table.item(row, 1).text() for row in range(sheet.table.rowCount())}
    assert listed == {shortcut.what for shortcut in SHORTCUTS}
    sheet.reject()


def test_ctrl_k_unfolds_the_sidebar_and_puts_the_cursor_in_search(window, qtbot):
    window.toggle_sidebar()
    assert window.sidebar.collapsed
    qtbot.keyClick(window.composer.input, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert not window.sidebar.collapsed
    assert QApplication.focusWidget() is window.sidebar.search_box


def test_up_in_an_empty_composer_edits_the_last_message_and_enter_sends_the_edit(chat, chat_model, qtbot):
    chat.load(chat_model)
    chat.use(temperature=0.0)
    chat.send("Hi")
    user = chat.messages()[0]
    qtbot.keyClick(chat.window.composer.input, Qt.Key.Key_Up)
    assert user.editing and QApplication.focusWidget() is user.edit_box
    assert not user.body.isVisible()  # the original is not shown twice while editing
    qtbot.keyClick(user.edit_box, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert user.edit_box.toPlainText() == "Hi\n"  # Shift+Enter: a new line, as in the composer
    user.edit_box.insertPlainText("there")
    qtbot.keyClick(user.edit_box, Qt.Key.Key_Return)  # Enter: send, as in the composer
    chat.wait_idle()
    assert chat.controller.tree.active_path()[0].content == "Hi\nthere"


def test_esc_cancels_an_edit_without_stopping_anything(chat, chat_model, qtbot):
    chat.load(chat_model)
    chat.send("Hi")
    user = chat.messages()[0]
    user.action_button.click()
    qtbot.keyClick(user.edit_box, Qt.Key.Key_Escape)
    assert not user.editing and user.body.isVisible()
    assert len(chat.controller.tree.active_path()) == 2


def test_text_size_scales_messages_and_code_alike(window, qtbot):
    show_conversation(window)
    window.chat_view.messages[1].node.content = "Text\n\n```python\nx = 1\n```"
    window.chat_view.messages[1].render_final()
    settle()
    panel = window.settings_panel
    panel.set_text_size(20)
    settle()
    views = [view for view in window.chat_view.messages[1].findChildren(QWidget) if hasattr(view, "document")]
    sizes = {round(view.font().pointSizeF()) for view in views}
    assert sizes == {20}, sizes
    qtbot.keyClick(window.composer.input, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert panel.text_size() == 19
