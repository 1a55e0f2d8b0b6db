"""The bar at the top of the chat and Reply settings: the model in use and where it runs on the left; slots for
other parts' switches and indicators; the Models page, wide mode and Reply settings on the right.

When the bar is narrower than it would like, it gives way in steps, as LM Studio's and ChatGPT's bars do: the
Models button goes first (the model menu opens that page too), then the switches show only their icons (their
tooltips and accessible names stay), and last the model's name is elided with "…" down to its first letters.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QAbstractButton, QFrame, QHBoxLayout, QLayout, QSizePolicy, QToolButton, QWidget

from ui.models.model_picker import ModelPicker
from ui.shell.bar_button import Compactable
from ui.shell.icons import color_icons, is_theme_change


class TopBar(QFrame):
    def __init__(self, picker: ModelPicker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("topBar")
        self.setAccessibleName("Model and view")
        # the window folds the sidebar to give the bar at least its minimum_width (see MainWindow._fit_panels)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._models_wanted = False
        self._compacted = 0  # how many of the switches show only their icon
        self._arranged_for: tuple = ()
        self._minimum: tuple[tuple, int] = ((), 0)  # (texts shown, the bar's minimum width with them)
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
        """A switch or indicator; one that is Compactable shrinks to its icon when the bar is narrow."""
        self._slots.addWidget(widget)
        self._compacted = 0
        for part in self._compactables():
            part.set_compact(False)
        self.refresh_icons()
        self._arrange()

    def show_models_button(self, shown: bool) -> None:
        self._models_wanted = shown
        self._arrange()

    def compacted(self) -> int:
        """How many of the switches show only their icon (from the right)."""
        return self._compacted

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._arrange()

    def minimum_width(self) -> int:
        """The narrowest the bar can be: no Models button, switches as icons, the model's name elided."""
        texts = self._contents()[1:]
        if self._minimum[0] != texts:  # measured once for what the bar shows
            compacted = self._compacted
            self._set_compacted(len(self._compactables()))
            self._minimum = (texts, row_width(self.layout(), minimum=True) - self._models_width())
            self._set_compacted(compacted)
        return self._minimum[1]

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest and self._contents() != self._arranged_for:
            self._arrange()  # a part's text changed (the model, the engine, the server's state): fit again
        return super().event(event)

    def _contents(self) -> tuple:
        """What the bar's shape depends on: its width and the texts shown (trying shapes changes none of them)."""
        picker = self.picker
        texts = tuple(button.text() for button in self.findChildren(QAbstractButton)
                      if button is not picker.model_button)
        return self.width(), picker.model_button.name(), texts, self._models_wanted

    def _arrange(self) -> None:
        """The widest shape that fits: everything; without Models; then the switches one by one, from the last
        added, shown as icons."""
        self._arranged_for = self._contents()
        self.minimum_width()  # while the shape is being tried anyway
        parts = len(self._compactables())
        models_extra = self.picker.models_button.sizeHint().width() + self.layout().spacing()
        for compacted in range(parts + 1):
            self._set_compacted(compacted)
            without_models = row_width(self.layout()) - self._models_width()
            models = self._models_wanted and compacted == 0 and without_models + models_extra <= self.width()
            if models or compacted == parts or without_models <= self.width():
                break
        self.picker.models_button.setVisible(models)
        self.layout().invalidate()  # lay out the shape chosen (trying shapes may have laid out another)
        self.layout().activate()

    def _models_width(self) -> int:
        """What the Models button adds to the bar as it is now."""
        button = self.picker.models_button
        return 0 if button.isHidden() else button.sizeHint().width() + self.layout().spacing()

    def _compactables(self) -> list[Compactable]:
        widgets = [self._slots.itemAt(index).widget() for index in range(self._slots.count())]
        return [widget for widget in widgets if isinstance(widget, Compactable)]

    def _set_compacted(self, compacted: int) -> None:
        """The last ``compacted`` switches as icons, the others with their labels."""
        if compacted != self._compacted:
            self._compacted = compacted
            parts = self._compactables()
            for index, part in enumerate(parts):
                part.set_compact(index >= len(parts) - compacted)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if is_theme_change(event) or event.type() == QEvent.Type.FontChange:
            self.refresh_icons()
            self._arranged_for, self._minimum = (), ((), 0)  # sizes change with the style: measure again
        super().changeEvent(event)

    def refresh_icons(self) -> None:
        """Line icons in the palette's text colour (again after a theme change), for every button in the bar
        that names one (its ``icon_name`` property)."""
        color_icons(self, [button for button in self.findChildren(QAbstractButton) if button.property("icon_name")])


def row_width(layout: QLayout, minimum: bool = False) -> int:
    """The width a row of widgets and nested rows wants (or needs, with ``minimum``), summed from the widgets'
    own hints: unlike a layout's cached hint it follows a change made a moment ago, before any relayout."""
    margins = layout.contentsMargins()
    widths = []
    for index in range(layout.count()):
        item = layout.itemAt(index)
        widget = item.widget()
        if item.layout() is not None:
            widths.append(row_width(item.layout(), minimum))
        elif widget is not None and not widget.isHidden():
            if widget.layout() is not None:
                widths.append(row_width(widget.layout(), minimum))
            else:
                hint = widget.minimumSizeHint() if minimum and policy_shrinks(widget) else widget.sizeHint()
                widths.append(max(widget.minimumWidth(), min(widget.maximumWidth(), hint.width())))
    shown = [width for width in widths if width > 0]
    return margins.left() + margins.right() + sum(shown) + layout.spacing() * max(0, len(shown) - 1)


def policy_shrinks(widget: QWidget) -> bool:
    return bool(widget.sizePolicy().horizontalPolicy().value & QSizePolicy.PolicyFlag.ShrinkFlag.value)
