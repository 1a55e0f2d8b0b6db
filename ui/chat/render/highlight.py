"""Code highlighted by Pygments, inserted into a QTextDocument as formatted runs (no HTML in between)."""

from __future__ import annotations

from functools import lru_cache

from pygments import lex
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.styles import get_style_by_name
from pygments.token import _TokenType
from pygments.util import ClassNotFound
from PySide6.QtGui import QColor, QFont, QTextCharFormat, QTextCursor, QTextDocument

from ui.chat.render.plain_text import shown

HIGHLIGHT_LIMIT = 100_000  # characters; longer code is shown plain, since lexing it would stall the window
LIGHT_STYLE, DARK_STYLE = "default", "github-dark"


@lru_cache(maxsize=64)
def lexer_for(language: str) -> Lexer | None:
    """The lexer for a fence's language ("python", "js", "c++", …), or None: no guessing from the text."""
    if not language:
        return None
    try:
        return get_lexer_by_name(language.lower(), stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


@lru_cache(maxsize=512)
def _format(style_name: str, token_type: _TokenType) -> QTextCharFormat:
    style = get_style_by_name(style_name).style_for_token(token_type)
    char_format = QTextCharFormat()
    if style["color"]:
        char_format.setForeground(QColor(f"#{style['color']}"))
    if style["bold"]:
        char_format.setFontWeight(QFont.Weight.Bold.value)
    if style["italic"]:
        char_format.setFontItalic(True)
    return char_format


def highlight_into(document: QTextDocument, code: str, language: str, dark: bool) -> bool:
    """Fill ``document`` with ``code``, coloured when a lexer is known; True when it was highlighted."""
    document.clear()
    cursor = QTextCursor(document)
    lexer = lexer_for(language)
    if lexer is None or len(code) > HIGHLIGHT_LIMIT:
        cursor.insertText(shown(code))
        return False
    style_name = DARK_STYLE if dark else LIGHT_STYLE
    cursor.beginEditBlock()  # one layout for the whole block, not one per coloured run
    run, run_type = [], None
    for token_type, value in lex(code, lexer):
        if token_type is not run_type and run:
            cursor.insertText(shown("".join(run)), _format(style_name, run_type))
            run = []
        run_type = token_type
        run.append(value)
    if run:
        cursor.insertText(shown("".join(run)), _format(style_name, run_type))
    cursor.endEditBlock()
    return True
