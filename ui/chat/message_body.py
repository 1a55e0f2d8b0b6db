"""The text of one message: plain text while it streams, rendered once when it ends, in place.

Kept apart from the message card (``message_widget``: layout, buttons, labels) so how a message's text is
rendered can change without touching the card.

While streaming, each chunk is one insert at the end of a plain view (line breaks kept, so it
already reads like the result), and ``<think>`` text goes to a live Thinking section.  When the
reply ends, the text is rendered once: prose as Markdown, each fenced code block as its own
widget.  The line the user was reading stays where it was on screen: every rendered block knows
the source line it came from.

Cost is linear in the text: code blocks and plain text skip the Markdown parser, and only the
first ``MARKDOWN_BUDGET`` characters of prose are formatted; the rest of a huge reply (a pasted
log) is shown as plain text with a note.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from ui.chat.code_block import CodeBlock
from ui.chat.conversation_model import Node
from ui.chat.markdown_blocks import split_blocks
from ui.chat.render.markdown_document import render_plain
from ui.chat.render.thinking import ThinkingStream, split_thinking
from ui.chat.safe_text import SafeBrowser
from ui.chat.thinking_section import ThinkingSection

log = logging.getLogger(__name__)

MARKDOWN_BUDGET = 100_000  # characters of prose formatted per message (markdown-it-py parses ~1 MB/s)
FOLLOW_SLACK_PX = 24


class MessageBody(QWidget):
    def __init__(self, node: Node, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.node = node
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(8)
        self.thinking: ThinkingSection | None = None
        self._stream: SafeBrowser | None = None
        self._router: ThinkingStream | None = None
        self.note: QLabel | None = None

    # --- streaming -------------------------------------------------------------------------------------------

    @property
    def streaming(self) -> bool:
        return self._router is not None

    def start_stream(self) -> None:
        """Show the reply's text so far as plain text; ``append_text`` adds to it."""
        self.clear()
        self._router = ThinkingStream()
        self._stream = self._view("Reply text")
        if self.node.content:
            self.append_text(self.node.content)

    def append_text(self, text: str) -> None:
        assert self._router is not None and self._stream is not None, "text for a message that is not streaming"
        thinking, answer = self._router.feed(text)
        self._show_streamed(thinking, answer)

    def _show_streamed(self, thinking: str, answer: str) -> None:
        if thinking:
            if self.thinking is None:
                self.thinking = ThinkingSection(live=True)
                self.layout_.insertWidget(0, self.thinking)
            self.thinking.append(thinking)
        if self.thinking is not None and self.thinking.live and not self._router.thinking:
            self.thinking.set_live(False)
            if self._following():  # fold it away, unless the user scrolled up to read it
                self.thinking.set_expanded(False)
        if answer:
            self._stream.append_plain(answer)

    # --- the final render ------------------------------------------------------------------------------------

    def render_final(self) -> None:
        """Replace the streamed plain text with the message rendered once (Markdown for the assistant)."""
        self.render(self.node.content, markdown=self.node.role == "assistant")

    def render(self, text: str, markdown: bool) -> None:
        """Show ``text`` rendered once, keeping the line the user was reading where it is on the screen."""
        if self._router is not None:
            self._show_streamed(*self._router.flush())
            self._stream.setProperty("plainLines", True)
            self._stream.setProperty("firstLine", split_thinking(text).answer_line if markdown else 0)
        anchor = self._reading_anchor()
        expanded = self.thinking.expanded if self.thinking is not None else False
        try:
            self._render(text, markdown, expanded)
        except Exception:  # noqa: BLE001 - stored text must never stop the window; show it as it is
            log.exception("could not render a message of %d characters; showing it as plain text", len(text))
            self.clear()
            self._plain(text, 0)
        if anchor is not None:
            self._restore(anchor)

    def _render(self, text: str, markdown: bool, expanded: bool) -> None:
        self.clear()
        if not markdown:
            self._plain(text, 0)
            return
        parts = split_thinking(text)
        if parts.thinking is not None:
            self.thinking = ThinkingSection(parts.thinking)
            self.thinking.set_expanded(expanded)
            self.layout_.addWidget(self.thinking)
        budget = MARKDOWN_BUDGET
        for block in split_blocks(parts.answer):
            line = parts.answer_line + block.line
            if block.kind == "code":
                code = CodeBlock(block.text, block.language)
                code.setProperty("sourceLine", line)
                self.layout_.addWidget(code)
                continue
            if len(block.text) <= budget:
                prose = self._view("Message text")
                prose.set_markdown(block.text, line)
                budget -= len(block.text)
            else:
                prose = self._plain(block.text, line)
                if self.note is None:
                    self.note = QLabel(f"This reply is long: only its first {MARKDOWN_BUDGET:,} characters of "
                                       "text are formatted; the rest is shown as it was written.")
                    self.note.setObjectName("messageNote")
                    self.note.setWordWrap(True)
                    self.layout_.insertWidget(self.layout_.indexOf(prose), self.note)

    def clear(self) -> None:
        while self.layout_.count():
            widget = self.layout_.takeAt(0).widget()
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.thinking = self._stream = self._router = self.note = None

    def _plain(self, text: str, first_line: int) -> SafeBrowser:
        view = self._view("Message text")
        render_plain(view.document(), text, first_line)
        view.setProperty("plainLines", True)  # one block per source line
        view.setProperty("firstLine", first_line)
        return view

    def _view(self, name: str) -> SafeBrowser:
        view = SafeBrowser()
        view.setAccessibleName(name)
        self.layout_.addWidget(view)
        return view

    # --- what is shown ---------------------------------------------------------------------------------------

    def text_widgets(self) -> list[QWidget]:
        """The views that show the answer (not the thinking section), top to bottom."""
        widgets = [self.layout_.itemAt(i).widget() for i in range(self.layout_.count())]
        return [w for w in widgets if isinstance(w, (SafeBrowser, CodeBlock))]

    def shown_text(self) -> str:
        return "\n".join(w.toPlainText() if isinstance(w, SafeBrowser) else w.text.toPlainText()
                         for w in self.text_widgets())

    # --- keeping the reader's place --------------------------------------------------------------------------

    def _scroll_area(self) -> QScrollArea | None:
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        return parent

    def _following(self) -> bool:
        area = self._scroll_area()
        if area is None:
            return True
        bar = area.verticalScrollBar()
        return bar.value() >= bar.maximum() - FOLLOW_SLACK_PX

    def _reading_anchor(self) -> tuple[int, int] | None:
        """(source line at the top of the scroll area, its distance from that top), when the top is inside
        this message and the view is not following the stream (then the chat keeps to the end anyway)."""
        area = self._scroll_area()
        if area is None or self._following():
            return None
        top = self.mapFrom(area.widget(), QPoint(0, area.verticalScrollBar().value())).y()
        if not 0 <= top < self.height():
            return None
        for widget in self.text_widgets():
            if widget.y() <= top < widget.y() + widget.height():
                line, line_top = _line_at(widget, top - widget.y())
                return line, widget.y() + line_top - top
        return None

    def _restore(self, anchor: tuple[int, int]) -> None:
        area = self._scroll_area()
        if area is None:
            return
        area.widget().layout().activate()
        line, offset = anchor
        best = None
        for widget in self.text_widgets():
            first = _first_line(widget)
            if first is not None and first <= line:
                best = widget
        if best is None:
            return
        y = best.y() + _line_top(best, line)
        target = self.mapTo(area.widget(), QPoint(0, y)).y() - offset
        area.verticalScrollBar().setValue(target)


def _first_line(widget: QWidget) -> int | None:
    if isinstance(widget, CodeBlock):
        return widget.property("sourceLine")
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
    best, block = document.firstBlock(), document.firstBlock()
    while block.isValid():
        if 0 <= block.userState() <= line:
            best = block
        elif block.userState() > line:
            break
        block = block.next()
    return int(document.documentLayout().blockBoundingRect(best).top())
