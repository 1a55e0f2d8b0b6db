"""The bar at the top of the chat: the model in use and where it runs on the left; slots for other parts'
switches and indicators; the Models page, wide mode and Reply settings on the right."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QToolButton, QWidget

from ui.models.model_picker import ModelPicker
from ui.shell.icons import line_icon


class TopBar(QFrame):
    def __init__(self, picker: ModelPicker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("topBar")
        self.setAccessibleName("Model and view")
        self.picker = picker
        self.wide_button = self._toggle("wide", "Wide column", "Use the whole width for the chat (Ctrl+Shift+W)")
        self.settings_button = self._toggle("sliders", "Reply settings", "Show or hide Reply settings (Ctrl+,)")
        self._slots = QHBoxLayout()
        self._slots.setContentsMargins(0, 0, 0, 0)
        self._slots.setSpacing(6)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 8, 6)
        layout.setSpacing(6)
        layout.addWidget(picker)
        layout.addStretch(1)
        layout.addLayout(self._slots)
        layout.addWidget(picker.models_button)
        layout.addWidget(self.wide_button)
        layout.addWidget(self.settings_button)
        self.refresh_icons()

    def _toggle(self, icon: str, name: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setProperty("icon_name", icon)
        button.setCheckable(True)
        button.setAutoRaise(True)
        button.setAccessibleName(name)
        button.setToolTip(tip)
        button.setFixedSize(34, 34)
        return button

    def add_widget(self, widget: QWidget) -> None:
        self._slots.addWidget(widget)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self.refresh_icons()
        super().changeEvent(event)

    def refresh_icons(self) -> None:
        """Icons in the palette's text colour (again after a theme change)."""
        color = self.palette().color(QPalette.ColorRole.WindowText)
        for button in (self.wide_button, self.settings_button):
            button.setIcon(line_icon(button.property("icon_name"), color))
