"""Checks for window tests: which controls are cut off, and a small conversation to lay out."""

from __future__ import annotations

from PySide6.QtWidgets import (QAbstractButton, QAbstractScrollArea, QAbstractSpinBox, QApplication, QComboBox, QLabel,
                               QLineEdit, QProgressBar, QSizePolicy, QSlider, QWidget)

from ui.chat.conversation_model import ConversationTree

CHECKED = (QAbstractButton, QLabel, QComboBox, QLineEdit, QAbstractSpinBox, QSlider, QProgressBar)


def conversation() -> ConversationTree:
    tree = ConversationTree()
    tree.append("user", "How do I reverse the words in a sentence in Python?")
    tree.append("assistant", "Split it, reverse the list and join it again:\n\n" + "a longer line of prose " * 12)
    tree.append("user", "Thanks")
    return tree


def show_conversation(window, tree: ConversationTree | None = None) -> None:
    """``tree`` (by default the test conversation) in the window's chat."""
    tree = tree or conversation()
    window.chat_view.show_welcome(False)
    window.controller.tree = tree
    window.chat_view.show_path(tree.active_path())


def settle() -> None:
    for _ in range(5):
        QApplication.processEvents()


def cut_off(window) -> list[str]:
    """Visible controls that are narrower than their content needs or stick out of what holds them: the window,
    or the scroll area they are in when it does not scroll sideways (there they would be clipped)."""
    problems = []
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, CHECKED) or not widget.isVisible() or widget.isWindow():
            continue
        parent = widget.parentWidget()
        while parent is not None and not isinstance(parent, QAbstractScrollArea):
            parent = parent.parentWidget()
        name = f"{type(widget).__name__} {widget.accessibleName() or getattr(widget, 'text', lambda: '')()!r}"
        ignored = widget.sizePolicy().horizontalPolicy() == QSizePolicy.Policy.Ignored  # meant to give way
        wrapped = isinstance(widget, QLabel) and (widget.wordWrap() or ignored)
        if not wrapped and not isinstance(widget, QProgressBar) and widget.width() < widget.minimumSizeHint().width():
            problems.append(f"{name} is {widget.width()} px wide, needs {widget.minimumSizeHint().width()}")
        visible = widget.visibleRegion().boundingRect()
        if not visible.isEmpty() and visible.width() < widget.width() and parent is None:
            problems.append(f"{name} shows {visible.width()} of {widget.width()} px")
        if parent is not None and not parent.horizontalScrollBar().isVisible():
            viewport = parent.viewport()
            inside = widget.mapTo(viewport, widget.rect().topLeft()).x()
            if inside < 0 or inside + widget.width() > viewport.width():
                problems.append(f"{name} runs from x={inside} to {inside + widget.width()} in a "
                                f"{viewport.width()}-px view that does not scroll sideways")
        left = widget.mapTo(window, widget.rect().topLeft()).x()
        if left < 0 or left + widget.width() > window.width():
            problems.append(f"{name} runs from x={left} to {left + widget.width()} in a {window.width()}-px window")
    return problems


