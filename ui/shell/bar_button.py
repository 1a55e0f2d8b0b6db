"""Buttons that shrink to their icon when their row is narrow: the top bar's switches (see ui/shell/top_bar.py)
and a message's actions (see ui/chat/action_row.py)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton, QWidget


@runtime_checkable
class Compactable(Protocol):
    """A part that can shrink to its icon."""

    def set_compact(self, compact: bool) -> None: ...


class BarButton(QToolButton):
    """A button with a line icon (``icon`` in ui.shell.icons) and a label; compact, only the icon (its tooltip
    and accessible name stay).  With ``labelled_icon`` False it shows only its label until it is compact."""

    def __init__(self, icon: str, label: str, parent: QWidget | None = None, labelled_icon: bool = True) -> None:
        super().__init__(parent)
        self.setProperty("icon_name", icon)
        self.setText(label)
        self._labelled = (Qt.ToolButtonStyle.ToolButtonTextBesideIcon if labelled_icon
                          else Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.set_compact(False)

    def set_compact(self, compact: bool) -> None:
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly if compact else self._labelled)
