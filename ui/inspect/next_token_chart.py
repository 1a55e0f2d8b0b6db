"""The next-token distribution beside the sliders: what the model would write first, and what the settings
make of it.

The engine sends one ``NextTokenDistribution`` per forward pass (a debounced change of the composer or
the conversation); moving a slider only reshapes it here (engine.inspect.distribution.reshape, a few
microseconds) and repaints, with no engine call.  Each bar shows the model's own probability (outline)
and the probability after the settings (filled); tokens the settings cut are greyed.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from engine.inspect.distribution import NextTokenDistribution, ShapedDistribution, describe, reshape
from engine.runtime.settings import SamplingSettings
from ui.inspect.token_view import visible

ROWS = 15
ROW_HEIGHT = 18
LABEL_WIDTH = 92
VALUE_WIDTH = 48
EMPTY = "Type a message to see how the model's reply would start."


class NextTokenChart(QWidget):
    """A painted bar chart of the most likely next tokens."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Next-token chart")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(ROWS * ROW_HEIGHT + 6)
        self.distribution: NextTokenDistribution | None = None
        self.shaped: ShapedDistribution | None = None

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(260, ROWS * ROW_HEIGHT + 6)

    def show_distribution(self, distribution: NextTokenDistribution | None, shaped: ShapedDistribution | None) -> None:
        self.distribution, self.shaped = distribution, shaped
        self.setAccessibleDescription(self.describe_rows())
        self.update()

    def describe_rows(self) -> str:
        if self.distribution is None or self.shaped is None:
            return EMPTY
        rows = []
        for i in range(min(ROWS, self.distribution.ids.size)):
            after = self.shaped.probability[i]
            rows.append(f"{visible(self.distribution.texts[i])} {self.shaped.model_probability[i] * 100:.0f} % to the "
                        f"model, {'cut' if after <= 0 else f'{after * 100:.0f} % after the settings'}")
        return "; ".join(rows)

    def paintEvent(self, _event: object) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text_color = palette.color(QPalette.ColorRole.Text)
        muted = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        accent = palette.color(QPalette.ColorRole.Highlight)
        if self.distribution is None or self.shaped is None:
            painter.setPen(muted)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, EMPTY)
            return
        metrics = QFontMetrics(self.font())
        bar_left = LABEL_WIDTH + 6
        bar_width = max(20, self.width() - bar_left - VALUE_WIDTH - 4)
        peak = max(float(self.shaped.probability[:ROWS].max()), float(self.shaped.model_probability[:ROWS].max()),
                   1e-9)
        for row in range(min(ROWS, self.distribution.ids.size)):
            top = 3 + row * ROW_HEIGHT
            model = float(self.shaped.model_probability[row])
            after = float(self.shaped.probability[row])
            cut = after <= 0
            label = metrics.elidedText(visible(self.distribution.texts[row]), Qt.TextElideMode.ElideRight,
                                       LABEL_WIDTH)
            painter.setPen(muted if cut else text_color)
            painter.drawText(QRectF(0, top, LABEL_WIDTH, ROW_HEIGHT - 2),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
            bar = QRectF(bar_left, top + 3, bar_width * model / peak, ROW_HEIGHT - 8)
            painter.setPen(QPen(muted, 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(bar)  # the model's own probability: an outline
            if not cut:
                fill = QColor(accent)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(fill)
                painter.drawRect(QRectF(bar_left, top + 3, bar_width * after / peak, ROW_HEIGHT - 8))
            painter.setPen(muted if cut else text_color)
            value = "cut" if cut else f"{after * 100:.0f} %" if after >= 0.01 else "<1 %"
            painter.drawText(QRectF(self.width() - VALUE_WIDTH, top, VALUE_WIDTH, ROW_HEIGHT - 2),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, value)


class NextTokenPanel(QWidget):
    """The chart with a heading line and the plain sentence on how random the next token is."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Next token")
        self.intro = QLabel("How the reply would start if you sent what you typed now. Outline: the model's own "
                            "probability; filled: after the settings above.")
        self.intro.setWordWrap(True)
        self.intro.setObjectName("messageNote")
        self.chart = NextTokenChart()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("How random the next token is")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetMinimumSize)  # never squeezed over the chart
        layout.addWidget(self.intro)
        layout.addWidget(self.summary)  # the sentence first: it says what the chart shows in plain words
        layout.addWidget(self.chart)
        self.distribution: NextTokenDistribution | None = None
        self.last_reshape_s = 0.0  # what the last slider move cost here (reshape and repaint), for the benchmark

    def show_distribution(self, distribution: NextTokenDistribution | None, settings: SamplingSettings) -> None:
        self.distribution = distribution
        self.reshape(settings)

    def reshape(self, settings: SamplingSettings) -> None:
        """Redraw for new settings from the distribution already here (no engine call)."""
        started = time.perf_counter()
        if self.distribution is None:
            self.chart.show_distribution(None, None)
            self.summary.setText("")
        else:
            shaped = reshape(self.distribution, settings)
            self.chart.show_distribution(self.distribution, shaped)
            self.summary.setText(describe(shaped))
        self.chart.repaint()
        self.last_reshape_s = time.perf_counter() - started

    def show_pending(self, text: str) -> None:
        self.summary.setText(text)
