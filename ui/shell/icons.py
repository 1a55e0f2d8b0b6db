"""Small line icons drawn with QPainter in the current text colour, so they follow every theme and scale.

No icon font or image files: each icon is a few strokes on a 24-unit grid.
"""

from __future__ import annotations

from typing import Callable, Iterable

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QAbstractButton, QWidget

Draw = Callable[[QPainter], None]


def _menu(p: QPainter) -> None:
    for y in (7, 12, 17):
        p.drawLine(QPointF(4, y), QPointF(20, y))


def _plus(p: QPainter) -> None:
    p.drawLine(QPointF(12, 5), QPointF(12, 19))
    p.drawLine(QPointF(5, 12), QPointF(19, 12))


def _search(p: QPainter) -> None:
    p.drawEllipse(QRectF(4.5, 4.5, 11, 11))
    p.drawLine(QPointF(14, 14), QPointF(19.5, 19.5))


def _sliders(p: QPainter) -> None:
    for y, x in ((7, 15), (12, 8), (17, 13)):
        p.drawLine(QPointF(4, y), QPointF(20, y))
        p.drawEllipse(QPointF(x, y), 2.2, 2.2)


def _wide(p: QPainter) -> None:
    path = QPainterPath()
    for (x1, y1), (x2, y2), (x3, y3) in (((8, 8), (4, 12), (8, 16)), ((16, 8), (20, 12), (16, 16))):
        path.moveTo(x1, y1)
        path.lineTo(x2, y2)
        path.lineTo(x3, y3)
    p.drawPath(path)
    p.drawLine(QPointF(5, 12), QPointF(19, 12))


def _keyboard(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(3, 6.5, 18, 11), 2, 2)
    for x in (7, 10, 13, 16):
        p.drawPoint(QPointF(x, 10))
    p.drawLine(QPointF(8, 14), QPointF(16, 14))


def _tokens(p: QPainter) -> None:
    for x in (2.5, 9.5, 16.5):
        p.drawRoundedRect(QRectF(x, 8.5, 5, 7), 1.2, 1.2)


def _server(p: QPainter) -> None:
    for y in (4.5, 13.5):
        p.drawRoundedRect(QRectF(4, y, 16, 6), 1.5, 1.5)
        p.drawPoint(QPointF(8, y + 3))


def _engine(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(7, 7, 10, 10), 1.5, 1.5)
    for at in (10, 14):
        for a, b in ((QPointF(at, 3.5), QPointF(at, 7)), (QPointF(at, 17), QPointF(at, 20.5)),
                     (QPointF(3.5, at), QPointF(7, at)), (QPointF(17, at), QPointF(20.5, at))):
            p.drawLine(a, b)


def _copy(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(8.5, 8.5, 11, 11), 2, 2)
    p.drawPolyline([QPointF(15.5, 5), QPointF(6.5, 4.5), QPointF(4.5, 6.5), QPointF(4.5, 15.5)])


def _regenerate(p: QPainter) -> None:
    p.drawArc(QRectF(5, 5, 14, 14), 60 * 16, 270 * 16)
    p.drawPolyline([QPointF(15.5, 3.5), QPointF(15.5, 7), QPointF(19, 7)])


def _seed(p: QPainter) -> None:
    p.drawLine(QPointF(12, 21), QPointF(12, 11))
    for bulge in (QRectF(3.5, 4.5, 9, 7), QRectF(11.5, 3, 9, 7)):
        p.drawEllipse(bulge)


def _inspect(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(3.5, 4.5, 13, 15), 2, 2)
    p.drawEllipse(QRectF(11, 11, 6, 6))
    p.drawLine(QPointF(16.5, 16.5), QPointF(20.5, 20.5))


def _edit(p: QPainter) -> None:
    path = QPainterPath()
    path.moveTo(4, 20)
    path.lineTo(5, 15.5)
    path.lineTo(15.5, 5)
    path.lineTo(19, 8.5)
    path.lineTo(8.5, 19)
    path.closeSubpath()
    p.drawPath(path)


def _check(p: QPainter) -> None:
    p.drawPolyline([QPointF(5, 12.5), QPointF(10, 17.5), QPointF(19, 7)])


SHAPES: dict[str, Draw] = {"menu": _menu, "plus": _plus, "search": _search, "sliders": _sliders, "wide": _wide,
                           "keyboard": _keyboard, "tokens": _tokens, "server": _server, "engine": _engine,
                           "copy": _copy, "regenerate": _regenerate, "seed": _seed, "inspect": _inspect, "edit": _edit,
                           "check": _check}


def line_icon(name: str, color: QColor, size: int = 24) -> QIcon:
    """The icon ``name`` (see SHAPES) in ``color``, drawn at 1x and 2x for sharp high-DPI rendering."""
    icon = QIcon()
    for scale in (1, 2):
        pixmap = QPixmap(size * scale, size * scale)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(size * scale / 24, size * scale / 24)
        pen = QPen(color, 1.8)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        SHAPES[name](painter)
        painter.end()
        pixmap.setDevicePixelRatio(scale)
        icon.addPixmap(pixmap)
    return icon


def is_theme_change(event: QEvent) -> bool:
    return event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange)


def color_icons(widget: QWidget, buttons: Iterable[QAbstractButton], size: int = 24) -> None:
    """Draw each button's line icon (its ``icon_name`` property) in ``widget``'s text colour, ``size`` px."""
    color = widget.palette().color(QPalette.ColorRole.WindowText)
    for button in buttons:
        button.setIcon(line_icon(button.property("icon_name"), color, size))
