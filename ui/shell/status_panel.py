"""The status bar: the model and provider in use, live progress while a reply streams, its figures afterwards.

While a reply streams, the engine reports exact token counts with each chunk; the bar shows
them with the rate they arrive at and fills the context meter as the reply grows.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QProgressBar, QSizePolicy, QStatusBar, QWidget

from engine.remote.address import host_of
from engine.runtime.model import ModelInfo
from engine.runtime.providers import LABELS
from engine.runtime.record import ReplyRecord
from ui.shell.elided_label import ElidedLabel


class StatusPanel(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Status")
        self.activity = ElidedLabel("No model loaded")
        self.activity.setAccessibleName("Reply status")
        # the figures give way (clipped, whole in the tooltip) rather than push the context meter off a narrow window
        self.activity.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.activity.setMinimumWidth(80)
        self.model_label = QLabel()
        self.model_label.setAccessibleName("Model in use")
        self.context_label = QLabel()
        self.context_label.setAccessibleName("Context used in tokens")
        self.context_meter = QProgressBar()
        self.context_meter.setAccessibleName("Context used")
        self.context_meter.setFixedSize(90, 8)
        self.context_meter.setTextVisible(False)
        self.addWidget(self.activity, 1)
        self.addPermanentWidget(self.model_label)
        self.addPermanentWidget(self.context_label)
        self.addPermanentWidget(self.context_meter)
        self._context_length = 0
        self.show_context(0)  # hidden until a model is loaded

    def show_loading(self, path: str) -> None:
        self.activity.setText(f"Loading {path}…")

    def show_model(self, info: ModelInfo) -> None:
        provider = LABELS.get(info.provider, info.provider)
        if info.server:
            self.model_label.setText(f"{info.name} · {host_of(info.server)}")
            self.model_label.setToolTip(f"Replies come from the server at {info.server}")
        else:
            self.model_label.setText(f"{info.name} · {provider}")
            self.model_label.setToolTip(info.fallback_reason or f"Running on {provider}")
        if info.fallback_reason:  # the whole sentence is in the banner and the tooltip; the bar stays short
            wanted = LABELS.get(info.fallback_from, "the GPU")
            self.activity.setText(f"Running on the CPU instead of {wanted}")
            self.activity.setToolTip(info.fallback_reason)
        else:
            self.activity.setText("Ready")
            self.activity.setToolTip("")
        self._context_length = info.context_length
        self.context_meter.show()
        self.show_context(0)

    def show_streaming(self, elapsed_s: float, tokens: int, tokens_per_s: float | None) -> None:
        rate = f" · {_rate(tokens_per_s)} tokens/s" if tokens_per_s else ""
        self.activity.setText(f"Writing… {tokens} tokens in {elapsed_s:.1f} s{rate}")

    def show_record(self, record: ReplyRecord, greedy: bool = False) -> None:
        """A finished reply's figures; a greedy reply (temperature 0) drew nothing at random, so no seed."""
        reused = f", {record.reused_tokens} reused from cache" if record.reused_tokens else ""
        seed = "greedy" if greedy or record.seed is None else f"seed {record.seed}"
        estimate = " · client-side estimate" if record.counted_by == "client" else ""
        self.activity.setText(
            f"First token {record.ttft_s * 1000:.0f} ms · {_rate(record.decode_tokens_per_s)} tokens/s · "
            f"{record.prompt_tokens} tokens in{reused} · {record.generated_tokens} out · {seed}{estimate}")
        self.activity.setToolTip(" ".join([self.activity.text() + ".", *record.notes]))  # whole, if it is cut
        self.show_context(record.prompt_tokens + record.generated_tokens)

    def show_idle(self, text: str) -> None:
        self.activity.setText(text)

    def show_no_model(self) -> None:
        self._context_length = 0
        self.model_label.clear()
        self.model_label.setToolTip("")
        self.show_idle("No model loaded")
        self.show_context(0)

    def show_context(self, used: int) -> None:
        self.context_label.setVisible(self._context_length > 0)  # no model, no context to speak of
        self.context_meter.setVisible(self._context_length > 0)
        total = max(1, self._context_length)
        self.context_meter.setRange(0, total)
        self.context_meter.setValue(min(used, total))
        self.context_label.setText(f"context {used} / {self._context_length}")
        tip = f"{used} of the model's {self._context_length} tokens of context are used by this conversation"
        self.context_meter.setToolTip(tip)
        self.context_label.setToolTip(tip)


def _rate(tokens_per_s: float) -> str:
    return f"{tokens_per_s:.0f}" if tokens_per_s >= 100 else f"{tokens_per_s:.1f}"
