"""Sampling settings with live values and plain-language tooltips; changes apply to the next reply."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QSlider,
                               QSpinBox, QVBoxLayout, QWidget)

from engine.runtime.settings import MAX_SEED, REPETITION_PENALTY_RANGE, TEMPERATURE_RANGE, TOP_K_RANGE, SamplingSettings

DEFAULT_CONTEXT = 2048
TOKEN_CHOICES = 5


@dataclass(frozen=True)
class _Scale:
    """Maps a slider's integer positions to a setting's values."""

    low: float
    step: float
    decimals: int

    def value(self, position: int) -> float:
        return round(self.low + position * self.step, self.decimals)

    def position(self, value: float) -> int:
        return round((value - self.low) / self.step)


TIPS = {
    "temperature": "How adventurous the model is: 0 always picks the most likely next token (same reply every "
                   "time); higher values pick less likely tokens more often, which is more varied but can "
                   "wander off.",
    "max_new_tokens": "The longest reply the model may write, in tokens (pieces of words, roughly ¾ of a word "
                      "each). The reply stops earlier when the model decides it is done.",
    "top_p": "Only the most likely next tokens that together make up this share of the probability are "
             "considered. Lower values keep the model to safe choices; 1 considers everything.",
    "top_k": "Only this many of the most likely next tokens are considered. 0 means no limit.",
    "repetition_penalty": "Makes tokens that already appeared less likely, so the model repeats itself less. "
                          "1 means no penalty.",
    "seed": "The random seed. With a fixed seed the same settings and conversation give the same reply; "
            "otherwise every reply is drawn fresh.",
    "token_choices": "Keep, for every token of the next replies, the five tokens the model found most likely and "
                     "how likely each was; open them with Token choices on the reply.",
    "system_prompt": "Instructions the model reads before the conversation, such as \"Answer briefly.\" Not "
                     "every model follows them.",
}


THEMES = {"system": "Follow the system", "light": "Light", "dark": "Dark"}


class SettingsPanel(QWidget):
    changed = Signal()
    theme_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Reply settings")
        self._sliders: dict[str, tuple[QSlider, QLabel, _Scale]] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._add_slider(form, "temperature", "Temperature", _Scale(0.0, 0.05, 2), TEMPERATURE_RANGE[1])
        self._add_slider(form, "max_new_tokens", "Max new tokens", _Scale(0, 1, 0), DEFAULT_CONTEXT, minimum=1)
        self._add_slider(form, "top_p", "Top-p", _Scale(0.0, 0.05, 2), 1.0, minimum=1)
        self._add_slider(form, "top_k", "Top-k", _Scale(0, 1, 0), TOP_K_RANGE[1])
        self._add_slider(form, "repetition_penalty", "Repetition penalty", _Scale(1.0, 0.05, 2),
                         REPETITION_PENALTY_RANGE[1])
        form.addRow(self._label("Seed", "seed"), self._build_seed())
        self.choices_check = QCheckBox("Keep for each token")
        self.choices_check.setAccessibleName("Keep token choices")
        self.choices_check.setToolTip(TIPS["token_choices"])
        form.addRow(self._label("Token choices", "token_choices"), self.choices_check)
        self.system_prompt_edit = QPlainTextEdit()
        self.system_prompt_edit.setAccessibleName("System prompt")
        self.system_prompt_edit.setToolTip(TIPS["system_prompt"])
        self.system_prompt_edit.setPlaceholderText("Optional instructions for the model")
        self.system_prompt_edit.setFixedHeight(80)
        self.reset_button = QPushButton("Reset to defaults")
        self.reset_button.setAccessibleName("Reset settings to defaults")
        self.reset_button.clicked.connect(self.reset)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        heading = QLabel("Reply settings")
        heading.setObjectName("panelHeading")
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self._label("System prompt", "system_prompt"))
        layout.addWidget(self.system_prompt_edit)
        layout.addWidget(self.reset_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addSpacing(12)
        appearance = QLabel("Appearance")
        appearance.setObjectName("panelHeading")
        layout.addWidget(appearance)
        self.theme_combo = QComboBox()
        self.theme_combo.setAccessibleName("Colour theme")
        for key, label in THEMES.items():
            self.theme_combo.addItem(label, key)
        self.theme_combo.currentIndexChanged.connect(lambda _index: self.theme_changed.emit(self.theme()))
        layout.addWidget(self.theme_combo, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch()
        self.reset()

    def _label(self, text: str, key: str) -> QLabel:
        label = QLabel(text)
        label.setToolTip(TIPS[key])
        return label

    def _add_slider(self, form: QFormLayout, key: str, title: str, scale: _Scale, maximum: float,
                    minimum: int = 0) -> None:
        slider = QSlider(Qt.Orientation.Horizontal)
        slider.setRange(minimum, scale.position(maximum))
        slider.setAccessibleName(title)
        slider.setToolTip(TIPS[key])
        value = QLabel()
        value.setMinimumWidth(40)
        value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        value.setAccessibleName(f"{title} value")
        slider.valueChanged.connect(lambda position: self._on_slider_moved(key, position))
        row = QHBoxLayout()
        row.addWidget(slider, 1)
        row.addWidget(value)
        form.addRow(self._label(title, key), row)
        self._sliders[key] = (slider, value, scale)

    def _build_seed(self) -> QWidget:
        box = QWidget()
        self.fixed_seed_check = QCheckBox("Fixed")
        self.fixed_seed_check.setAccessibleName("Use a fixed seed")
        self.fixed_seed_check.setToolTip(TIPS["seed"])
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, MAX_SEED)
        self.seed_spin.setAccessibleName("Seed")
        self.seed_spin.setToolTip(TIPS["seed"])
        self.fixed_seed_check.toggled.connect(self.seed_spin.setEnabled)
        self.fixed_seed_check.toggled.connect(self.changed)
        self.seed_spin.valueChanged.connect(self.changed)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.fixed_seed_check)
        row.addWidget(self.seed_spin, 1)
        return box

    def _on_slider_moved(self, key: str, position: int) -> None:
        _slider, label, scale = self._sliders[key]
        value = scale.value(position)
        label.setText(("off" if key == "top_k" and value == 0 else f"{value:g}") if scale.decimals == 0
                      else f"{value:.2f}")
        self.changed.emit()

    def _set(self, key: str, value: float) -> None:
        slider, _label, scale = self._sliders[key]
        slider.setValue(scale.position(value))
        self._on_slider_moved(key, slider.value())

    def _get(self, key: str) -> float:
        slider, _label, scale = self._sliders[key]
        return scale.value(slider.value())

    def set_context_length(self, tokens: int) -> None:
        """A reply can be at most as long as the model's context."""
        slider = self._sliders["max_new_tokens"][0]
        slider.setMaximum(max(1, tokens))
        slider.setPageStep(max(1, tokens // 16))

    def apply(self, settings: SamplingSettings) -> None:
        self._set("temperature", settings.temperature)
        self._set("max_new_tokens", settings.max_new_tokens)
        self._set("top_p", settings.top_p)
        self._set("top_k", min(settings.top_k, TOP_K_RANGE[1]))
        self._set("repetition_penalty", settings.repetition_penalty)
        self.fixed_seed_check.setChecked(settings.seed is not None)
        self.seed_spin.setEnabled(settings.seed is not None)
        if settings.seed is not None:
            self.seed_spin.setValue(settings.seed)

    def token_choices(self) -> int:
        """How many candidate tokens to keep per step of the next reply (0: none)."""
        return TOKEN_CHOICES if self.choices_check.isChecked() else 0

    def use_seed(self, seed: int) -> None:
        """Fix the seed (from a reply the user wants to repeat)."""
        self.seed_spin.setValue(seed)
        self.fixed_seed_check.setChecked(True)

    def reset(self) -> None:
        self.apply(SamplingSettings())
        self.system_prompt_edit.clear()

    def settings(self) -> SamplingSettings:
        return SamplingSettings(
            temperature=self._get("temperature"), top_p=self._get("top_p"), top_k=int(self._get("top_k")),
            repetition_penalty=self._get("repetition_penalty"), max_new_tokens=int(self._get("max_new_tokens")),
            seed=self.seed_spin.value() if self.fixed_seed_check.isChecked() else None)

    def theme(self) -> str:
        """"system", "light" or "dark"."""
        return self.theme_combo.currentData()

    def set_theme(self, theme: str) -> None:
        self.theme_combo.setCurrentIndex(max(0, self.theme_combo.findData(theme)))

    def system_prompt(self) -> str:
        return self.system_prompt_edit.toPlainText()

    def next_reply(self) -> tuple[SamplingSettings, str]:
        """The settings and system prompt for the reply about to be requested."""
        return self.settings(), self.system_prompt()
