"""The text of one message: plain text while a reply streams, rendered once when it ends (Markdown for replies).

Kept apart from the message card (``message_widget``: layout, buttons, labels) so how a message's text is
rendered can change without touching the card.
"""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from ui.chat.code_block import CodeBlock
from ui.chat.conversation_model import Node
from ui.chat.markdown_blocks import split_blocks
from ui.chat.safe_text import SafeBrowser


class MessageBody(QWidget):
    def __init__(self, node: Node, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.node = node
        self._stream: SafeBrowser | None = None
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(6)

    @property
    def streaming(self) -> bool:
        return self._stream is not None

    def start_stream(self) -> None:
        """Show the reply's text so far as plain text; ``append_text`` adds to it."""
        self._clear()
        self._stream = SafeBrowser()
        self._stream.setAccessibleName("Reply text")
        self.layout_.addWidget(self._stream)
        if self.node.content:
            self._stream.append_plain(self.node.content)

    def append_text(self, text: str) -> None:
        assert self._stream is not None, "text arrived for a message that is not streaming"
        self._stream.append_plain(text)

    def text_widgets(self) -> list[QWidget]:
        return [self.layout_.itemAt(i).widget() for i in range(self.layout_.count())]

    def render_final(self) -> None:
        """Replace the streamed plain text with the message rendered once (Markdown for the assistant)."""
        blocks = split_blocks(self.node.content) if self.node.role == "assistant" else []
        stream, self._stream = self._stream, None
        if stream is not None and len(blocks) == 1 and blocks[0].kind == "text":
            stream.set_markdown(blocks[0].text)  # prose only: the streaming view can show it as it is
            stream.setAccessibleName("Message text")
            return
        self._clear()
        if self.node.role == "assistant":
            for block in blocks:
                self.layout_.addWidget(CodeBlock(block.text, block.language) if block.kind == "code"
                                       else self._prose(block.text, markdown=True))
        else:
            self.layout_.addWidget(self._prose(self.node.content, markdown=False))

    def _prose(self, text: str, markdown: bool) -> SafeBrowser:
        view = SafeBrowser()
        view.setAccessibleName("Message text")
        if markdown:
            view.set_markdown(text)
        else:
            view.setPlainText(text)
        return view

    def _clear(self) -> None:
        while self.layout_.count():
            widget = self.layout_.takeAt(0).widget()
            if widget is not None:
                widget.hide()
                widget.deleteLater()
