"""The colours and sizes a rendered message uses, taken from the palette so light, dark and high-contrast all work."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont, QFontMetricsF, QGuiApplication, QPalette

PARAGRAPH_GAP_LINES = 0.7  # between blocks: about two-thirds of a line
ITEM_GAP_LINES = 0.2       # between the items of a tight list
HEADING_GAP_LINES = 1.0    # above a heading
AFTER_HEADING_LINES = 0.4  # below a heading: it belongs to what follows
CELL_PADDING = 6
CODE_TEXT_INSET = 8  # px from the left of a message's text to the text of a code block (its frame and padding)


@dataclass(frozen=True)
class Gaps:
    """Vertical space between blocks in px, in proportion to the text's line height, so a larger text size
    keeps paragraphs as far apart as they look at the usual size."""

    paragraph: int
    item: int
    heading: int
    after_heading: int

    @classmethod
    def for_font(cls, font: QFont) -> "Gaps":
        line = QFontMetricsF(font).height()
        return cls(*(round(share * line) for share in (PARAGRAPH_GAP_LINES, ITEM_GAP_LINES, HEADING_GAP_LINES,
                                                       AFTER_HEADING_LINES)))


def mix(a: QColor, b: QColor, share_of_a: float) -> QColor:
    return QColor.fromRgbF(*(share_of_a * x + (1 - share_of_a) * y
                             for x, y in zip(a.getRgbF()[:3], b.getRgbF()[:3])))


@dataclass(frozen=True)
class RenderStyle:
    text: QColor
    muted: QColor
    link: QColor
    code_background: QColor
    quote_bar: QColor
    rule: QColor
    header_background: QColor
    dark: bool

    @classmethod
    def current(cls) -> "RenderStyle":
        """From the application's palette: a text view's own palette has the transparent base its style
        sheet gives it, which would make every mixed colour nearly black."""
        return cls.from_palette(QGuiApplication.palette())

    @classmethod
    def from_palette(cls, palette: QPalette) -> "RenderStyle":
        base = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        return cls(text=text, muted=palette.color(QPalette.ColorRole.PlaceholderText),
                   link=palette.color(QPalette.ColorRole.Link), code_background=mix(text, base, 0.09),
                   quote_bar=mix(text, base, 0.3), rule=mix(text, base, 0.2),
                   header_background=mix(text, base, 0.06), dark=base.lightness() < 128)
