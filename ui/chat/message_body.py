"""The text of one message: plain text while it streams, rendered once when it ends, in place.

Kept apart from the message card (``message_widget``: layout, buttons, labels) so how a message's text is
rendered can change without touching the card.

While streaming, each chunk is added at the end of a plain view (line breaks kept and code
fences in the code font, so it already reads like the result), and ``<think>`` text goes to a
live Thinking section, rendered as Markdown when the thinking ends.  When the reply ends, the
text is rendered once: prose as Markdown, each fenced code block as its own widget.  The line
the user was reading stays where it was on screen: every rendered block knows the source line
it came from.

Cost is linear in the text: code blocks and plain text skip the Markdown parser, and only the
first ``MARKDOWN_BUDGET`` characters of prose are formatted; the rest of a long reply (a pasted
log) is shown as plain text with a note.  A message opens on its first ``SHOWN_LIMIT``
characters, with a button for the rest, so opening a 2 MB reply costs what 500 kB costs.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from ui.chat.body_anchor import following, reading_anchor, restore_anchor
from ui.chat.code_block import CodeBlock
from ui.chat.conversation_model import Node
from ui.chat.markdown_blocks import MARKDOWN_BUDGET, cut_at_budget, split_blocks
from ui.chat.render.plain_text import render_plain
from ui.chat.render.streamed_text import StreamedText
from ui.chat.render.style import RenderStyle
from ui.chat.render.thinking import Parts, ThinkingStream, split_thinking
from ui.chat.safe_text import SafeBrowser
from ui.chat.thinking_section import ThinkingSection

log = logging.getLogger(__name__)

SHOWN_LIMIT = 500_000      # characters shown when a message opens (a 10,000-line log fits); the rest on request


class MessageBody(QWidget):
    def __init__(self, node: Node, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.node = node
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(8)
        self.thinking: ThinkingSection | None = None
        self._stream: SafeBrowser | None = None
        self._streamed: StreamedText | None = None  # writes into ``_stream``
        self._router: ThinkingStream | None = None
        self._answer: list[str] = []  # the answer as streamed, in case it turns out to have been thinking
        self._answer_started = False
        self.note: QLabel | None = None
        self.show_all_button: QPushButton | None = None
        self._limited = True  # until the user asks for the whole of a huge message

    # --- streaming -------------------------------------------------------------------------------------------

    @property
    def streaming(self) -> bool:
        return self._router is not None

    def start_stream(self) -> None:
        """Show the reply's text so far as plain text; ``append_text`` adds to it."""
        self.clear()
        self._router = ThinkingStream()
        self._stream = self._view("Reply text")
        self._streamed = StreamedText(self._stream.document())
        if self.node.content:
            self.append_text(self.node.content)

    def append_text(self, text: str) -> None:
        assert self._router is not None and self._stream is not None, "text for a message that is not streaming"
        thinking, answer = self._router.feed(text)
        self._show_streamed(thinking, answer)

    def _show_streamed(self, thinking: str, answer: str) -> None:
        if self._router.earlier_was_thinking:  # an R1-shaped reply just closed a section it never opened
            self._router.earlier_was_thinking = False
            thinking = "".join(self._answer) + thinking
            self._answer.clear()
            self._stream.clear()
            self._streamed = StreamedText(self._stream.document())
            self._answer_started = False
        if self.thinking is None or not self.thinking.plain_text():
            thinking = thinking.lstrip("\n")  # a section never starts with blank lines
        if not self._answer_started:
            answer = answer.lstrip("\n")
            self._answer_started = bool(answer)
        if thinking:
            if self.thinking is None:
                self.thinking = ThinkingSection(live=True)
                self.layout_.insertWidget(0, self.thinking)
            self.thinking.append(thinking)
        if self.thinking is not None and self.thinking.live and not self._router.thinking:
            self.thinking.set_live(False)
            if following(self):  # fold it away, unless the user scrolled up to read it
                self.thinking.set_expanded(False)
            self._render_thinking()
        if answer:
            if self.thinking is None:
                self._answer.append(answer)
            self._streamed.append(answer)

    def restyle_stream(self) -> None:
        """The theme changed while the reply streams: the text shown so far takes the new colours where it is
        (a rendered thinking is rendered again), and the text to come is shown in them."""
        style = RenderStyle.current()
        self._streamed.restyle(style)
        if self.thinking is not None:
            self.thinking.restyle(style)
            if self.thinking.rendered:
                self._render_thinking()

    def _render_thinking(self) -> None:
        """The thinking has ended while the answer streams: render it as Markdown, keeping the line being read."""
        parts = split_thinking(self.node.content)
        self._number_streamed_lines(parts)
        anchor = reading_anchor(self)
        self.thinking.show_markdown(parts.thinking or "", parts.thinking_line)
        if anchor is not None:
            restore_anchor(self, anchor)

    def _number_streamed_lines(self, parts: Parts) -> None:
        """Tell the streamed views which source lines they show, so the line being read can be found again."""
        self._stream.setProperty("plainLines", True)
        self._stream.setProperty("firstLine", parts.answer_line)
        if self.thinking is not None and not self.thinking.rendered:
            self.thinking.number_streamed_lines(parts.thinking_line)

    # --- the final render ------------------------------------------------------------------------------------

    def render_final(self) -> None:
        """Replace the streamed plain text with the message rendered once (Markdown for the assistant)."""
        self.render(self.node.content, markdown=self.node.role == "assistant")

    def render(self, text: str, markdown: bool) -> None:
        """Show ``text`` rendered once, keeping the line the user was reading where it is on the screen."""
        if self._router is not None:
            self._show_streamed(*self._router.flush())
            self._number_streamed_lines(split_thinking(text) if markdown else Parts(None, text))
        anchor = reading_anchor(self)
        expanded = self.thinking.expanded if self.thinking is not None else False
        # Built hidden and shown once: each view shown on its own in a visible message lays out the message and
        # every layout above it again, so a reply of n views cost n layouts of n views.
        visible = self.isVisible()
        if visible:
            self.hide()
        try:
            self._render(text, markdown, expanded, SHOWN_LIMIT if self._limited else None)
        except Exception:  # noqa: BLE001 - stored text must never stop the window; show it as it is
            log.exception("could not render a message of %d characters; showing it as plain text", len(text))
            self.clear()
            self._plain(text, 0)
        if visible:
            self.show()
        if anchor is not None:
            restore_anchor(self, anchor)

    def _render(self, text: str, markdown: bool, expanded: bool, limit: int | None) -> None:
        self.clear()
        if limit is not None and len(text) > limit:
            text, rest = _cut(text, limit)
        else:
            rest = 0
        if not markdown:
            self._plain(text, 0)
        else:
            self._render_markdown(text, expanded)
        if rest:
            self._add_show_all(rest)

    def _add_show_all(self, rest: int) -> None:
        """A huge reply opens on its first ``SHOWN_LIMIT`` characters; the rest is one click away."""
        button = QPushButton(f"Show the remaining {rest:,} characters")
        button.setObjectName("showAllButton")
        button.setAccessibleName("Show the whole message")
        button.setToolTip("This message is very long: showing all of it takes a moment")
        button.clicked.connect(self._on_show_all_clicked)
        self.layout_.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
        self.show_all_button = button

    def _on_show_all_clicked(self) -> None:
        self._limited = False
        self.render_final()

    def _render_markdown(self, text: str, expanded: bool) -> None:
        parts = split_thinking(text)
        if parts.thinking is not None:
            self.thinking = ThinkingSection(parts.thinking, parts.thinking_line)
            self.thinking.set_expanded(expanded)
            self.layout_.addWidget(self.thinking)
        budget = MARKDOWN_BUDGET
        for block in split_blocks(parts.answer):
            line = parts.answer_line + block.line
            if block.kind == "code":
                code = CodeBlock(block.text, block.language, self)
                code.setProperty("sourceLine", line)
                self.layout_.addWidget(code)
                continue
            formatted, rest, rest_line = cut_at_budget(block.text, budget)  # the rest is shown as written
            if formatted:
                self._view("Message text").set_markdown(formatted, line)
                budget -= len(formatted)
            if rest:
                budget = 0
                prose = self._plain(rest, line + rest_line)
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
        self.thinking = self._stream = self._streamed = self._router = self.note = self.show_all_button = None
        self._answer = []
        self._answer_started = False

    def _plain(self, text: str, first_line: int) -> SafeBrowser:
        view = self._view("Message text")
        render_plain(view.document(), text, first_line)
        view.setProperty("plainLines", True)  # one block per source line
        view.setProperty("firstLine", first_line)
        return view

    def _view(self, name: str) -> SafeBrowser:
        view = SafeBrowser(self)  # made in its place: moving a widget into a new parent costs it again
        view.ensurePolished()  # the window's style sheet sets its font (the text size) before any text is in
        view.setAccessibleName(name)
        self.layout_.addWidget(view)
        return view

    # --- what is shown ---------------------------------------------------------------------------------------

    def text_widgets(self) -> list[QWidget]:
        """The views that show the answer (not the thinking section), top to bottom."""
        widgets = [self.layout_.itemAt(i).widget() for i in range(self.layout_.count())]
        return [w for w in widgets if isinstance(w, (SafeBrowser, CodeBlock))]

    def reading_views(self) -> list[QWidget]:
        """The views the line being read can be in, top to bottom: the thinking (when open), then the answer."""
        views = self.text_widgets()
        if self.thinking is not None and self.thinking.expanded:
            views.insert(0, self.thinking.text)
        return views

    def shown_text(self) -> str:
        return "\n".join(w.toPlainText() if isinstance(w, SafeBrowser) else w.text.toPlainText()
                         for w in self.text_widgets())


def _cut(text: str, limit: int) -> tuple[str, int]:
    """The first ``limit`` characters of ``text``, ended at a line break, and how many are left out."""
    end = text.rfind("\n", 0, limit)
    end = limit if end < limit // 2 else end
    return text[:end], len(text) - end
