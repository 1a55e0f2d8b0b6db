"""Keeping the reader's place: which source line of a message is at the top of the chat, and where it went.

Every view of a ``MessageBody`` (the answer's, and the thinking's when it is open) knows the
source lines it shows: a streaming view has one block per line, rendered documents store each
block's first source line in ``userState``, code blocks their first line.  So the line at the
top of the scroll area before a render can be found again after it, and the chat scrolled to
put it back where it was.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QScrollArea, QWidget

from ui.chat.code_block import CodeBlock

FOLLOW_SLACK_PX = 24
FENCES = ("```", "~~~")


def scroll_area(body: QWidget) -> QScrollArea | None:
    parent = body.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    return parent


def following(body: QWidget) -> bool:
    """True when the chat is scrolled to its end (or the body is not in a scroll area)."""
    area = scroll_area(body)
    if area is None:
        return True
    bar = area.verticalScrollBar()
    return bar.value() >= bar.maximum() - FOLLOW_SLACK_PX


def reading_anchor(body) -> tuple[int, int] | None:
    """(source line at the top of the scroll area, its distance from that top), when the top is inside
    this message and the view is not following the stream (then the chat keeps to the end anyway)."""
    area = scroll_area(body)
    if area is None or following(body):
        return None
    top = body.mapFrom(area.widget(), QPoint(0, area.verticalScrollBar().value())).y()
    if not 0 <= top < body.height():
        return None
    for widget in body.reading_views():
        y = _top_in(body, widget)
        if y <= top < y + widget.height():
            line, line_top = _line_at(widget, top - y)
            return line, y + line_top - top
    return None


def restore_anchor(body, anchor: tuple[int, int]) -> None:
    """Scroll so that the anchor's source line is again where it was on the screen."""
    area = scroll_area(body)
    if area is None:
        return
    _settle(body, area.widget())
    line, offset = anchor
    best = None
    for widget in body.reading_views():
        first = _first_line(widget)
        if first is not None and first <= line:
            best = widget
    if best is None:
        return
    y = _top_in(body, best) + _line_top(best, line)
    target = body.mapTo(area.widget(), QPoint(0, y)).y() - offset
    area.verticalScrollBar().setValue(target)


def _top_in(body: QWidget, widget: QWidget) -> int:
    return widget.mapTo(body, QPoint(0, 0)).y()


def _settle(body: QWidget, top: QWidget) -> None:
    """Lay out the new views now, not on the next pass of the event loop, so their places can be read."""
    for widget in body.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
        if not widget.isVisible() and not widget.testAttribute(Qt.WidgetAttribute.WA_WState_ExplicitShowHide):
            widget.show()  # added to a shown parent: Qt would show it on the next pass
    chain, widget = [], body
    while widget is not None and widget is not top.parentWidget():
        chain.append(widget)
        widget = widget.parentWidget()
    for widget in chain:  # from the body out, then the column once more with the final sizes
        if widget.layout() is not None:
            widget.layout().activate()
    top.layout().activate()


def _first_line(widget: QWidget) -> int | None:
    if isinstance(widget, CodeBlock):
        return widget.property("sourceLine")
    if widget.property("plainLines"):
        return widget.property("firstLine")
    block = widget.document().firstBlock()
    while block.isValid() and block.userState() < 0:
        block = block.next()
    return block.userState() if block.isValid() else None


def _line_at(widget: QWidget, y: int) -> tuple[int, int]:
    """The source line shown at height ``y`` of a view, and the top of that line in the view."""
    if isinstance(widget, CodeBlock):
        view, first = widget.text, widget.property("sourceLine")
        offset = view.y()
    else:
        view, first, offset = widget, None, 0
    layout = view.document().documentLayout()
    position = layout.hitTest(QPointF(0, max(0, y - offset)), Qt.HitTestAccuracy.FuzzyHit)
    block = view.document().findBlock(max(position, 0))
    top = int(layout.blockBoundingRect(block).top()) + offset
    if first is not None:
        return first + block.blockNumber(), top
    if view.property("plainLines"):  # the streaming view: one block per source line
        # The first line wholly in view, skipping blank and fence lines (they are not shown once rendered).
        if layout.blockBoundingRect(block).top() < y - offset and block.next().isValid():
            block = block.next()
        while block.next().isValid() and (not block.text().strip() or block.text().lstrip().startswith(FENCES)):
            block = block.next()
        top = int(layout.blockBoundingRect(block).top())
        return view.property("firstLine") + block.blockNumber(), top
    while block.isValid() and block.userState() < 0:
        block = block.previous()
    return (block.userState() if block.isValid() else 0), top


def _line_top(widget: QWidget, line: int) -> int:
    """The top of source line ``line`` (or the block it was rendered into) within a view."""
    if isinstance(widget, CodeBlock):
        block = widget.text.document().findBlockByNumber(line - widget.property("sourceLine"))
        return widget.text.y() + int(widget.text.document().documentLayout().blockBoundingRect(block).top())
    document = widget.document()
    if widget.property("plainLines"):  # a streaming view: one block per source line
        block = document.findBlockByNumber(min(line - widget.property("firstLine"), document.blockCount() - 1))
        return int(document.documentLayout().blockBoundingRect(block).top())
    best, block = document.firstBlock(), document.firstBlock()
    while block.isValid():
        if 0 <= block.userState() <= line:
            best = block
        elif block.userState() > line:
            break
        block = block.next()
    return int(document.documentLayout().blockBoundingRect(best).top())
