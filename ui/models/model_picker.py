"""Choosing a model folder and the execution provider to run it on."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton, QWidget

from engine.runtime.providers import LABELS, PROVIDERS

PROVIDER_TIP = ("Where the model runs. Auto picks the best this computer offers for the model; if a graphics "
                "card cannot be used, LocalChat falls back to the CPU and says why.")


def effective_provider(choice: str, built_for: str | None) -> str:
    """Auto runs a downloaded model on the provider its variant was built for; a forced choice wins.

    The engine's own "auto" would put a CPU build on the GPU of a CUDA install; a variant made for a
    provider this build lacks gets the engine's fallback to CPU, with the reason shown in the window.
    """
    return built_for if choice == "auto" and built_for else choice


class ModelPicker(QWidget):
    load_requested = Signal(str, str)  # path, provider
    models_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.open_button = QPushButton("Open model folder…")
        self.open_button.setAccessibleName("Open model folder")
        self.open_button.setToolTip("Choose a folder with an ONNX Runtime GenAI model (it has genai_config.json)")
        self.open_button.clicked.connect(self.choose_folder)
        self.models_button = QPushButton("Models")
        self.models_button.setAccessibleName("Models")
        self.models_button.setToolTip("Download models, see which fit this computer, manage installed models")
        self.models_button.clicked.connect(self.models_requested)
        self.models_button.hide()  # shown when the window has a model library
        self.provider_combo = QComboBox()
        self.provider_combo.setAccessibleName("Execution provider")
        self.provider_combo.setToolTip(PROVIDER_TIP)
        for provider in PROVIDERS:
            self.provider_combo.addItem(LABELS[provider], provider)
        label = QLabel("Run on")
        label.setBuddy(self.provider_combo)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.open_button)
        layout.addWidget(self.models_button)
        layout.addSpacing(8)
        layout.addWidget(label)
        layout.addWidget(self.provider_combo)
        layout.addStretch()
        self._path: str | None = None
        self._built_for: str | None = None
        self.provider_combo.currentIndexChanged.connect(self._on_provider_changed)

    def provider(self) -> str:
        return self.provider_combo.currentData()

    def set_provider(self, provider: str) -> None:
        self.provider_combo.setCurrentIndex(max(0, self.provider_combo.findData(provider)))

    def choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open model folder", self._path or "")
        if path:
            self.request_load(path)

    def request_load(self, path: str, built_for: str | None = None) -> None:
        """Load ``path``; ``built_for`` is the provider of a downloaded variant, when known."""
        self._path, self._built_for = path, built_for
        self.load_requested.emit(path, effective_provider(self.provider(), built_for))

    def _on_provider_changed(self) -> None:
        if self._path:  # a different provider means loading the model again
            self.load_requested.emit(self._path, effective_provider(self.provider(), self._built_for))
