"""Colours for the chat, derived from the current palette so light and dark OS themes both look right."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

ERROR_RED = QColor("#d32f2f")


def _mix(a: QColor, b: QColor, share_of_a: float) -> str:
    mixed = QColor.fromRgbF(*(share_of_a * x + (1 - share_of_a) * y
                              for x, y in zip(a.getRgbF()[:3], b.getRgbF()[:3])))
    return mixed.name()


def style_sheet(palette: QPalette) -> str:
    base = palette.color(QPalette.ColorRole.Base)
    text = palette.color(QPalette.ColorRole.Text)
    accent = palette.color(QPalette.ColorRole.Highlight)
    muted = palette.color(QPalette.ColorRole.PlaceholderText).name()
    return f"""
    #chatColumn, #chatScroll {{ background: {base.name()}; }}
    #userBubble {{ background: {_mix(accent, base, 0.16)}; border: 1px solid {_mix(accent, base, 0.35)};
                   border-radius: 10px; }}
    #assistantBubble {{ background: {_mix(text, base, 0.045)}; border: 1px solid {_mix(text, base, 0.12)};
                        border-radius: 10px; }}
    #roleLabel {{ font-weight: 600; }}
    #alternativeLabel, #messageNote, #emptyHint, #codeLanguage {{ color: {muted}; }}
    #messageNote {{ font-style: italic; }}
    #codeBlock {{ background: {_mix(text, base, 0.09)}; border-radius: 6px; }}
    #errorBanner {{ background: {_mix(ERROR_RED, base, 0.14)}; border: 1px solid {ERROR_RED.name()};
                    border-radius: 6px; }}
    #welcomeTitle, #panelHeading {{ font-size: 15pt; font-weight: 600; }}
    #panelHeading {{ font-size: 12pt; }}
    """
