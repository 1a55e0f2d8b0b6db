"""The bar at the top of the chat: the model in use and where it runs on the left; slots for other parts'
switches and indicators; the Models page, wide mode and Reply settings on the right."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QSizePolicy, QToolButton, QWidget

from ui.models.model_picker import ModelPicker
from ui.shell.icons import color_icons, is_theme_change


class TopBar(QFrame):
    def __init__(self, picker: ModelPicker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("topBar")
        self.setAccessibleName("Model and view")
        # the window folds its side panels to give the bar its preferred width (see MainWindow._fit_panels);
        # when even that is not enough, the Models button goes first (the model menu also opens the page)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._models_wanted = False
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

    def show_models_button(self, shown: bool) -> None:
        self._models_wanted = shown
        self._fit_models_button()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit_models_button()

    def needed_width(self) -> int:
        """The width the bar wants without the Models button (which gives way first)."""
        button = self.picker.models_button
        extra = 0 if button.isHidden() else button.sizeHint().width() + self.layout().spacing()
        return self.sizeHint().width() - extra

    def _fit_models_button(self) -> None:
        button = self.picker.models_button
        extra = button.sizeHint().width() + self.layout().spacing()
        without = self.sizeHint().width() - (0 if button.isHidden() else extra)
        button.setVisible(self._models_wanted and self.width() >= without + extra)
    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if is_theme_change(event):
            self.refresh_icons()
        super().changeEvent(event)

    def refresh_icons(self) -> None:
        """Icons in the palette's text colour (again after a theme change)."""
        color_icons(self, (self.wide_button, self.settings_button))
