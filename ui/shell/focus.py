"""Tab order set from what the user sees, not from the order widgets happened to be created in.

Messages are made long after the composer and settings, so by default Tab would visit their buttons last.
"""

from __future__ import annotations

from typing import Iterable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget


def takes_tab(widget: QWidget) -> bool:
    return (bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus) and not widget.isWindow()
            and widget.focusProxy() is None)  # a spin box's own line edit hands focus to the spin box


def tab_stops(widget: QWidget) -> list[QWidget]:
    """``widget`` and its descendants that Tab can reach, in the order they were made."""
    return [w for w in (widget, *widget.findChildren(QWidget)) if takes_tab(w)]


def chain(parts: Iterable[QWidget]) -> None:
    """Make Tab visit ``parts`` in this order; a part that does not take focus itself brings its descendants."""
    order: list[QWidget] = []
    seen: set[int] = set()
    parts = list(parts)
    window = parts[0].window() if parts else None
    for part in parts:
        for widget in ([part] if takes_tab(part) else tab_stops(part)):
            if id(widget) not in seen and widget.window() is window:  # not a combo box's popup list
                seen.add(id(widget))
                order.append(widget)
    for first, second in zip(order, order[1:]):
        QWidget.setTabOrder(first, second)
