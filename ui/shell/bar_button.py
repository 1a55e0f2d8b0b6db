"""Top-bar parts that shrink to their icon when the bar is narrow (see ui/shell/top_bar.py)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton, QWidget


@runtime_checkable
class Compactable(Protocol):
    """A top-bar part that can shrink to its icon."""

    def set_compact(self, compact: bool) -> None: ...


class BarButton(QToolButton):
    """A top-bar button with a line icon (``icon`` in ui.shell.icons) and a label; compact, only the icon."""

    def __init__(self, icon: str, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("icon_name", icon)
        self.setText(label)
        self.set_compact(False)

    def set_compact(self, compact: bool) -> None:
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly if compact
                                else Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
