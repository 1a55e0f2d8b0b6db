"""A reasoning model's thinking: a "Thinking" header that folds the text away, shown live while it streams."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QToolButton, QVBoxLayout, QWidget

from ui.chat.render.streamed_text import StreamedText
from ui.chat.safe_text import SafeBrowser


class ThinkingSection(QFrame):
    """Plain text (it never reflows when the reply ends), muted, behind a toggle; collapsed unless it is live."""

    def __init__(self, text: str = "", live: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("thinkingSection")
        self.toggle = QToolButton()
        self.toggle.setObjectName("thinkingToggle")
        self.toggle.setCheckable(True)
        self.toggle.setAutoRaise(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setAccessibleName("Thinking")
        self.toggle.setToolTip("Show or hide what the model wrote before its answer")
        self.toggle.toggled.connect(self._on_toggled)
        self.toggle.setStyleSheet("QToolButton { border: none; padding: 2px 0; }")
        self.text = SafeBrowser()
        self.text.setAccessibleName("Thinking text")
        muted = self.text.palette()
        muted.setColor(QPalette.ColorRole.Text, muted.color(QPalette.ColorRole.PlaceholderText))
        self.text.setPalette(muted)
        self.body = QFrame()
        self.body.setObjectName("thinkingBody")
        bar = muted.color(QPalette.ColorRole.PlaceholderText).name()
        self.body.setStyleSheet(f"#thinkingBody {{ border: none; border-left: 2px solid {bar}; }}")
        body = QHBoxLayout(self.body)
        body.setContentsMargins(10, 0, 0, 0)
        body.addWidget(self.text)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.body)
        self._streamed = StreamedText(self.text.document())
        if text:
            self._streamed.append(text)
        self.set_live(live)
        self.toggle.setChecked(live)
        self._on_toggled(live)

    def set_live(self, live: bool) -> None:
        self.live = live
        self.toggle.setText("Thinking…" if live else "Thinking")

    def append(self, text: str) -> None:
        self._streamed.append(text)

    def plain_text(self) -> str:
        return self.text.toPlainText()

    @property
    def expanded(self) -> bool:
        return self.toggle.isChecked()

    def set_expanded(self, expanded: bool) -> None:
        self.toggle.setChecked(expanded)

    def _on_toggled(self, expanded: bool) -> None:
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self.body.setVisible(expanded)
