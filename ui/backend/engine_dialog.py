"""The engine choice in its own window, opened from the button that says which engine is in use."""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QLayout, QVBoxLayout, QWidget

from ui.backend.engine_panel import EnginePanel
from ui.shell.bar_button import BarButton

DIALOG_WIDTH = 580


class EngineDialog(QDialog):
    def __init__(self, panel: EnginePanel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Engine")
        self.panel = panel
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(panel)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # a shown hint or error never gets clipped
        self.resize(DIALOG_WIDTH, self.sizeHint().height())
        panel.cancel_requested.connect(self.reject)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        self.resize(max(DIALOG_WIDTH, self.width()), self.sizeHint().height())
        super().showEvent(event)


class EngineButton(BarButton):
    """Says where replies come from; clicking it opens the choice. On a narrow top bar, only its icon."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("engine", "", parent)
        self.setAutoRaise(True)
        self.setAccessibleName("Engine")
        self.show_engine(None, "")

    def show_engine(self, server: str | None, model: str) -> None:
        if server is None:
            self.setText("Engine: this computer")
            self.setToolTip("Replies are written on this computer. Click to use a server instead.")
        else:
            self.setText(f"Engine: {server}")
            self.setToolTip(f"Replies come from {model or 'a model'} on the server at {server}. Click to change.")
