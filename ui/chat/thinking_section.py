"""A reasoning model's thinking: a "Thinking" header that folds the text away, shown live while it streams.

While the model thinks, its text streams in as written (line breaks kept, code in the code font);
when the thinking ends, it is rendered as Markdown like the answer, in the muted colour.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QToolButton, QVBoxLayout, QWidget

from ui.chat.markdown_blocks import MARKDOWN_BUDGET, cut_at_budget
from ui.chat.render.plain_text import render_plain
from ui.chat.render.streamed_text import StreamedText
from ui.chat.render.style import RenderStyle
from ui.chat.safe_text import SafeBrowser


class ThinkingSection(QFrame):
    """Muted text behind a toggle; collapsed unless it is live.

    Its view knows the source lines it shows, as the answer's views do (``body_anchor``): while it
    streams, one block per line from ``first_line``; once rendered, each block's line in ``userState``.
    """

    def __init__(self, text: str = "", first_line: int = 0, live: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("thinkingSection")
        self.toggle = QToolButton()
        self.toggle.setObjectName("thinkingToggle")
        self.toggle.setCheckable(True)
        self.toggle.setAutoRaise(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setAccessibleName("Thinking")
        self.toggle.setToolTip("Show or hide what the model wrote before its answer")
        self.toggle.toggled.connect(self._on_toggled)
        self.toggle.setStyleSheet("QToolButton { border: none; padding: 2px 0; }")
        self.text = SafeBrowser()
        self.text.setAccessibleName("Thinking text")
        self.body = QFrame()
        self.body.setObjectName("thinkingBody")
        self._mute(RenderStyle.current())
        body = QHBoxLayout(self.body)
        body.setContentsMargins(10, 0, 0, 0)
        body.addWidget(self.text)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.body)
        self._streamed = StreamedText(self.text.document())
        self.rendered = False  # shown as Markdown (or still as streamed)
        if text:
            self.show_markdown(text, first_line)
        self.set_live(live)
        self.toggle.setChecked(live)
        self._on_toggled(live)

    def _mute(self, style: RenderStyle) -> None:
        """Its text and the bar beside it in the theme's muted colour (the bar first: a new style sheet gives
        the text inside the palette it had before the style sheet's last change)."""
        self.body.setStyleSheet(f"#thinkingBody {{ border: none; border-left: 2px solid {style.muted.name()}; }}")
        palette = self.text.palette()
        palette.setColor(QPalette.ColorRole.Text, style.muted)
        self.text.setPalette(palette)

    def restyle(self, style: RenderStyle) -> None:
        """The theme changed: the text and bar take ``style``'s muted colour, and so do the fence lines of
        thinking that still streams."""
        self._mute(style)
        if not self.rendered:
            self._streamed.restyle(style)

    def set_live(self, live: bool) -> None:
        self.live = live
        self.toggle.setText("Thinking…" if live else "Thinking")

    def append(self, text: str) -> None:
        """Add streamed thinking at the end, as written."""
        self._streamed.append(text)

    def number_streamed_lines(self, first_line: int) -> None:
        """The streamed text starts on source line ``first_line`` of the reply."""
        self.text.setProperty("plainLines", True)
        self.text.setProperty("firstLine", first_line)

    def show_markdown(self, text: str, first_line: int) -> None:
        """Show ``text`` (the whole thinking, starting on source line ``first_line``) rendered as Markdown;
        past ``MARKDOWN_BUDGET`` characters, the rest as written."""
        formatted, rest, rest_line = cut_at_budget(text, MARKDOWN_BUDGET)
        self.text.set_markdown(formatted, first_line)
        if rest:
            render_plain(self.text.document(), rest, first_line + rest_line)
        self.text.setProperty("plainLines", False)
        self.rendered = True

    def plain_text(self) -> str:
        return self.text.toPlainText()

    @property
    def expanded(self) -> bool:
        return self.toggle.isChecked()

    def set_expanded(self, expanded: bool) -> None:
        self.toggle.setChecked(expanded)

    def _on_toggled(self, expanded: bool) -> None:
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self.body.setVisible(expanded)
