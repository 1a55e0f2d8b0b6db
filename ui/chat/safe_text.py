"""Text views for untrusted model output: they never load a resource and never follow a link by themselves.

A model can write ``![x](file:///home/...)`` or raw HTML; ``SafeBrowser`` answers every
resource request with an empty placeholder (returning nothing would let QTextDocument
read local files itself), renders Markdown with raw HTML switched off (``render/``), and
opens only web links, only when the user clicks them; hovering a link shows where it goes.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QMimeData, QUrl, Qt
from PySide6.QtGui import QCursor, QDesktopServices, QImage, QPalette, QTextDocument
from PySide6.QtWidgets import QFrame, QSizePolicy, QTextBrowser, QToolTip, QWidget

from ui.chat.render.markdown_document import render_markdown
from ui.chat.render.plain_text import BREAK_OPPORTUNITY, shown
from ui.chat.render.style import RenderStyle

CLICKABLE_SCHEMES = ("http", "https", "mailto")
INDENT_PX = 24


class SafeBrowser(QTextBrowser):
    """A read-only text view that grows to fit its text (the chat's scroll area does the vertical scrolling)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self._on_anchor_clicked)
        self.highlighted.connect(self._on_link_hovered)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.viewport().setAutoFillBackground(False)
        # Transparent through the palette, not a style sheet of its own: a widget's own style sheet costs a
        # style object and a polish of the widget and its children each, and a reply can hold hundreds of views.
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Base, Qt.GlobalColor.transparent)
        self.setPalette(palette)
        document = self.document()
        document.setUndoRedoEnabled(False)
        document.setDocumentMargin(2)
        document.setIndentWidth(INDENT_PX)
        document.documentLayout().documentSizeChanged.connect(self._on_size_changed)
        self._on_size_changed()

    def set_markdown(self, text: str, first_line: int = 0) -> None:
        self.document().clear()
        render_markdown(self.document(), text, RenderStyle.current(), first_line)

    def loadResource(self, kind: int, url: QUrl) -> object:  # noqa: N802 - Qt override
        if kind == QTextDocument.ResourceType.ImageResource.value:
            image = QImage(1, 1, QImage.Format.Format_ARGB32)
            image.fill(Qt.GlobalColor.transparent)
            return image
        return QByteArray()

    def createMimeDataFromSelection(self) -> QMimeData:  # noqa: N802 - Qt override
        """Copy what is shown, without the break opportunities the renderer added to long words."""
        data = QMimeData()
        data.setText(self.textCursor().selection().toPlainText().replace(BREAK_OPPORTUNITY, ""))
        return data

    def _on_anchor_clicked(self, url: QUrl) -> None:
        if url.scheme().lower() in CLICKABLE_SCHEMES:
            QDesktopServices.openUrl(url)

    def _on_link_hovered(self, url: QUrl) -> None:
        """A link's text can say anything; its address is what opens."""
        if url.isEmpty():
            QToolTip.hideText()
        else:
            QToolTip.showText(QCursor.pos(), shown(url.toString()), self)

    def _on_size_changed(self, *_: object) -> None:
        height = int(self.document().size().height()) + 2 * self.frameWidth() + 2
        bar = self.horizontalScrollBar()
        if (self.horizontalScrollBarPolicy() != Qt.ScrollBarPolicy.ScrollBarAlwaysOff
                and self.document().size().width() > self.viewport().width()):
            height += bar.sizeHint().height()
        if height != self.height():
            self.setFixedHeight(height)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self.horizontalScrollBarPolicy() != Qt.ScrollBarPolicy.ScrollBarAlwaysOff:
            self._on_size_changed()  # a narrower view may now need the horizontal bar
