"""What the chat area shows before a model is loaded: a welcome, not an error."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class WelcomeWidget(QWidget):
    """``actions`` is the row of buttons; other views (a model catalog) add theirs with ``add_action``."""

    open_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Welcome")
        title = QLabel("Welcome to LocalChat")
        title.setObjectName("welcomeTitle")
        text = QLabel("Chat with AI models that run entirely on this computer.\n"
                      "Open a model folder to start (an ONNX Runtime GenAI model).")
        text.setWordWrap(True)
        for label in (title, text):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.open_button = QPushButton("Open model folder…")
        self.open_button.setAccessibleName("Open model folder")
        self.open_button.setDefault(True)
        self.open_button.clicked.connect(self.open_requested)
        self.actions = QHBoxLayout()
        self.actions.addStretch()
        self.actions.addWidget(self.open_button)
        self.actions.addStretch()
        icon = QLabel()
        icon.setPixmap(QApplication.windowIcon().pixmap(72, 72))
        icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addStretch()
        layout.addWidget(icon)
        layout.addWidget(title)
        layout.addWidget(text)
        layout.addSpacing(12)
        layout.addLayout(self.actions)
        layout.addStretch()

    def add_action(self, button: QPushButton) -> None:
        self.actions.insertWidget(self.actions.count() - 1, button)
