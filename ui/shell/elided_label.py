"""A one-line label that gives way on a narrow window: it ends in "…" instead of pushing its neighbours out."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel

SHORTEST = "0000…"  # what the label keeps at the least


class ElidedLabel(QLabel):
    """Its whole text when there is room, the start of it and "…" when not (the tooltip should say all of it).

    ``shortest`` is a text as wide as the least it keeps: of two such labels side by side, the one with the
    shorter one gives way first."""

    def __init__(self, text: str = "", shortest: str = SHORTEST) -> None:
        super().__init__(text)
        self._shortest = shortest

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), self.fontMetrics().horizontalAdvance(self._shortest)), hint.height())

    def paintEvent(self, _event: object) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, self.width())
        painter.drawText(self.rect(), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)
