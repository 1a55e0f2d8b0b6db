"""Choosing a model folder and the execution provider to run it on."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton, QWidget

from engine.providers import LABELS, PROVIDERS

PROVIDER_TIP = ("Where the model runs. Auto picks the best this computer offers; if a graphics card cannot be "
                "used, LocalChat falls back to the CPU and says why.")


class ModelPicker(QWidget):
    load_requested = Signal(str, str)  # path, provider

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.open_button = QPushButton("Open model folder…")
        self.open_button.setAccessibleName("Open model folder")
        self.open_button.setToolTip("Choose a folder with an ONNX Runtime GenAI model (it has genai_config.json)")
        self.open_button.clicked.connect(self.choose_folder)
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
        layout.addSpacing(8)
        layout.addWidget(label)
        layout.addWidget(self.provider_combo)
        layout.addStretch()
        self._path: str | None = None
        self.provider_combo.currentIndexChanged.connect(self._on_provider_changed)

    def provider(self) -> str:
        return self.provider_combo.currentData()

    def set_provider(self, provider: str) -> None:
        self.provider_combo.setCurrentIndex(max(0, self.provider_combo.findData(provider)))

    def choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open model folder", self._path or "")
        if path:
            self.request_load(path)

    def request_load(self, path: str) -> None:
        self._path = path
        self.load_requested.emit(path, self.provider())

    def _on_provider_changed(self) -> None:
        if self._path:  # a different provider means loading the model again
            self.load_requested.emit(self._path, self.provider())
