"""Text shown as it streams: line breaks kept, and the lines of fenced code already in the code font.

A streaming reply is plain text until it ends and is rendered once.  Code would then jump from the
proportional font to monospace, so the lines of a fenced code block (open or closed) are set in the
code font as they arrive, indented about as far as a code block's text, its fence lines muted
(the final render shows them as the block's header): when the reply ends, the box appears around
the code instead of the code moving into it.  Whether a line opens or closes a fence is decided
once, when the line ends, by the rules the final render uses (``markdown_blocks``); a line that
starts like a fence is shown as one as soon as its first characters say so.  Nothing already
shown is read again, so each chunk costs what its own text costs, however long the reply, and
text of one kind goes in with one insert.
"""

from __future__ import annotations

import re
from enum import Enum

from PySide6.QtGui import (QFontDatabase, QTextBlock, QTextBlockFormat, QTextCharFormat, QTextCursor,
                           QTextDocument)

from ui.chat.markdown_blocks import FENCE, closes_fence
from ui.chat.render.plain_text import shown
from ui.chat.render.style import CODE_TEXT_INSET, RenderStyle

FENCE_START = re.compile(r" {0,3}(```|~~~)")
FENCE_HEAD = 6  # characters that tell whether a line can open a fence: up to three spaces and three marks


class Kind(Enum):
    PROSE = "prose"
    CODE = "code"
    FENCE = "fence"  # a line that opens or closes a code block


def formats(style: RenderStyle) -> dict[Kind, tuple[QTextCharFormat, QTextBlockFormat]]:
    """Each kind of line's character and block format: code in the code font (the family code blocks use;
    the size is the view's, so the text-size setting holds), indented like a code block's text; fences muted."""
    code = QTextCharFormat()
    code.setFontFamilies([QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont).family()])
    code.setFontFixedPitch(True)
    fence = QTextCharFormat(code)
    fence.setForeground(style.muted)
    code_block = QTextBlockFormat()
    code_block.setLeftMargin(CODE_TEXT_INSET)
    return {Kind.PROSE: (QTextCharFormat(), QTextBlockFormat()), Kind.CODE: (code, code_block),
            Kind.FENCE: (fence, code_block)}


class StreamedText:
    """Appends streamed text to the end of ``document``, one block per line."""

    def __init__(self, document: QTextDocument) -> None:
        self.cursor = QTextCursor(document)
        self.cursor.movePosition(QTextCursor.MoveOperation.End)
        self._formats = formats(RenderStyle.current())
        self._fence_lines: list[int] = []  # the numbers of the blocks shown as fence lines
        self._fence: str | None = None  # the marks that opened the code block the text is in
        self._line: list[str] = []  # the current line as the model wrote it, in pieces
        self._head = ""  # its first FENCE_HEAD characters
        self._kind = Kind.PROSE  # how the current line is shown
        self._run: list[str] = []  # shown text of the current kind, not inserted yet

    def append(self, text: str) -> None:
        self.cursor.beginEditBlock()  # the view lays the chunk out once, whatever it holds
        for index, piece in enumerate(text.split("\n")):
            if index:
                self._end_line()
            if piece:
                self._add(piece)
        self._flush()
        self.cursor.endEditBlock()

    def _add(self, piece: str) -> None:
        if len(self._head) < FENCE_HEAD:
            self._head += piece[:FENCE_HEAD - len(self._head)]
            if self._kind is not Kind.FENCE and FENCE_START.match(self._head):
                self._restyle_line(Kind.FENCE)  # it may open or close a block: show it so now, decide at its end
        self._line.append(piece)
        self._run.append(shown(piece))

    def _end_line(self) -> None:
        line = "".join(self._line)
        if self._fence is not None:
            if closes_fence(line, self._fence):
                self._fence = None
            elif self._kind is Kind.FENCE:
                self._restyle_line(Kind.CODE)  # it started like the end of the block and was not
        else:
            opening = FENCE.match(line)
            if opening:
                self._fence = opening["fence"]
            elif self._kind is Kind.FENCE:
                self._restyle_line(Kind.PROSE)  # it started like a fence and was not one
        self._line.clear()
        self._head = ""
        kind = Kind.CODE if self._fence is not None else Kind.PROSE
        if kind is self._kind:
            self._run.append("\n")  # the new block takes the formats of this one
        else:
            self._flush()
            self.cursor.insertBlock(self._formats[kind][1], self._formats[kind][0])
            self._kind = kind

    def restyle(self, style: RenderStyle) -> None:
        """Show the fence lines already shown, and every line still to come, in ``style``'s colours
        (the theme changed while the text streams)."""
        self._formats = formats(style)
        document = self.cursor.document()
        for number in self._fence_lines:
            self._set_line(document.findBlockByNumber(number), Kind.FENCE)

    def _restyle_line(self, kind: Kind) -> None:
        """Show the current line, as far as it came, as ``kind``."""
        self._flush()
        if kind is Kind.FENCE:
            self._fence_lines.append(self.cursor.blockNumber())
        elif self._kind is Kind.FENCE:
            self._fence_lines.pop()  # the current line, which turned out not to be a fence
        self._set_line(self.cursor.block(), kind)
        self._kind = kind

    def _set_line(self, block: QTextBlock, kind: Kind) -> None:
        char_format, block_format = self._formats[kind]
        line = QTextCursor(block)
        line.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
        line.setBlockFormat(block_format)
        line.setBlockCharFormat(char_format)
        line.setCharFormat(char_format)

    def _flush(self) -> None:
        if self._run:
            self.cursor.insertText("".join(self._run), self._formats[self._kind][0])
            self._run.clear()
