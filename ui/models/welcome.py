"""What the chat area shows before a model is loaded: a welcome, not an error.

With nothing installed it recommends one catalog model that fits this computer, with a
one-click download; with models installed it lists them to open with one click.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from engine.models.catalog import Recommendation
from engine.runtime.providers import LABELS
from engine.models.registry import InstalledModel
from ui.shell.units import human_bytes

OFFER_WIDTH = 520
SHOWN_INSTALLED = 6  # more are in the Models page
OPEN_TEXT = ("Chat with AI models that run entirely on this computer.\n"
             "Open a model folder to start (an ONNX Runtime GenAI model).")
DOWNLOAD_TEXT = ("Chat with AI models that run entirely on this computer.\n"
                 "Download a model to start, or open a model folder you already have.")
INSTALLED_TEXT = "Chat with AI models that run entirely on this computer.\nChoose a model to start."
NOTHING_FITS = ("None of the models LocalChat offers fits this computer's memory; "
                "open a smaller ONNX Runtime GenAI model folder if you have one.")


class WelcomeWidget(QWidget):
    """``actions`` is the row of buttons; other views (a model catalog) add theirs with ``add_action``."""

    open_requested = Signal()
    download_requested = Signal(object)    # Recommendation
    model_open_requested = Signal(object)  # InstalledModel

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Welcome")
        title = QLabel("Welcome to LocalChat")
        title.setObjectName("welcomeTitle")
        self.text = QLabel(OPEN_TEXT)
        self.text.setWordWrap(True)
        for label in (title, self.text):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.open_button = QPushButton("Open model folder…")
        self.open_button.setAccessibleName("Open model folder")
        self.open_button.setDefault(True)
        self.open_button.clicked.connect(self.open_requested)
        self.actions = QHBoxLayout()
        self.actions.addStretch()
        self.actions.addWidget(self.open_button)
        self.actions.addStretch()
        self.offer = _Offer()
        self.offer.download_button.clicked.connect(self._on_download_clicked)
        self.installed = QVBoxLayout()
        self.installed.setSpacing(6)
        icon = QLabel()
        icon.setPixmap(QApplication.windowIcon().pixmap(72, 72))
        icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addStretch()
        layout.addWidget(icon)
        layout.addWidget(title)
        layout.addWidget(self.text)
        layout.addSpacing(12)
        layout.addWidget(self.offer, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addLayout(self.installed)
        layout.addSpacing(12)
        layout.addLayout(self.actions)
        layout.addStretch()
        self._recommendation: Recommendation | None = None
        self.offer.hide()

    def add_action(self, button: QPushButton) -> None:
        self.actions.insertWidget(self.actions.count() - 1, button)

    def show_models(self, installed: list[InstalledModel], recommendation: Recommendation | None,
                    fit_label: str = "") -> None:
        """Installed models to open; with none, the recommended download (or why there is none)."""
        self._clear_installed()
        self._recommendation = None if installed else recommendation
        self.offer.setVisible(self._recommendation is not None)
        if installed:
            self.text.setText(INSTALLED_TEXT)
            for model in installed[:SHOWN_INSTALLED]:
                self.installed.addWidget(self._open_button(model), 0, Qt.AlignmentFlag.AlignHCenter)
        elif recommendation is not None:
            self.text.setText(DOWNLOAD_TEXT)
            self.offer.show_recommendation(recommendation, fit_label)
        else:
            self.text.setText(NOTHING_FITS)

    def set_download_enabled(self, enabled: bool) -> None:
        """Off while a download runs: one at a time."""
        self.offer.download_button.setEnabled(enabled)

    def _open_button(self, model: InstalledModel) -> QPushButton:
        button = QPushButton(f"{model.id}   ·   {human_bytes(model.size_bytes)}")
        button.setObjectName("openInstalled")
        button.setAccessibleName(f"Open {model.id}")
        button.setToolTip(str(model.path))
        button.setMinimumWidth(320)
        button.clicked.connect(lambda: self.model_open_requested.emit(model))
        return button

    def _clear_installed(self) -> None:
        while self.installed.count():
            widget = self.installed.takeAt(0).widget()
            widget.hide()
            widget.deleteLater()

    def _on_download_clicked(self) -> None:
        if self._recommendation is not None:
            self.download_requested.emit(self._recommendation)


class _Offer(QFrame):
    """The recommended model: name, what it is, size, licence and whether it fits, with a Download button."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("welcomeOffer")
        self.setAccessibleName("Recommended model")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFixedWidth(OFFER_WIDTH)  # a fixed width lets the wrapped labels find their height
        self.heading = QLabel()
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.facts = QLabel()
        self.facts.setAccessibleName("Recommended model facts")
        self.facts.setWordWrap(True)
        self.download_button = QPushButton("Download")
        self.download_button.setAccessibleName("Download recommended model")
        self.download_button.setDefault(True)
        row = QHBoxLayout()
        row.addStretch()
        row.addWidget(self.download_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(QLabel("Recommended for this computer"))
        layout.addWidget(self.heading)
        layout.addWidget(self.description)
        layout.addWidget(self.facts)
        layout.addLayout(row)

    def show_recommendation(self, recommendation: Recommendation, fit_label: str) -> None:
        model, variant = recommendation.model, recommendation.variant
        self.heading.setText(f"<b style='font-size:large'>{_escape(model.name)}</b>")
        self.description.setText(model.description)
        # A wrapped label in a centred frame is otherwise laid out one line short.
        margins = self.layout().contentsMargins()
        self.description.setMinimumHeight(
            self.description.heightForWidth(OFFER_WIDTH - margins.left() - margins.right()))
        self.facts.setText(f"{human_bytes(variant.download_bytes)} download · {model.license} licence · "
                           f"runs on {LABELS[variant.provider]} · {fit_label}")
        self.download_button.setText(f"Download ({human_bytes(variant.download_bytes)})")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
