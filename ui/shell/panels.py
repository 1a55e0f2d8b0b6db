"""Which side panels fit: the chat keeps at least ``CHAT_MIN`` px, and what the user opened last stays open.

The user's wishes (sidebar unfolded, settings shown) are kept as they are; only what is shown changes with
the window's width, so widening the window brings back what narrowing it folded away.
"""

from __future__ import annotations

from dataclasses import dataclass

SIDEBAR_FULL = 260
SIDEBAR_RAIL = 52
SETTINGS_WIDTH = 300
CHAT_MIN = 420          # below this the chat column is too narrow to read comfortably
MIN_WINDOW_WIDTH = 640  # half of a 1280-px screen; every panel folds to fit
MIN_WINDOW_HEIGHT = 480


@dataclass(frozen=True)
class Panels:
    sidebar_full: bool
    settings_shown: bool


def fit_panels(width: int, sidebar_wish: bool, settings_wish: bool, settings_last: bool,
               chat_min: int = CHAT_MIN, bar_min: int = 0) -> Panels:
    """What to show at ``width``; ``settings_last``: the settings were opened after the sidebar was unfolded.

    ``chat_min`` is what the chat needs (more than CHAT_MIN for a page such as Models); ``bar_min`` is the
    narrowest the top bar can be, which spans the chat and the settings: the sidebar folds to leave it that.
    """
    def room(sidebar: bool, settings: bool) -> int:
        return width - (SIDEBAR_FULL if sidebar else SIDEBAR_RAIL) - (SETTINGS_WIDTH if settings else 0)

    sidebar, settings = sidebar_wish, settings_wish
    if room(sidebar, settings) >= chat_min:
        return Panels(sidebar, settings)
    if sidebar and settings:  # fold what was opened first
        if settings_last:
            sidebar = False
        else:
            settings = False
    if room(sidebar, settings) < chat_min and sidebar:
        sidebar = False
    if room(sidebar, settings) < CHAT_MIN - 140 and settings:  # too narrow even for a compact chat
        settings = False
    if sidebar and width - SIDEBAR_FULL < bar_min:
        sidebar = False
    return Panels(sidebar, settings)
