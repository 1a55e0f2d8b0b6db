"""A fenced code block from a reply: highlighted by Pygments, scrolling sideways instead of wrapping, with its
language, a Copy button and optional line numbers."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, Qt, QTimer
from PySide6.QtGui import QFontDatabase, QGuiApplication, QPainter, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QTextEdit, QToolButton, QVBoxLayout, QWidget

from ui.chat.render.highlight import highlight_into
from ui.chat.render.style import RenderStyle
from ui.chat.safe_text import SafeBrowser

COPIED_MS = 1500


class LineNumbers(QWidget):
    """A gutter that paints the number of each line of ``view`` beside it, only for the lines it must repaint."""

    def __init__(self, view: SafeBrowser, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.setFont(view.font())
        count = view.document().blockCount()
        self.setFixedWidth(self.fontMetrics().horizontalAdvance("9" * len(str(count))) + 12)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        layout = self.view.document().documentLayout()
        top = self.mapFromGlobal(self.view.viewport().mapToGlobal(QPoint(0, 0))).y()
        exposed: QRect = event.rect()
        position = layout.hitTest(QPointF(0, max(0, exposed.top() - top)), Qt.HitTestAccuracy.FuzzyHit)
        block = self.view.document().findBlock(max(position, 0))
        height = self.fontMetrics().height()
        while block.isValid():
            y = layout.blockBoundingRect(block).top() + top
            if y > exposed.bottom():
                break
            painter.drawText(QRect(0, int(y), self.width() - 6, height),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, str(block.blockNumber() + 1))
            block = block.next()


class CodeBlock(QFrame):
    def __init__(self, code: str, language: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.code = code
        self.language = language
        self._dark: bool | None = None  # the colours the code is highlighted for (None: not yet)
        self.setObjectName("codeBlock")
        self.setAccessibleName(f"Code block {language}".strip())
        # The layouts first and every child made with its parent: a widget put into a layout after it was made
        # is moved to its new parent (events, palette and font resolved again), which a reply pays per block.
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 6)
        layout.setSpacing(0)
        header = QHBoxLayout()
        header.setContentsMargins(10, 2, 4, 0)
        layout.addLayout(header)
        self.body = QHBoxLayout()
        self.body.setContentsMargins(6, 0, 6, 0)
        self.body.setSpacing(0)
        layout.addLayout(self.body)
        label = QLabel(language or "code", self)
        label.setObjectName("codeLanguage")
        self.numbers_button = QToolButton(self)
        self.numbers_button.setText("#")
        self.numbers_button.setCheckable(True)
        self.numbers_button.setAutoRaise(True)
        self.numbers_button.setAccessibleName("Line numbers")
        self.numbers_button.setToolTip("Show or hide line numbers")
        self.numbers_button.toggled.connect(self._on_numbers_toggled)
        self.copy_button = QToolButton(self)
        self.copy_button.setText("Copy")
        self.copy_button.setObjectName("codeCopy")
        self.copy_button.setAutoRaise(True)
        self.copy_button.setAccessibleName("Copy code")
        self.copy_button.setToolTip("Copy this code to the clipboard")
        self.copy_button.clicked.connect(self._on_copy_clicked)
        self._copied = QTimer(self)
        self._copied.setSingleShot(True)
        self._copied.setInterval(COPIED_MS)
        self._copied.timeout.connect(lambda: self.copy_button.setText("Copy"))
        header.addWidget(label)
        header.addStretch()
        header.addWidget(self.numbers_button)
        header.addWidget(self.copy_button)
        self.text = SafeBrowser(self)
        self.text.setAccessibleName("Code")
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setLineWrapMode(QTextEdit.LineWrapMode.NoWrap)
        self.text.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.text.document().setDocumentMargin(4)
        self.highlighted = False
        self._fill()
        self.numbers: LineNumbers | None = None
        self.body.addWidget(self.text)

    def _fill(self) -> None:
        self._dark = RenderStyle.current().dark
        self.highlighted = highlight_into(self.text.document(), self.code, self.language, self._dark)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        # The user or the OS switched light/dark.  A block also gets a PaletteChange when it is put in a
        # message, with the colours it was highlighted for: lexing the code again then would double its cost.
        if event.type() == QEvent.Type.PaletteChange and RenderStyle.current().dark != self._dark:
            self._fill()
        super().changeEvent(event)

    def _on_numbers_toggled(self, shown: bool) -> None:
        if shown and self.numbers is None:
            self.numbers = LineNumbers(self.text)
            self.body.insertWidget(0, self.numbers)
        if self.numbers is not None:
            self.numbers.setVisible(shown)

    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.code)
        self.copy_button.setText("Copied")
        self._copied.start()
