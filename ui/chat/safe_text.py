"""Text views for untrusted model output: they never load a resource and never follow a link by themselves.

A model can write ``![x](file:///home/...)`` or raw HTML; ``SafeBrowser`` answers every
resource request with an empty placeholder (returning nothing would let QTextDocument
read local files itself), renders Markdown with raw HTML switched off, and opens only
web links, only when the user clicks them.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QUrl, Qt
from PySide6.QtGui import QDesktopServices, QImage, QTextCursor, QTextDocument
from PySide6.QtWidgets import QFrame, QSizePolicy, QTextBrowser, QWidget

MARKDOWN_FEATURES = (QTextDocument.MarkdownFeature.MarkdownDialectGitHub
                     | QTextDocument.MarkdownFeature.MarkdownNoHTML)
CLICKABLE_SCHEMES = ("http", "https", "mailto")


class SafeBrowser(QTextBrowser):
    """A read-only text view that grows to fit its text (the chat's scroll area does the scrolling)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self._on_anchor_clicked)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.viewport().setAutoFillBackground(False)
        self.setStyleSheet("QTextBrowser { background: transparent; }")
        self.document().setDocumentMargin(2)
        self.document().documentLayout().documentSizeChanged.connect(self._on_size_changed)
        self._on_size_changed()

    def set_markdown(self, text: str) -> None:
        self.document().setMarkdown(text, MARKDOWN_FEATURES)

    def append_plain(self, text: str) -> None:
        """Add streamed text at the end with one insert (no re-layout of what is already there)."""
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text)

    def loadResource(self, kind: int, url: QUrl) -> object:  # noqa: N802 - Qt override
        if kind == QTextDocument.ResourceType.ImageResource.value:
            image = QImage(1, 1, QImage.Format.Format_ARGB32)
            image.fill(Qt.GlobalColor.transparent)
            return image
        return QByteArray()

    def _on_anchor_clicked(self, url: QUrl) -> None:
        if url.scheme().lower() in CLICKABLE_SCHEMES:
            QDesktopServices.openUrl(url)

    def _on_size_changed(self, *_: object) -> None:
        height = int(self.document().size().height()) + 2 * self.frameWidth() + 2
        if height != self.height():
            self.setFixedHeight(height)
