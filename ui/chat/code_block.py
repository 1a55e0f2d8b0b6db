"""A fenced code block from a reply: monospace, lightly highlighted, with its own Copy button."""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor, QFontDatabase, QGuiApplication, QPalette, QSyntaxHighlighter, QTextCharFormat
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.chat.safe_text import SafeBrowser

KEYWORDS = (
    "and as async await break case catch class const continue def del do elif else enum except export extends "
    "false False finally fn for from func function if impl import in interface is lambda let match mut new nil "
    "None not null or package pass private public raise return self static struct super switch this throw true "
    "True try type typeof use var void while with yield"
).split()


class CodeHighlighter(QSyntaxHighlighter):
    """Keywords, strings, numbers and line comments; good enough for any C- or Python-like language."""

    RULES = [
        ("keyword", re.compile(r"\b(?:" + "|".join(KEYWORDS) + r")\b")),
        ("number", re.compile(r"\b\d+(?:\.\d+)?\b")),
        ("string", re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'")),
        ("comment", re.compile(r"(?:#|//).*$")),
    ]

    def __init__(self, document, palette: QPalette) -> None:
        super().__init__(document)
        self._formats: dict[str, QTextCharFormat] = {}
        self.use_palette(palette)

    def use_palette(self, palette: QPalette) -> None:
        """Colours that read well on this palette's background (light or dark)."""
        dark = palette.color(QPalette.ColorRole.Base).lightness() < 128
        colors = {"keyword": "#c792ea" if dark else "#7a3e9d", "number": "#f78c6c" if dark else "#b35900",
                  "string": "#c3e88d" if dark else "#2e7d32", "comment": "#8a94a6" if dark else "#6a737d"}
        for name, color in colors.items():
            text_format = QTextCharFormat()
            text_format.setForeground(QColor(color))
            if name == "comment":
                text_format.setFontItalic(True)
            self._formats[name] = text_format

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt override
        for name, pattern in self.RULES:
            for match in pattern.finditer(text):
                self.setFormat(match.start(), match.end() - match.start(), self._formats[name])


class CodeBlock(QFrame):
    def __init__(self, code: str, language: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.code = code
        self.setObjectName("codeBlock")
        self.setAccessibleName(f"Code block {language}".strip())
        header = QHBoxLayout()
        header.setContentsMargins(8, 2, 2, 0)
        label = QLabel(language or "code")
        label.setObjectName("codeLanguage")
        self.copy_button = QPushButton("Copy")
        self.copy_button.setObjectName("codeCopy")
        self.copy_button.setFlat(True)
        self.copy_button.setAccessibleName("Copy code")
        self.copy_button.setToolTip("Copy this code to the clipboard")
        self.copy_button.clicked.connect(self._on_copy_clicked)
        header.addWidget(label)
        header.addStretch()
        header.addWidget(self.copy_button)
        self.text = SafeBrowser()
        self.text.setAccessibleName("Code")
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlainText(code)
        self._highlighter = CodeHighlighter(self.text.document(), self.palette())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 6)
        layout.setSpacing(0)
        layout.addLayout(header)
        body = QHBoxLayout()
        body.setContentsMargins(8, 0, 8, 0)
        body.addWidget(self.text)
        layout.addLayout(body)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.PaletteChange:  # the user or the OS switched light/dark
            self._highlighter.use_palette(self.palette())
            self._highlighter.rehighlight()
        super().changeEvent(event)

    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.code)
        self.copy_button.setText("Copied")
