"""How one conversation is drawn in the sidebar: its title, and while searching the matching text with the match
marked, so a user sees why a conversation was found."""

from __future__ import annotations

import html

from PySide6.QtCore import QModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QAbstractTextDocumentLayout, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

SNIPPET_ROLE = Qt.ItemDataRole.UserRole + 1
NEEDLE_ROLE = Qt.ItemDataRole.UserRole + 2


def highlighted_html(text: str, needle: str) -> str:
    """``text`` as HTML with every case-insensitive occurrence of ``needle`` in bold and underlined."""
    if not needle:
        return html.escape(text)
    lower, find, parts, start = text.lower(), needle.lower(), [], 0
    while (at := lower.find(find, start)) >= 0:
        parts.append(html.escape(text[start:at]))
        parts.append(f"<b><u>{html.escape(text[at:at + len(needle)])}</u></b>")
        start = at + len(needle)
    parts.append(html.escape(text[start:]))
    return "".join(parts)


def near_match(text: str, needle: str, before: int = 12) -> str:
    """``text`` starting a few characters before the match, so a narrow sidebar still shows the match."""
    at = text.lower().find(needle.lower()) if needle else -1
    return text if at <= before + 1 else "…" + text[at - before:].lstrip()


class ConversationDelegate(QStyledItemDelegate):
    """Title on the first line (elided); the snippet, when there is one, on a second, muted line."""

    def _document(self, option: QStyleOptionViewItem, index: QModelIndex) -> QTextDocument | None:
        snippet = index.data(SNIPPET_ROLE)
        if not snippet:
            return None
        document = QTextDocument()
        document.setDefaultFont(option.font)
        document.setDocumentMargin(0)
        needle = index.data(NEEDLE_ROLE) or ""
        document.setHtml(highlighted_html(near_match(" ".join(snippet.split()), needle), needle))
        return document

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802 - Qt override
        size = super().sizeHint(option, index)
        if index.data(SNIPPET_ROLE):
            size.setHeight(size.height() + option.fontMetrics.height() + 2)
        return size

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        snippet_doc = self._document(option, index)
        if snippet_doc is None:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text_rect = opt.rect.adjusted(8, 4, -8, -4)
        opt.text = ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        group = QPalette.ColorGroup.Normal
        title_color = opt.palette.color(group, QPalette.ColorRole.Text)
        muted = opt.palette.color(group, QPalette.ColorRole.PlaceholderText)
        if selected and opt.palette.color(QPalette.ColorRole.Highlight).lightness() > 200:  # high contrast
            title_color = muted = opt.palette.color(group, QPalette.ColorRole.HighlightedText)
        metrics = opt.fontMetrics
        title = metrics.elidedText(index.data(Qt.ItemDataRole.DisplayRole) or "", Qt.TextElideMode.ElideRight,
                                   text_rect.width())
        painter.save()
        painter.setPen(title_color)
        painter.drawText(text_rect.adjusted(0, 0, 0, -metrics.height()), Qt.AlignmentFlag.AlignLeft, title)
        painter.translate(text_rect.left(), text_rect.top() + metrics.height() + 2)
        snippet_doc.setTextWidth(-1)
        clip = QRectF(0, 0, text_rect.width(), metrics.height() + 2)
        context = QAbstractTextDocumentLayout.PaintContext()
        context.palette.setColor(QPalette.ColorRole.Text, muted)
        context.clip = clip
        painter.setClipRect(clip)
        snippet_doc.documentLayout().draw(painter, context)
        painter.restore()
