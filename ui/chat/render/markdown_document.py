"""Markdown (as models write it) into a QTextDocument, in one pass over markdown-it-py's tokens.

Why not ``QTextDocument.setMarkdown``: it joins single line breaks into one paragraph,
draws no quote bar, no inline-code background and no header alignment, and drops
images.  Here markdown-it-py (CommonMark plus tables and strikethrough, raw HTML off)
parses, and this builder inserts blocks and formatted runs with one QTextCursor:

- a single newline is a line break (chat semantics), a blank line a new paragraph; each line is a
  block of its own, so cost stays linear in the text;
- quotes are a one-row table whose narrow first cell is the bar (the tables are made in ``tables``);
- task items show a ballot box instead of a bullet; nested lists indent;
- images become their alt text plus their link (nothing is ever fetched);
- every run of text goes through ``inert_text`` and ``breakable`` (``plain_text``).

Each block records the first source line it came from (``userState``), so a view can
find where a given line of the streamed text went after rendering.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token
from PySide6.QtGui import (QFont, QFontDatabase, QTextBlockFormat, QTextCharFormat, QTextCursor, QTextDocument,
                           QTextFormat, QTextLength, QTextListFormat, QTextTable, QTextTableFormat)

from ui.chat.render.plain_text import shown
from ui.chat.render.style import CELL_PADDING, Gaps, RenderStyle
from ui.chat.render.tables import (CODE_COLUMNS, QUOTE_COLUMNS, grid_format, layout_format, shade,
                                   table_cells)

_TASK = re.compile(r"^\[([ xX])\]\s+")
HEADING_SIZE = {"h1": 2, "h2": 1}  # QTextFormat.FontSizeAdjustment: +2 is 1.5×, +1 is 1.2× the body font
BULLETS = (QTextListFormat.Style.ListDisc, QTextListFormat.Style.ListCircle, QTextListFormat.Style.ListSquare)


def make_parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


_PARSER = make_parser()


@dataclass
class _List:
    ordered: bool
    start: int
    depth: int
    qt_list: object = None  # QTextList, made at its first item


class DocumentBuilder:
    """Builds one document; ``render_markdown`` is the way in."""

    def __init__(self, document: QTextDocument, style: RenderStyle, first_line: int = 0) -> None:
        self.document = document
        self.style = style
        self.first_line = first_line
        self.cursor = QTextCursor(document)
        self.fresh = document.isEmpty()  # the cursor sits in an empty block the next paragraph can use
        self.lists: list[_List] = []
        self.item_pending = False  # a list item opened and its first block is not made yet
        self.tight: list[bool] = []
        self.quotes = []
        self.formats = [QTextCharFormat()]
        self._run: list[str] = []
        self._run_format: QTextCharFormat | None = None
        self.line = first_line
        self.fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont).family()
        self.gaps = Gaps.for_font(document.defaultFont())

    # --- blocks ----------------------------------------------------------------------------------------------

    def new_block(self, token: Token | None, gap: int | None = None) -> None:
        self.flush()
        block_format = QTextBlockFormat()
        block_format.setBottomMargin(self.gaps.paragraph if gap is None else gap)
        block_format.setIndent(len(self.lists))
        if self.fresh:
            self.cursor.setBlockFormat(block_format)
            self.cursor.setBlockCharFormat(QTextCharFormat())
            self.fresh = False
        else:
            self.cursor.insertBlock(block_format, QTextCharFormat())
        if token is not None and token.map:
            self.line = self.first_line + token.map[0]
            self.cursor.block().setUserState(self.line)

    def line_break(self) -> None:
        """A line break inside a paragraph starts a new block with no gap above it: a paragraph of 10,000
        lines is then 10,000 short blocks (inserting into one huge block is quadratic in Qt)."""
        self.flush()
        current = self.cursor.blockFormat()
        following = QTextBlockFormat()
        following.setBottomMargin(current.bottomMargin())
        following.setIndent(len(self.lists))
        following.setAlignment(current.alignment())
        current.setBottomMargin(0)
        self.cursor.setBlockFormat(current)
        self.cursor.insertBlock(following, self.cursor.blockCharFormat())
        self.line += 1
        self.cursor.block().setUserState(self.line)

    def _set_gap(self, gap: int) -> None:
        self.flush()
        block_format = self.cursor.blockFormat()
        block_format.setBottomMargin(gap)
        self.cursor.setBlockFormat(block_format)

    def paragraph(self, token: Token, inline: Token) -> None:
        in_list = bool(self.lists)
        self.new_block(token, self.gaps.item if in_list and self.tight[-1] else self.gaps.paragraph)
        children = list(inline.children or [])
        if self.item_pending:
            self.item_pending = False
            task = _TASK.match(children[0].content) if children and children[0].type == "text" else None
            if task:
                children[0] = Token("text", "", 0, content=children[0].content[task.end():])
                self.insert("☑ " if task.group(1) in "xX" else "☐ ", self.char(foreground=self.style.muted))
            else:
                self.add_to_list()
        self.inline(children)

    def add_to_list(self) -> None:
        current = self.lists[-1]
        if current.qt_list is None:
            list_format = QTextListFormat()
            list_format.setIndent(current.depth + 1)
            if current.ordered:
                list_format.setStyle(QTextListFormat.Style.ListDecimal)
                list_format.setStart(current.start)
            else:
                list_format.setStyle(BULLETS[min(current.depth, len(BULLETS) - 1)])
            current.qt_list = self.cursor.createList(list_format)
        else:
            current.qt_list.add(self.cursor.block())
        block_format = self.cursor.blockFormat()
        block_format.setIndent(0)  # the list's own indent places it
        self.cursor.setBlockFormat(block_format)

    def heading(self, token: Token, inline: Token) -> None:
        self.new_block(token, gap=self.gaps.after_heading)
        block_format = self.cursor.blockFormat()
        if self.cursor.block().position() > 0:
            block_format.setTopMargin(self.gaps.heading)
        self.cursor.setBlockFormat(block_format)
        heading = self.char(bold=True)
        heading.setProperty(QTextFormat.Property.FontSizeAdjustment, HEADING_SIZE.get(token.tag, 0))
        self.formats.append(heading)
        self.inline(inline.children or [])
        self.formats.pop()

    def rule(self, token: Token) -> None:
        self.new_block(token)
        block_format = self.cursor.blockFormat()
        block_format.setProperty(QTextFormat.Property.BlockTrailingHorizontalRulerWidth,
                                 QTextLength(QTextLength.Type.PercentageLength, 100))
        block_format.setBackground(self.style.rule)  # Qt draws the ruler in the block's background colour
        self.cursor.setBlockFormat(block_format)

    def code(self, token: Token) -> None:
        """A code block nested in a list or a quote (top-level ones are widgets of their own): shaded monospace."""
        frame = self._layout_table(CODE_COLUMNS)
        shade(frame.cellAt(0, 0), self.style.code_background, CELL_PADDING)
        self.cursor.block().setUserState(self.first_line + (token.map[0] if token.map else 0))
        self.insert(shown(token.content.rstrip("\n")), self.char(monospace=True))
        self._leave_table(frame)

    def _insert_table(self, rows: int, columns: int, table_format: QTextTableFormat) -> QTextTable:
        self.flush()
        if not self.fresh:
            self.cursor.insertBlock(QTextBlockFormat())  # a plain block: not an item of the list before it
        return self.cursor.insertTable(rows, columns, table_format)

    def _layout_table(self, columns: tuple[QTextLength, ...]) -> QTextTable:
        """A one-row table that frames what follows, which goes into its last cell."""
        table_format = layout_format(columns, self.gaps.paragraph, self._indent_px())
        table = self._insert_table(1, len(columns), table_format)
        self.cursor = table.cellAt(0, len(columns) - 1).firstCursorPosition()
        self.fresh = True
        return table

    def _leave_table(self, table: QTextTable) -> None:
        self.flush()
        self.cursor = table.lastCursorPosition()
        self.cursor.movePosition(QTextCursor.MoveOperation.NextBlock)
        self.fresh = True

    def _indent_px(self) -> int:
        return len(self.lists) * self.document.indentWidth()

    def quote_open(self) -> None:
        self.pending_to_list()
        table = self._layout_table(QUOTE_COLUMNS)
        shade(table.cellAt(0, 0), self.style.quote_bar)
        self.quotes.append((table, self.lists, self.tight))
        self.lists, self.tight = [], []

    def quote_close(self) -> None:
        self._trim_gap()
        table, self.lists, self.tight = self.quotes.pop()
        self._leave_table(table)

    def table(self, tokens: list[Token]) -> None:
        """A GitHub table: header row shaded and bold, each column aligned as its delimiter row says."""
        rows = table_cells(tokens)
        self.pending_to_list()
        table_format = grid_format(self.style, self.gaps.paragraph, self._indent_px())
        table = self._insert_table(len(rows), max(len(row) for row in rows), table_format)
        table.cellAt(0, 0).firstCursorPosition().block().setUserState(self.first_line + (tokens[0].map or [0])[0])
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                table_cell = table.cellAt(r, c)
                if cell.header:
                    shade(table_cell, self.style.header_background)
                self.flush()
                self.cursor = table_cell.firstCursorPosition()
                block_format = self.cursor.blockFormat()
                block_format.setAlignment(cell.alignment)
                self.cursor.setBlockFormat(block_format)
                self.formats.append(self.char(bold=cell.header))
                self.inline(cell.inline.children or [])
                self.formats.pop()
        self._leave_table(table)

    def _trim_gap(self) -> None:
        """No space after the last block of a list, quote or message: what follows sets its own."""
        if not self.fresh:
            self._set_gap(0 if not self.lists else self.gaps.item)

    # --- inline ----------------------------------------------------------------------------------------------

    def char(self, bold: bool = False, italic: bool = False, strike: bool = False, monospace: bool = False,
             foreground=None) -> QTextCharFormat:
        char_format = QTextCharFormat(self.formats[-1])
        if bold:
            char_format.setFontWeight(QFont.Weight.Bold.value)
        if italic:
            char_format.setFontItalic(True)
        if strike:
            char_format.setFontStrikeOut(True)
        if monospace:
            char_format.setFontFamilies([self.fixed])
            char_format.setFontFixedPitch(True)
        if foreground is not None:
            char_format.setForeground(foreground)
        return char_format

    def insert(self, text: str, char_format: QTextCharFormat | None = None) -> None:
        """Queue ``text``; runs in the same format go into the document as one insert."""
        char_format = char_format if char_format is not None else self.formats[-1]
        if char_format is not self._run_format:
            self.flush()
            self._run_format = char_format
        self._run.append(text)

    def flush(self) -> None:
        if self._run:
            self.cursor.insertText("".join(self._run), self._run_format)
            self._run.clear()

    def inline(self, children: list[Token]) -> None:
        for token in children:
            kind = token.type
            if kind == "text":
                self.insert(shown(token.content))
            elif kind in ("softbreak", "hardbreak"):
                self.line_break()
            elif kind == "code_inline":
                code = self.char(monospace=True)
                code.setBackground(self.style.code_background)
                self.insert(shown(token.content), code)
            elif kind in ("strong_open", "em_open", "s_open"):
                self.formats.append(self.char(bold=kind == "strong_open", italic=kind == "em_open",
                                              strike=kind == "s_open"))
            elif kind in ("strong_close", "em_close", "s_close", "link_close"):
                self.formats.pop()
            elif kind == "link_open":
                link = self.char(foreground=self.style.link)
                link.setAnchor(True)
                link.setAnchorHref(str(token.attrs.get("href", "")))
                link.setFontUnderline(True)
                self.formats.append(link)
            elif kind == "image":
                self.image(token)
            else:  # html is off, so nothing else reaches here; show whatever it is as text
                self.insert(shown(token.content))

    def image(self, token: Token) -> None:
        """Never fetched: the alt text (what the picture was meant to show) and the link, clickable."""
        alt = token.content or "image"
        self.insert(f"[image: {shown(alt)}]", self.char(italic=True, foreground=self.style.muted))
        src = str(token.attrs.get("src", ""))
        if src:
            self.insert(" ")
            link = self.char(foreground=self.style.link)
            link.setAnchor(True)
            link.setAnchorHref(src)
            link.setFontUnderline(True)
            self.insert(shown(src), link)

    # --- the token stream ------------------------------------------------------------------------------------

    def build(self, tokens: list[Token]) -> None:
        self.cursor.beginEditBlock()  # the document is laid out once, when its text is in, not after every insert
        index = 0
        while index < len(tokens):
            token = tokens[index]
            kind = token.type
            if kind == "paragraph_open":
                self.paragraph(token, tokens[index + 1])
                index += 2
            elif kind == "heading_open":
                self.heading(token, tokens[index + 1])
                index += 2
            elif kind in ("bullet_list_open", "ordered_list_open"):
                start = int(token.attrs.get("start", 1)) if kind == "ordered_list_open" else 1
                self.lists.append(_List(kind == "ordered_list_open", start, len(self.lists)))
                self.tight.append(_is_tight(tokens, index))
            elif kind in ("bullet_list_close", "ordered_list_close"):
                self.lists.pop()
                self.tight.pop()
                self._set_gap(self.gaps.paragraph if not self.lists else self.gaps.item)
            elif kind == "list_item_open":
                self.item_pending = True
            elif kind == "list_item_close" and self.item_pending:
                self.item_pending = False
                self.new_block(token)
                self.add_to_list()
            elif kind == "blockquote_open":
                self.quote_open()
            elif kind == "blockquote_close":
                self.quote_close()
            elif kind == "table_open":
                end = next(i for i in range(index, len(tokens)) if tokens[i].type == "table_close")
                self.table(tokens[index:end + 1])
                index = end
            elif kind in ("fence", "code_block"):
                self.pending_to_list()
                self.code(token)
            elif kind == "hr":
                self.rule(token)
            index += 1
        self.flush()
        self.cursor.endEditBlock()  # before the end is tidied: a frame's new format inside one would not be laid out
        if not self.fresh:
            self._set_gap(0)
        elif self.cursor.block() == self.document.lastBlock() and not self.cursor.block().text():
            self._collapse_trailing_block()

    def _collapse_trailing_block(self) -> None:
        """Qt always puts a block after a table; at the end of a reply it would be an empty line under the last
        table or quote, so it takes no room, and neither does the space the table kept below itself."""
        block_format = self.cursor.blockFormat()
        block_format.setLineHeight(1, QTextBlockFormat.LineHeightTypes.FixedHeight.value)  # 0 means "unset"
        block_format.setTopMargin(0)
        block_format.setBottomMargin(0)
        self.cursor.setBlockFormat(block_format)
        frames = self.cursor.currentFrame().childFrames()
        if frames:
            frame_format = frames[-1].frameFormat()
            frame_format.setBottomMargin(0)
            frames[-1].setFrameFormat(frame_format)

    def pending_to_list(self) -> None:
        """A list item that starts with a code block or a quote still gets its bullet, on a block of its own."""
        if self.item_pending:
            self.item_pending = False
            self.new_block(None, self.gaps.item)
            self.add_to_list()


def _is_tight(tokens: list[Token], index: int) -> bool:
    """markdown-it marks the paragraphs of a tight list hidden; look at the list's first paragraph."""
    depth = 0
    for token in tokens[index + 1:]:
        if token.type == "paragraph_open":
            return token.hidden
        depth += token.nesting
        if depth < 0:
            break
    return True


def render_markdown(document: QTextDocument, text: str, style: RenderStyle, first_line: int = 0) -> None:
    """Append ``text`` rendered as Markdown to ``document`` (usually empty)."""
    DocumentBuilder(document, style, first_line).build(_PARSER.parse(text))
