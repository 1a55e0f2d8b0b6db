"""Colours for the chat, derived from the current palette so light and dark OS themes both look right."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

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


def _dark_palette() -> QPalette:
    palette = QPalette()
    roles = QPalette.ColorRole
    for role, color in ((roles.Window, "#202124"), (roles.WindowText, "#e8eaed"), (roles.Base, "#18191b"),
                        (roles.AlternateBase, "#26272a"), (roles.Text, "#e8eaed"), (roles.Button, "#2d2e31"),
                        (roles.ButtonText, "#e8eaed"), (roles.Highlight, "#3b82f6"),
                        (roles.HighlightedText, "#ffffff"), (roles.PlaceholderText, "#9aa0a6"),
                        (roles.ToolTipBase, "#2d2e31"), (roles.ToolTipText, "#e8eaed"), (roles.Link, "#8ab4f8"),
                        (roles.Mid, "#3c4043"), (roles.Dark, "#111214"), (roles.Light, "#3c4043")):
        palette.setColor(role, QColor(color))
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#80868b"))
    return palette


def follow_color_scheme(app: QApplication) -> None:
    """Match the OS light/dark setting where the platform's palette does not switch by itself (e.g. Fusion).

    An unknown scheme (the platform does not say) leaves the palette as it is.
    """
    scheme = app.styleHints().colorScheme()
    if scheme != Qt.ColorScheme.Unknown:
        use_dark_palette(app, scheme == Qt.ColorScheme.Dark)


def use_dark_palette(app: QApplication, dark: bool) -> None:
    dark_now = app.palette().color(QPalette.ColorRole.Window).lightness() < 128
    if dark and not dark_now:
        app.setPalette(_dark_palette())
    elif not dark and dark_now:
        app.setPalette(app.style().standardPalette())
