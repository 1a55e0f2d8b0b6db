"""The tables a rendered message is made of: a GitHub table as the model wrote it, and the borderless one-row
tables that only lay out (a block quote's bar beside its text, a code block nested in a list or quote).

What they look like lives here; ``markdown_document`` inserts them where the text has them.
"""

from __future__ import annotations

from dataclasses import dataclass

from markdown_it.token import Token
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QTextFrameFormat, QTextLength, QTextTableCell, QTextTableFormat

from ui.chat.render.style import CELL_PADDING, RenderStyle

ALIGN = {"left": Qt.AlignmentFlag.AlignLeft, "center": Qt.AlignmentFlag.AlignHCenter,
         "right": Qt.AlignmentFlag.AlignRight}
# a quote: the bar, a gap (Qt ignores a cell's own padding), then the quoted text
QUOTE_COLUMNS = (QTextLength(QTextLength.Type.FixedLength, 3), QTextLength(QTextLength.Type.FixedLength, 12),
                 QTextLength(QTextLength.Type.VariableLength, 0))
CODE_COLUMNS = (QTextLength(QTextLength.Type.PercentageLength, 100),)


@dataclass(frozen=True)
class Cell:
    inline: Token  # the cell's text, as markdown-it's inline token
    alignment: Qt.AlignmentFlag
    header: bool


def table_cells(tokens: list[Token]) -> list[list[Cell]]:
    """A GitHub table's rows, each cell aligned as its column's delimiter row says (``tokens`` run from
    ``table_open`` to ``table_close``)."""
    rows: list[list[Cell]] = []
    for index, token in enumerate(tokens):
        if token.type == "tr_open":
            rows.append([])
        elif token.type in ("th_open", "td_open"):
            style = str(token.attrs.get("style", ""))
            align = style.removeprefix("text-align:") if style.startswith("text-align:") else "left"
            rows[-1].append(Cell(tokens[index + 1], ALIGN.get(align, Qt.AlignmentFlag.AlignLeft),
                                 token.type == "th_open"))
    return rows


def layout_format(columns: tuple[QTextLength, ...], bottom_margin: int, left_margin: int) -> QTextTableFormat:
    """A table that only lays out: no border, spacing or padding, as wide as the text."""
    table_format = QTextTableFormat()
    table_format.setBorder(0)
    table_format.setCellPadding(0)
    table_format.setMargin(0)
    table_format.setWidth(QTextLength(QTextLength.Type.PercentageLength, 100))
    table_format.setColumnWidthConstraints(list(columns))
    return _placed(table_format, bottom_margin, left_margin)


def grid_format(style: RenderStyle, bottom_margin: int, left_margin: int) -> QTextTableFormat:
    """A GitHub table: one thin rule between and around the cells, padded cells, the first row a header."""
    table_format = QTextTableFormat()
    table_format.setBorder(1)
    table_format.setBorderBrush(QBrush(style.rule))
    table_format.setBorderStyle(QTextFrameFormat.BorderStyle.BorderStyle_Solid)
    table_format.setBorderCollapse(True)
    table_format.setCellPadding(CELL_PADDING)
    table_format.setHeaderRowCount(1)
    return _placed(table_format, bottom_margin, left_margin)


def _placed(table_format: QTextTableFormat, bottom_margin: int, left_margin: int) -> QTextTableFormat:
    table_format.setCellSpacing(0)
    table_format.setBottomMargin(bottom_margin)
    table_format.setLeftMargin(left_margin)
    return table_format


def shade(cell: QTextTableCell, colour: QColor, padding: float | None = None) -> None:
    cell_format = cell.format().toTableCellFormat()
    cell_format.setBackground(colour)
    if padding is not None:
        cell_format.setPadding(padding)
    cell.setFormat(cell_format)
