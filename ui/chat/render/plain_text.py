"""Plain text made safe and cheap to lay out: inert characters, break opportunities in long words."""

from __future__ import annotations

import re

from PySide6.QtGui import QTextCursor, QTextDocument

from ui.inert_text import inert_text

BREAK_OPPORTUNITY = "\u200b"
LONG_RUN = 64
_LONG_RUN = re.compile(r"\S{%d,}" % LONG_RUN)


def breakable(text: str) -> str:
    """Text with a zero-width break opportunity every 16 characters of any run longer than ``LONG_RUN``.

    Qt's word-boundary wrapping rescans an unbreakable word for every line it fills, which is
    quadratic (a 400,000-character hash took 7 s to lay out); with these breaks it is linear.
    Views strip them again when the user copies (``inert_text`` shows any the model sent, so
    every one in a document is ours).
    """
    if len(text) < LONG_RUN:
        return text
    return _LONG_RUN.sub(lambda m: BREAK_OPPORTUNITY.join(m.group()[i:i + 16]
                                                          for i in range(0, len(m.group()), 16)), text)


def shown(text: str) -> str:
    return breakable(inert_text(text))


def render_plain(document: QTextDocument, text: str, first_line: int = 0) -> None:
    """Append ``text`` as it is, line breaks kept, made inert: for text too long to format quickly."""
    cursor = QTextCursor(document)
    cursor.movePosition(QTextCursor.MoveOperation.End)
    if not document.isEmpty():
        cursor.insertBlock()
    cursor.block().setUserState(first_line)
    cursor.insertText(shown(text))
