"""Long tooltips wrap: Qt shows a plain-text tooltip on one line, which for a sentence or two is wider than the
window.  An application-wide filter shows any long plain tooltip as wrapped rich text instead."""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip, QWidget

WRAP_AT = 60  # characters; shorter tooltips stay as they are
WIDTH_PX = 340


def wrapped(text: str) -> str:
    """``text`` as rich text in a block of at most WIDTH_PX, so Qt wraps it."""
    body = "<br>".join(html.escape(line) for line in text.split("\n"))
    return f"<table width='{WIDTH_PX}'><tr><td>{body}</td></tr></table>"


class TooltipWrapper(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.ToolTip and isinstance(watched, QWidget) and isinstance(event, QHelpEvent):
            text = watched.toolTip()
            if len(text) > WRAP_AT and not text.lstrip().startswith("<"):  # rich text wraps already
                QToolTip.showText(event.globalPos(), wrapped(text), watched)
                return True
        return False


def install(app: QApplication) -> None:
    """Once per application."""
    if getattr(app, "_localchat_tooltips", None) is None:
        app._localchat_tooltips = TooltipWrapper(app)  # type: ignore[attr-defined]
        app.installEventFilter(app._localchat_tooltips)  # type: ignore[attr-defined]
