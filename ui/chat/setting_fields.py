"""A slider with a number field beside it, kept in step: drag for a rough value, type for an exact one.

Most settings map the slider linearly; max new tokens uses a list of stops (16, 32, 64 … up to the context)
because a slider from 1 to 4,096 in steps of 1 cannot hit a useful value.  The number field always takes
any value in range.
"""

from __future__ import annotations

from bisect import bisect_left

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDoubleSpinBox, QSlider, QSpinBox

TOKEN_STOPS = (16, 32, 64, 128, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096, 6144, 8192, 12288, 16384,
               24576, 32768, 65536, 131072)


def token_stops(context: int) -> list[int]:
    """Slider stops for max new tokens: the usual sizes below the context, and the context itself."""
    stops = [stop for stop in TOKEN_STOPS if stop < context]
    return [*stops, context] if context >= 1 else [1]


class NumberSetting(QObject):
    """One setting shown as a slider and a spin box; ``value`` is the number, ``changed`` fires on any edit."""

    changed = Signal()

    def __init__(self, title: str, low: float, high: float, step: float, decimals: int = 0,
                 special_zero: str = "") -> None:
        super().__init__()
        self.decimals, self.step = decimals, step
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setAccessibleName(f"{title} slider")
        if decimals:
            self.spin: QSpinBox | QDoubleSpinBox = QDoubleSpinBox()
            self.spin.setDecimals(decimals)
        else:
            self.spin = QSpinBox()
        self.spin.setAccessibleName(title)
        self.spin.setSingleStep(step)
        self.spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.spin.setKeyboardTracking(False)  # typing "512" is one change, not three
        self.spin.setMinimumWidth(84)
        if special_zero:
            self.spin.setSpecialValueText(special_zero)
        self._stops: list[int] | None = None
        self.set_range(low, high)
        self.slider.valueChanged.connect(self._on_slider_moved)
        self.spin.valueChanged.connect(self._on_spin_changed)

    def set_range(self, low: float, high: float) -> None:
        self.low, self.high = low, high
        self.spin.setRange(low, high)
        self.slider.setRange(0, round((high - low) / self.step))
        self._sync_slider()

    def use_stops(self, stops: list[int]) -> None:
        """Slider positions are these values (the spin box still takes any value from 1 to the last)."""
        self._stops = stops
        self.low, self.high = 1, stops[-1]
        self.spin.setRange(1, stops[-1])
        self.slider.setRange(0, len(stops) - 1)
        self.slider.setPageStep(1)
        self._sync_slider()

    @property
    def value(self) -> float:
        return round(self.spin.value(), self.decimals) if self.decimals else int(self.spin.value())

    def set_value(self, value: float) -> None:
        self.spin.setValue(value)
        self._sync_slider()

    def _sync_slider(self) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(self._position(self.spin.value()))
        self.slider.blockSignals(False)

    def _position(self, value: float) -> int:
        if self._stops is not None:
            index = bisect_left(self._stops, value)
            if index >= len(self._stops):
                return len(self._stops) - 1
            if index > 0 and value - self._stops[index - 1] < self._stops[index] - value:
                return index - 1
            return index
        return round((value - self.low) / self.step)

    def _on_slider_moved(self, position: int) -> None:
        value = self._stops[position] if self._stops is not None else self.low + position * self.step
        self.spin.blockSignals(True)
        self.spin.setValue(round(value, self.decimals) if self.decimals else int(value))
        self.spin.blockSignals(False)
        self.changed.emit()

    def _on_spin_changed(self, _value: float) -> None:
        self._sync_slider()
        self.changed.emit()
