"""The window's look: three colour schemes (light, dark, high contrast) as a palette plus one style sheet.

Every colour comes from a ``Scheme``; the palette carries them to Qt's own drawing (Fusion) and the
style sheet adds what Fusion cannot do on a dark background: visible input borders, checkbox boxes that
show when unticked, rounded composer and buttons, a thin scroll bar.  The chat's text views keep no
colours of their own, so a switch repaints everything (links included) from the new palette.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

ERROR_RED = QColor("#d32f2f")
THEMES = {"system": "Follow the system", "light": "Light", "dark": "Dark", "high_contrast": "High contrast"}


@dataclass(frozen=True)
class Scheme:
    name: str
    window: str        # sidebar, settings panel, top bar
    base: str          # the chat and input fields
    raised: str        # user bubble, composer, code
    text: str
    muted: str
    border: str        # input fields, checkboxes, separators
    accent: str
    accent_text: str
    link: str
    hover: str
    border_px: int = 1

    @property
    def dark(self) -> bool:
        return QColor(self.base).lightness() < 128


LIGHT = Scheme("light", window="#f5f5f7", base="#ffffff", raised="#f0f1f4", text="#1f2328", muted="#5f6670",
               border="#c3c8cf", accent="#2563eb", accent_text="#ffffff", link="#1a56db", hover="#e6e8ec")
DARK = Scheme("dark", window="#18191b", base="#212226", raised="#2e3035", text="#ececf1", muted="#a1a6ae",
              border="#5b6068", accent="#3b82f6", accent_text="#ffffff", link="#8ab4f8", hover="#34363b")
HIGH_CONTRAST = Scheme("high_contrast", window="#000000", base="#000000", raised="#000000", text="#ffffff",
                       muted="#ffffff", border="#ffffff", accent="#ffd400", accent_text="#000000", link="#7cf7ff",
                       hover="#303030", border_px=2)
SCHEMES = {scheme.name: scheme for scheme in (LIGHT, DARK, HIGH_CONTRAST)}


def scheme_for(theme: str, app: QApplication | None = None) -> Scheme:
    """The scheme a theme choice means now; "system" follows the OS light/dark setting (light if unknown)."""
    if theme in SCHEMES:
        return SCHEMES[theme]
    app = app or QApplication.instance()
    return DARK if app is not None and app.styleHints().colorScheme() == Qt.ColorScheme.Dark else LIGHT


def palette_for(scheme: Scheme) -> QPalette:
    palette = QPalette()
    roles = QPalette.ColorRole
    for role, color in ((roles.Window, scheme.window), (roles.WindowText, scheme.text), (roles.Base, scheme.base),
                        (roles.AlternateBase, scheme.raised), (roles.Text, scheme.text),
                        (roles.Button, scheme.raised), (roles.ButtonText, scheme.text),
                        (roles.Highlight, scheme.accent), (roles.HighlightedText, scheme.accent_text),
                        (roles.PlaceholderText, scheme.muted), (roles.ToolTipBase, scheme.raised),
                        (roles.ToolTipText, scheme.text), (roles.Link, scheme.link), (roles.LinkVisited, scheme.link),
                        (roles.BrightText, scheme.text), (roles.Mid, scheme.border), (roles.Midlight, scheme.hover),
                        (roles.Dark, scheme.border), (roles.Light, scheme.raised), (roles.Shadow, scheme.border)):
        palette.setColor(role, QColor(color))
    disabled = QColor(_mix(scheme.text, scheme.base, 0.45))
    for role in (roles.WindowText, roles.Text, roles.ButtonText, roles.PlaceholderText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return palette


def apply_scheme(app: QApplication, scheme: Scheme) -> None:
    app.setPalette(palette_for(scheme))


def _mix(a: str, b: str, share_of_a: float) -> str:
    ca, cb = QColor(a), QColor(b)
    mixed = QColor.fromRgbF(*(share_of_a * x + (1 - share_of_a) * y
                              for x, y in zip(ca.getRgbF()[:3], cb.getRgbF()[:3])))
    return mixed.name()


def _icon(name: str) -> str:
    return str(resources.files("resources") / "icons" / name).replace("\\", "/")  # QSS wants forward slashes


def style_sheet(scheme: Scheme, text_points: float | None = None) -> str:
    """The window's style sheet; ``text_points`` sizes the conversation's text, code and the composer alike.

    The size is a style-sheet rule, not ``setFont``: under a style sheet Qt stops handing a parent's font
    down to its children, so a font set on the chat column would not reach the messages.
    """
    s, px = scheme, scheme.border_px
    size = (f"#chatColumn, #chatColumn QWidget, #composerInput {{ font-size: {text_points:g}pt; }}"
            if text_points else "")
    check = _icon("check-dark.svg" if s.accent_text == "#000000" else "check-light.svg")
    variant = {"light": "light", "dark": "dark"}.get(s.name, "hc")
    down, up = _icon(f"chevron-down-{variant}.svg"), _icon(f"chevron-up-{variant}.svg")
    user_bubble = s.raised if s.name != "high_contrast" else s.base
    code = _mix(s.text, s.base, 0.06) if s.name != "high_contrast" else s.base
    focus = s.accent
    return f"""
    QMainWindow, #sidebar, #settingsScroll, #settingsPanel {{ background: {s.window}; }}
    #chatPage, #chatScroll, #chatCanvas, #chatColumn, #topBar, #composerArea {{ background: {s.base}; }}
    #topBar {{ border-bottom: {px}px solid {_mix(s.border, s.base, 0.5) if px == 1 else s.border}; }}
    #sidebar {{ border-right: {px}px solid {_mix(s.border, s.window, 0.45) if px == 1 else s.border}; }}
    #settingsScroll {{ border-left: {px}px solid {_mix(s.border, s.window, 0.45) if px == 1 else s.border}; }}
    QToolTip {{ background: {s.raised}; color: {s.text}; border: 1px solid {s.border}; padding: 4px; }}

    QLineEdit, QPlainTextEdit, QSpinBox, QDoubleSpinBox, QComboBox {{
        background: {s.base}; color: {s.text}; border: {px}px solid {s.border}; border-radius: 6px;
        padding: 3px 6px; selection-background-color: {s.accent}; selection-color: {s.accent_text}; }}
    QLineEdit:focus, QPlainTextEdit:focus, QSpinBox:focus, QDoubleSpinBox:focus, QComboBox:focus {{
        border: {max(2, px)}px solid {focus}; }}
    QLineEdit:disabled, QSpinBox:disabled, QDoubleSpinBox:disabled, QComboBox:disabled {{
        color: {_mix(s.text, s.base, 0.45)}; border-color: {_mix(s.border, s.base, 0.5)}; }}
    QComboBox {{ padding-right: 20px; }}
    QComboBox::drop-down {{ subcontrol-origin: padding; subcontrol-position: center right; border: none;
        width: 20px; }}
    QComboBox::down-arrow {{ image: url({down}); width: 10px; height: 10px; }}
    QSpinBox, QDoubleSpinBox {{ padding-right: 18px; }}
    QSpinBox::up-button, QDoubleSpinBox::up-button {{ subcontrol-origin: border; subcontrol-position: top right;
        width: 18px; border: none; background: transparent; }}
    QSpinBox::down-button, QDoubleSpinBox::down-button {{ subcontrol-origin: border;
        subcontrol-position: bottom right; width: 18px; border: none; background: transparent; }}
    QSpinBox::up-button:hover, QDoubleSpinBox::up-button:hover, QSpinBox::down-button:hover,
        QDoubleSpinBox::down-button:hover {{ background: {s.hover}; }}
    QSpinBox::up-arrow, QDoubleSpinBox::up-arrow {{ image: url({up}); width: 9px; height: 9px; }}
    QSpinBox::down-arrow, QDoubleSpinBox::down-arrow {{ image: url({down}); width: 9px; height: 9px; }}
    QComboBox QAbstractItemView {{ background: {s.base}; color: {s.text}; border: 1px solid {s.border};
        selection-background-color: {s.accent}; selection-color: {s.accent_text}; }}

    QCheckBox {{ spacing: 6px; }}
    QCheckBox::indicator {{ width: 15px; height: 15px; border: {max(1, px)}px solid {s.border};
        border-radius: 4px; background: {s.base}; }}
    QCheckBox::indicator:hover {{ border-color: {s.accent}; }}
    QCheckBox::indicator:checked {{ background: {s.accent}; border-color: {s.accent}; image: url({check}); }}
    QCheckBox:focus {{ color: {s.text}; }}
    QCheckBox::indicator:focus {{ border: 2px solid {focus}; }}

    QPushButton {{ background: {s.raised}; color: {s.text}; border: {px}px solid {s.border}; border-radius: 7px;
        padding: 5px 12px; }}
    QPushButton:hover {{ background: {s.hover}; }}
    QPushButton:focus {{ border: 2px solid {focus}; }}
    QPushButton:disabled {{ color: {_mix(s.text, s.base, 0.45)}; border-color: {_mix(s.border, s.base, 0.5)}; }}
    QPushButton#primaryButton, QPushButton#sendButton {{ background: {s.accent}; color: {s.accent_text};
        border: {px}px solid {s.accent}; font-weight: 600; }}
    QPushButton#sendButton {{ border-radius: 15px; padding: 5px 14px; }}
    QPushButton#sendButton:focus, QPushButton#primaryButton:focus {{ border: 2px solid {s.text}; }}
    QPushButton#sendButton:disabled {{ background: {_mix(s.accent, s.base, 0.35)}; color: {s.accent_text};
        border-color: transparent; }}

    QToolButton {{ color: {s.text}; border: 1px solid transparent; border-radius: 6px; padding: 3px 6px; }}
    QToolButton:hover {{ background: {s.hover}; }}
    QToolButton:checked {{ background: {s.hover}; }}
    QToolButton:focus {{ border: 2px solid {focus}; }}
    QToolButton:disabled {{ color: {_mix(s.text, s.base, 0.4)}; }}
    QToolButton::menu-indicator {{ image: none; width: 0px; }}
    #messageActions QToolButton {{ color: {s.muted}; padding: 2px 6px; }}
    #messageActions QToolButton:hover {{ color: {s.text}; }}

    #userBubble {{ background: {user_bubble}; border: {px if s.name == "high_contrast" else 0}px solid {s.border};
        border-radius: 16px; }}
    #assistantBubble {{ background: transparent; border: none; }}
    #roleLabel {{ font-weight: 600; }}
    #alternativeLabel, #messageNote, #emptyHint, #codeLanguage, #figuresLabel, #mutedLabel, #composerHint {{
        color: {s.muted}; }}
    #messageNote {{ font-style: italic; }}
    #writtenToken {{ background: {s.hover}; border-left: 3px solid {s.accent}; border-radius: 4px; padding: 3px 6px; }}
    #codeBlock {{ background: {code}; border: {px}px solid {_mix(s.border, s.base, 0.5) if px == 1 else s.border};
        border-radius: 8px; }}
    #composerFrame {{ background: {s.raised if s.name != "high_contrast" else s.base};
        border: {px}px solid {s.border}; border-radius: 18px; }}
    #composerInput {{ background: transparent; border: none; padding: 2px; }}
    #composerInput:focus {{ border: none; }}
    #errorBanner {{ background: {_mix(ERROR_RED.name(), s.base, 0.14)}; border: {px}px solid {ERROR_RED.name()};
        border-radius: 8px; }}
    #noticeBanner {{ background: {_mix(s.accent, s.base, 0.12)}; border: {px}px solid {s.accent};
        border-radius: 8px; }}
    #keyWarning {{ color: {_mix("#b26a00", s.text, 0.85) if px == 1 else s.text}; }}
    #welcomeTitle {{ font-size: 16pt; font-weight: 600; }}
    #panelHeading {{ font-size: 11pt; font-weight: 600; }}
    #modelButton {{ font-weight: 600; padding: 4px 8px; }}

    #conversationList {{ background: transparent; border: none; }}
    #conversationList::item {{ padding: 6px 8px; border-radius: 6px; color: {s.text}; }}
    #conversationList::item:hover {{ background: {s.hover}; }}
    #conversationList::item:selected {{ background: {_mix(s.accent, s.window, 0.22) if px == 1 else s.accent};
        color: {s.text if px == 1 else s.accent_text}; }}

    QScrollBar:vertical {{ background: transparent; width: 10px; margin: 0; }}
    QScrollBar::handle:vertical {{ background: {_mix(s.text, s.base, 0.25)}; border-radius: 4px; min-height: 32px;
        margin: 2px; }}
    QScrollBar:horizontal {{ background: transparent; height: 10px; margin: 0; }}
    QScrollBar::handle:horizontal {{ background: {_mix(s.text, s.base, 0.25)}; border-radius: 4px;
        min-width: 32px; margin: 2px; }}
    QScrollBar::add-line, QScrollBar::sub-line {{ width: 0; height: 0; }}
    QScrollBar::add-page, QScrollBar::sub-page {{ background: transparent; }}
    QSlider::groove:horizontal {{ height: 4px; background: {_mix(s.border, s.base, 0.7)}; border-radius: 2px; }}
    QSlider::sub-page:horizontal {{ background: {s.accent}; border-radius: 2px; }}
    QSlider::handle:horizontal {{ background: {s.accent}; width: 14px; height: 14px; margin: -6px 0;
        border-radius: 7px; border: {px}px solid {s.base if px == 1 else s.text}; }}
    QSlider:focus {{ border: 1px dotted {focus}; }}
    QProgressBar {{ background: {_mix(s.border, s.base, 0.5)}; border: none; border-radius: 3px; }}
    QProgressBar::chunk {{ background: {s.accent}; border-radius: 3px; }}
    QStatusBar {{ background: {s.window}; color: {s.muted}; }}
    QStatusBar QLabel {{ color: {s.muted}; }}
    QMenu {{ background: {s.base}; color: {s.text}; border: 1px solid {s.border}; }}
    QMenu::item:selected {{ background: {s.accent}; color: {s.accent_text}; }}
    {size}
    """


def follow_color_scheme(app: QApplication) -> Scheme:
    """Kept for callers that only know "follow the OS": apply and return the system's scheme."""
    scheme = scheme_for("system", app)
    apply_scheme(app, scheme)
    return scheme


def use_dark_palette(app: QApplication, dark: bool) -> None:
    """Dark or light, as a user with that desktop setting sees it (the offscreen platform has none)."""
    apply_scheme(app, DARK if dark else LIGHT)
