"""Small builders for the window's frame: rows and columns with no margins, and the scrolling settings panel."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QFrame, QScrollArea, QWidget

ROW, COLUMN = QBoxLayout.Direction.LeftToRight, QBoxLayout.Direction.TopToBottom


def joined(direction: QBoxLayout.Direction, *parts: QWidget | tuple[QWidget, int], name: str = "") -> QWidget:
    """A widget holding ``parts`` side by side (ROW) or one above the other (COLUMN), edge to edge; a
    ``(widget, stretch)`` part takes the room that is left."""
    holder = QWidget()
    if name:
        holder.setObjectName(name)
    layout = QBoxLayout(direction, holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    for part in parts:
        widget, stretch = part if isinstance(part, tuple) else (part, 0)
        layout.addWidget(widget, stretch)
    return holder


def scrolling_panel(panel: QWidget, width: int, accessible_name: str) -> QScrollArea:
    """``panel`` in a frameless area ``width`` px wide that scrolls up and down when the window is short."""
    scroll = QScrollArea()
    scroll.setObjectName("settingsScroll")
    scroll.setAccessibleName(accessible_name)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    scroll.setWidget(panel)
    scroll.setFixedWidth(width)
    return scroll
