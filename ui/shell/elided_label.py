"""A one-line label that gives way on a narrow window: it ends in "…" instead of pushing its neighbours out;
and a row of them that give way one after the other, the least important first."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel, QLayout, QLayoutItem, QWidget

SHORTEST = "0000…"  # what the label keeps at the least


class ElidedLabel(QLabel):
    """Its whole text when there is room, the start of it and "…" when not (the tooltip should say all of it).

    ``shortest`` is a text as wide as the least it keeps."""

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


class ElidedRow(QWidget):
    """Labels side by side that give way in turn when the row is short of room: the last one shrinks to its
    least before the one before it loses a character, and so on (a box layout would shrink them together).
    Narrower than the first label whole with the others at their least, each label takes a line of its own."""

    def __init__(self, labels: list[ElidedLabel], spacing: int) -> None:
        super().__init__()
        layout = _GiveWayLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(spacing)
        for label in labels:
            layout.addWidget(label)

    def first_whole_width(self) -> int:
        """The least width at which the first shown label is whole (the others at their least)."""
        return self.layout().first_whole_width()


class _GiveWayLayout(QLayout):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt override
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return self._across([item.sizeHint() for item in self._shown()])

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt override
        """Its widest label at its least (it takes more lines rather than more width), one line tall: the height
        at the width it gets comes from heightForWidth (see ui.chat.action_row)."""
        return QSize(max((item.minimumSize().width() for item in self._shown()), default=0),
                     max((item.minimumSize().height() for item in self._shown()), default=0))

    def first_whole_width(self) -> int:
        shown = self._shown()
        if not shown:
            return 0
        return self._across([shown[0].sizeHint(), *(item.minimumSize() for item in shown[1:])]).width()

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt override
        return Qt.Orientation(0)  # as wide and tall as its labels need, like a label (a layout grows by default)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        heights = [item.sizeHint().height() for item in self._shown()]
        if width >= self.first_whole_width():
            return max(heights, default=0)
        return sum(heights) + self.spacing() * max(0, len(heights) - 1)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt override
        super().setGeometry(rect)
        shown = self._shown()
        if rect.width() < self.first_whole_width():  # a line each, each elided to the width if it must be
            y = rect.y()
            for item in shown:
                height = item.sizeHint().height()
                item.setGeometry(QRect(rect.x(), y, min(rect.width(), item.sizeHint().width()), height))
                y += height + self.spacing()
            return
        widths = [item.sizeHint().width() for item in shown]
        short = self.sizeHint().width() - rect.width()
        for index in reversed(range(len(shown))):
            given = max(0, min(short, widths[index] - shown[index].minimumSize().width()))
            widths[index] -= given
            short -= given
        x = rect.x()
        for item, width in zip(shown, widths):
            item.setGeometry(QRect(x, rect.y(), width, rect.height()))
            x += width + self.spacing()

    def _shown(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def _across(self, sizes: list[QSize]) -> QSize:
        """The size of ``sizes`` side by side, with the layout's spacing between them."""
        width = sum(size.width() for size in sizes) + self.spacing() * max(0, len(sizes) - 1)
        return QSize(width, max((size.height() for size in sizes), default=0))
