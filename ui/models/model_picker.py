"""The model in use and where it runs, at the top of the chat: a model button (its menu opens a folder, the
installed models or the Models page) and the execution provider."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QResizeEvent
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QLabel, QMenu, QPushButton, QSizePolicy, QToolButton,
                               QWidget)

from engine.runtime.providers import LABELS, PROVIDERS
from ui.shell.a11y import label_for

NO_MODEL_TEXT = "Choose a model"
MENU_MARK = "  ▾"
SHORTEST_NAME = 10  # characters of the model's name kept when the bar is narrow, before the "…"
MODEL_TIP = "The model in use; click to open another"
PROVIDER_TIP = ("Where the model runs. Auto picks the best this computer offers for the model; if a graphics "
                "card cannot be used, LocalChat falls back to the CPU and says why.")


def effective_provider(choice: str, built_for: str | None) -> str:
    """Auto runs a downloaded model on the provider its variant was built for; a forced choice wins.

    The engine's own "auto" would put a CPU build on the GPU of a CUDA install; a variant made for a
    provider this build lacks gets the engine's fallback to CPU, with the reason shown in the window.
    """
    return built_for if choice == "auto" and built_for else choice


class ModelButton(QToolButton):
    """The model's name with the menu mark; on a narrow bar the name is elided with "…" (at least its first
    SHORTEST_NAME characters stay), and the whole name is in the tooltip and accessible description."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._name = NO_MODEL_TEXT
        self.setText(NO_MODEL_TEXT + MENU_MARK)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)  # it gives way down to its minimum

    def set_name(self, name: str) -> None:
        self._name = name
        self._elide()
        self.updateGeometry()

    def name(self) -> str:
        return self._name

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return self._size_for(self._name)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        shortest = self._name if len(self._name) <= SHORTEST_NAME + 1 else self._name[:SHORTEST_NAME] + "…"
        return self._size_for(shortest)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._elide()

    def _size_for(self, name: str) -> QSize:
        """The button's size showing ``name``: the style's hint for the text shown, adjusted by the difference."""
        hint = super().sizeHint()
        metrics = self.fontMetrics()
        return QSize(hint.width() + metrics.horizontalAdvance(name + MENU_MARK)
                     - metrics.horizontalAdvance(self.text()), hint.height())

    def _elide(self) -> None:
        metrics = self.fontMetrics()
        padding = super().sizeHint().width() - metrics.horizontalAdvance(self.text())
        room = self.width() - padding - metrics.horizontalAdvance(MENU_MARK)
        fits = metrics.horizontalAdvance(self._name) <= room  # the measure the size hints use
        shown = self._name if fits else metrics.elidedText(self._name, Qt.TextElideMode.ElideRight, max(room, 0))
        if shown + MENU_MARK != self.text():
            self.setText(shown + MENU_MARK)


class ModelPicker(QWidget):
    load_requested = Signal(str, str)  # path, provider
    models_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model_button = ModelButton()
        self.model_button.setObjectName("modelButton")
        self.model_button.setAccessibleName("Model")
        self.model_button.setAccessibleDescription("No model loaded")
        self.model_button.setToolTip(MODEL_TIP)
        self.model_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = QMenu(self)
        self.model_button.setMenu(self.menu)
        self.open_action = QAction("Open model folder…\tCtrl+O", self)  # the window owns the shortcut itself
        self.open_action.setToolTip("Choose a folder with an ONNX Runtime GenAI model (it has genai_config.json)")
        self.open_action.triggered.connect(self.choose_folder)
        self.browse_action = QAction("Browse and download models…", self)
        self.browse_action.triggered.connect(self.models_requested)
        self.browse_action.setVisible(False)
        self._installed: list[tuple[str, str, str | None]] = []  # label, path, built-for provider
        self.menu.aboutToShow.connect(self._fill_menu)
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
        label = QLabel("on")
        label.setObjectName("mutedLabel")
        label_for(label, self.provider_combo)  # on Linux a combo box's name comes from its label
        self.provider_label = label
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self._layout = layout
        layout.addWidget(self.model_button)
        layout.addWidget(label)
        layout.addWidget(self.provider_combo)
        self._path: str | None = None
        self._built_for: str | None = None
        self.provider_combo.currentIndexChanged.connect(self._on_provider_changed)

    def show_model(self, name: str | None) -> None:
        """The model in use (None: none loaded)."""
        self.model_button.set_name(name or NO_MODEL_TEXT)
        self.model_button.setAccessibleDescription(f"{name} is loaded" if name else "No model loaded")
        self.model_button.setToolTip(self.model_tip())

    def model_tip(self) -> str:
        """The model button's tooltip: the whole name (it may be elided on the button)."""
        name = self.model_button.name()
        return MODEL_TIP if name == NO_MODEL_TEXT else f"{name}: {MODEL_TIP.lower()}"

    def set_installed(self, models: list[tuple[str, str, str | None]]) -> None:
        """Installed models for the menu: (label, folder, provider it was built for)."""
        self._installed = list(models)
        self.browse_action.setVisible(True)

    def _fill_menu(self) -> None:
        self.menu.clear()
        for label, path, built_for in self._installed:
            self.menu.addAction(label, lambda path=path, built_for=built_for: self.request_load(path, built_for))
        if self._installed:
            self.menu.addSeparator()
        self.menu.addAction(self.open_action)
        self.menu.addAction(self.browse_action)

    def add_leading(self, widget: QWidget) -> None:
        """A control that comes before the model's (the engine choice)."""
        self._layout.insertWidget(0, widget)

    def show_local_controls(self, shown: bool) -> None:
        """The provider only means something when this computer is the engine."""
        self.provider_label.setVisible(shown)
        self.provider_combo.setVisible(shown)

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
