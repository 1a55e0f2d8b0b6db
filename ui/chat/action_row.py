"""A message's row of actions (Copy, Regenerate or Edit, Same seed, other parts' buttons, ‹ 1/2 ›) and, for a
reply, its figures: one line when there is room, and when there is not it gives way as ChatGPT's and LM Studio's
footers do — the figures move onto their own line under the buttons, then the buttons show only their icons
(their tooltips and accessible names stay), and on a column narrower still the buttons wrap.  Nothing in it is
ever wider than the message: its minimum is its widest single part.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRect, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QAbstractButton, QLayout, QLayoutItem, QSizePolicy, QWidget, QWidgetItem

from ui.shell.bar_button import Compactable
from ui.shell.elided_label import ElidedRow
from ui.shell.icons import color_icons, is_theme_change

BUTTON_SPACING = 2
DETAILS_GAP = 8  # between the last button and the figures on the same line
LINE_SPACING = 2


class ActionRow(QWidget):
    """Buttons and (optionally) ``details``, the figures, after them; ``right`` lines each line up on the right
    (your own messages)."""

    def __init__(self, details: ElidedRow | None = None, right: bool = False) -> None:
        super().__init__()
        self.setObjectName("messageActions")
        self._layout = _ActionLayout(self, details, right)
        self._compact = False
        self._icon_side = 0
        self._arranged_for: tuple = ()

    def add_button(self, button: QWidget) -> None:
        """Another button at the end of the buttons (before the figures)."""
        self._layout.addWidget(button)
        self._arranged_for = ()
        self.refresh_icons()
        self._arrange()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._arrange()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest and self._contents() != self._arranged_for:
            self._arrange()  # a button appeared or changed its text ("Copied ✓"): fit again
        return super().event(event)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if is_theme_change(event) or event.type() == QEvent.Type.FontChange:
            self.refresh_icons()
            self._arranged_for = ()  # sizes change with the style and the text size: measure again
        super().changeEvent(event)

    def refresh_icons(self) -> None:
        """Line icons in the buttons' own (muted) text colour, as tall as their text, which follows the text
        size (again after a theme change, a new text size or a new icon)."""
        buttons = self._icon_buttons()
        if not buttons:
            return
        self._icon_side = buttons[0].fontMetrics().height()
        color_icons(buttons[0], buttons, self._icon_side)
        for button in buttons:
            button.setIconSize(QSize(self._icon_side, self._icon_side))

    def _icon_buttons(self) -> list[QAbstractButton]:
        return [button for button in self._layout.buttons() if isinstance(button, QAbstractButton)
                and button.property("icon_name")]

    def _contents(self) -> tuple:
        """What the shape depends on: the width and the buttons shown with their texts."""
        return self.width(), tuple((button.text() if isinstance(button, QAbstractButton) else "", button.isHidden())
                                   for button in self._layout.buttons())

    def _arrange(self) -> None:
        """Labelled buttons if they fit on one line, else icons only."""
        self._arranged_for = self._contents()
        buttons = self._icon_buttons()
        if buttons and buttons[0].fontMetrics().height() != self._icon_side:
            self.refresh_icons()
        self._set_compact(False)
        compact = self._layout.buttons_width() > self.width()
        self._set_compact(compact)
        self._layout.invalidate()

    def _set_compact(self, compact: bool) -> None:
        if compact != self._compact:
            self._compact = compact
            for button in self._layout.buttons():
                if isinstance(button, Compactable):
                    button.set_compact(compact)


class _ActionLayout(QLayout):
    """Lays the buttons out in lines that wrap, then the details on the last line if they fit there whole
    (their first label whole), else on a line of their own; a height for every width."""

    def __init__(self, parent: QWidget, details: ElidedRow | None, right: bool) -> None:
        super().__init__(parent)
        self.setContentsMargins(0, 0, 0, 0)
        self.setSpacing(BUTTON_SPACING)
        self._items: list[QLayoutItem] = []
        self._details = QWidgetItem(details) if details is not None else None
        self._right = right
        if details is not None:
            self.addChildWidget(details)

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt override
        self._items.append(item)
        self.invalidate()

    def count(self) -> int:
        return len(self._all())

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        items = self._all()
        return items[index] if 0 <= index < len(items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        if 0 <= index < len(self._items):
            return self._items.pop(index)
        if self._details is not None and index == len(self._items):
            item, self._details = self._details, None
            return item
        return None

    def buttons(self) -> list[QWidget]:
        return [item.widget() for item in self._items if item.widget() is not None]

    def buttons_width(self) -> int:
        """The width of the shown buttons on one line, as they are now."""
        widths = [item.sizeHint().width() for item in self._items if not item.isEmpty()]
        return sum(widths) + self.spacing() * max(0, len(widths) - 1)

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt override
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        return self._height(self.place(width))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        lines = self.place(1 << 20)  # everything on one line
        width = max((sum(w for _item, w in line) + self._gaps(line) for line in lines), default=0)
        return QSize(width, self._height(lines))

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt override
        """As narrow as its widest part: the row wraps, it never pushes the message wider.  As short as one line:
        the height it needs at its width comes from heightForWidth; a minimum as tall as the row wrapped at its
        narrowest would add that height to every message's minimum, and the chat's column would grow by it."""
        shown = self._shown()
        return QSize(max((item.minimumSize().width() for item in shown), default=0),
                     max((item.minimumSize().height() for item in shown), default=0))

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt override
        super().setGeometry(rect)
        y = rect.y()
        for line in self.place(rect.width()):
            height = self._line_height(line)
            used = sum(width for _item, width in line) + self._gaps(line)
            x = rect.x() + (rect.width() - used if self._right else 0)
            for index, (item, width) in enumerate(line):
                if index:
                    x += self._gap(item)
                item_height = min(height, _height_at(item, width))
                item.setGeometry(QRect(x, y + (height - item_height) // 2, width, item_height))
                x += width
            y += height + LINE_SPACING

    def place(self, width: int) -> list[list[tuple[QLayoutItem, int]]]:
        """The lines at ``width``: each a list of (item, its width)."""
        lines: list[list[tuple[QLayoutItem, int]]] = [[]]
        used = 0
        for item in self._items:
            if item.isEmpty():
                continue
            wanted = min(item.sizeHint().width(), width)
            if lines[-1] and used + self.spacing() + wanted > width:
                lines.append([])
                used = 0
            used += (self.spacing() if lines[-1] else 0) + wanted
            lines[-1].append((item, wanted))
        details = self._details
        if details is not None and not details.isEmpty():
            whole = details.widget().first_whole_width()
            room = width - used - (DETAILS_GAP if lines[-1] else 0)
            if lines[-1] and room < whole:
                lines.append([])
                room = width
            lines[-1].append((details, max(0, min(details.sizeHint().width(), room))))
        return [line for line in lines if line]

    def _all(self) -> list[QLayoutItem]:
        return self._items + ([self._details] if self._details is not None else [])

    def _shown(self) -> list[QLayoutItem]:
        return [item for item in self._all() if not item.isEmpty()]

    def _gap(self, item: QLayoutItem) -> int:
        return DETAILS_GAP if item is self._details else self.spacing()

    def _gaps(self, line: list[tuple[QLayoutItem, int]]) -> int:
        return sum(self._gap(item) for item, _width in line[1:])

    def _height(self, lines: list[list[tuple[QLayoutItem, int]]]) -> int:
        heights = [self._line_height(line) for line in lines]
        return sum(heights) + LINE_SPACING * max(0, len(heights) - 1)

    def _line_height(self, line: list[tuple[QLayoutItem, int]]) -> int:
        return max(_height_at(item, width) for item, width in line)


def _height_at(item: QLayoutItem, width: int) -> int:
    """How tall ``item`` is at ``width`` (the figures take two lines when they are short of room)."""
    return item.heightForWidth(width) if item.hasHeightForWidth() else item.sizeHint().height()
