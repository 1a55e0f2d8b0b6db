"""Reply settings: each a slider with a number field, plain-language tooltips, the seed, the system prompt;
then the window's appearance (theme, text size).  Changes apply to the next reply.

Other parts of the window add their own sections with ``add_section`` (they appear above Appearance).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QApplication, QCheckBox, QComboBox, QGridLayout, QHBoxLayout, QLabel, QPlainTextEdit,
                               QPushButton, QSpinBox, QVBoxLayout, QWidget)

from engine.runtime.settings import MAX_SEED, REPETITION_PENALTY_RANGE, TEMPERATURE_RANGE, TOP_K_RANGE, SamplingSettings
from ui.chat.setting_fields import NumberSetting, token_stops
from ui.shell.a11y import label_for
from ui.shell.theme import THEMES

DEFAULT_CONTEXT = 2048
TOKEN_CHOICES = 5
TEXT_SIZES = (8, 32)  # points


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
    "text_size": "The size of the conversation's text, code included.",
    "theme": "Light, dark, high contrast, or whatever the system uses.",
}


def default_text_size() -> float:
    """A point above the interface's font: the conversation is read at length, like a document."""
    app = QApplication.instance()
    size = app.font().pointSizeF() if app is not None else 10.0
    return (size if size > 0 else 10.0) + 1


class SettingsPanel(QWidget):
    changed = Signal()
    theme_changed = Signal(str)
    text_size_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsPanel")
        self.setAccessibleName("Reply settings")
        self.fields: dict[str, NumberSetting] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        self._grid = grid
        self._add_number("temperature", "Temperature", NumberSetting("Temperature", *TEMPERATURE_RANGE, 0.05, 2))
        self._add_number("max_new_tokens", "Max new tokens", NumberSetting("Max new tokens", 1, DEFAULT_CONTEXT, 1))
        self.fields["max_new_tokens"].use_stops(token_stops(DEFAULT_CONTEXT))
        self._add_number("top_p", "Top-p", NumberSetting("Top-p", 0.05, 1.0, 0.05, 2))
        self._add_number("top_k", "Top-k", NumberSetting("Top-k", *TOP_K_RANGE, 1, special_zero="off"))
        self._add_number("repetition_penalty", "Repetition penalty",
                         NumberSetting("Repetition penalty", *REPETITION_PENALTY_RANGE, 0.05, 2))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(8)
        layout.addWidget(_heading("Reply settings"))
        layout.addLayout(grid)
        layout.addWidget(self._build_seed())
        self.choices_check = QCheckBox("Keep token choices")
        self.choices_check.setAccessibleName("Keep token choices")
        self.choices_check.setToolTip(TIPS["token_choices"])
        layout.addWidget(self.choices_check)
        self.system_prompt_edit = QPlainTextEdit()
        self.system_prompt_edit.setAccessibleName("System prompt")
        self.system_prompt_edit.setToolTip(TIPS["system_prompt"])
        self.system_prompt_edit.setPlaceholderText("Optional instructions for the model")
        self.system_prompt_edit.setTabChangesFocus(True)
        self.system_prompt_edit.setFixedHeight(80)
        prompt_label = self._label("System prompt", "system_prompt")
        label_for(prompt_label, self.system_prompt_edit)
        layout.addWidget(prompt_label)
        layout.addWidget(self.system_prompt_edit)
        self.reset_button = QPushButton("Reset to defaults")
        self.reset_button.setAccessibleName("Reset settings to defaults")
        self.reset_button.clicked.connect(self.reset)
        layout.addWidget(self.reset_button, 0, Qt.AlignmentFlag.AlignLeft)
        self._sections = QVBoxLayout()
        self._sections.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._sections)
        layout.addSpacing(10)
        layout.addWidget(_heading("Appearance"))
        layout.addLayout(self._build_appearance())
        layout.addStretch()
        self.reset()

    def _label(self, text: str, key: str) -> QLabel:
        label = QLabel(text)
        label.setToolTip(TIPS[key])
        return label

    def _add_number(self, key: str, title: str, setting: NumberSetting) -> None:
        row = self._grid.rowCount()
        label = self._label(title, key)
        label_for(label, setting.spin)
        setting.spin.setToolTip(TIPS[key])
        setting.slider.setToolTip(TIPS[key])
        self._grid.addWidget(label, row, 0)
        self._grid.addWidget(setting.spin, row, 1)
        self._grid.addWidget(setting.slider, row + 1, 0, 1, 2)
        self._grid.setRowMinimumHeight(row + 2, 6)
        self._grid.setColumnStretch(0, 1)
        setting.changed.connect(self.changed)
        self.fields[key] = setting

    def _build_seed(self) -> QWidget:
        box = QWidget()
        self.fixed_seed_check = QCheckBox("Fixed seed")
        self.fixed_seed_check.setAccessibleName("Use a fixed seed")
        self.fixed_seed_check.setToolTip(TIPS["seed"])
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, MAX_SEED)
        self.seed_spin.setAccessibleName("Seed")
        self.seed_spin.setToolTip(TIPS["seed"])
        self.seed_spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.fixed_seed_check.toggled.connect(self.seed_spin.setEnabled)
        self.fixed_seed_check.toggled.connect(self.changed)
        self.seed_spin.valueChanged.connect(self.changed)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.fixed_seed_check)
        row.addWidget(self.seed_spin, 1)
        return box

    def _build_appearance(self) -> QGridLayout:
        self.theme_combo = QComboBox()
        self.theme_combo.setAccessibleName("Colour theme")
        self.theme_combo.setToolTip(TIPS["theme"])
        for key, label in THEMES.items():
            self.theme_combo.addItem(label, key)
        self.theme_combo.currentIndexChanged.connect(lambda _index: self.theme_changed.emit(self.theme()))
        self.text_size_spin = QSpinBox()
        self.text_size_spin.setRange(*TEXT_SIZES)
        self.text_size_spin.setSuffix(" pt")
        self.text_size_spin.setAccessibleName("Text size")
        self.text_size_spin.setToolTip(TIPS["text_size"])
        self.text_size_spin.setValue(round(default_text_size()))
        self.text_size_spin.valueChanged.connect(lambda value: self.text_size_changed.emit(float(value)))
        grid = QGridLayout()
        for row, (text, key, field) in enumerate((("Theme", "theme", self.theme_combo),
                                                  ("Text size", "text_size", self.text_size_spin))):
            label = self._label(text, key)
            label_for(label, field)  # on Linux a combo box's name comes from its label
            grid.addWidget(label, row, 0)
            grid.addWidget(field, row, 1)
        grid.setColumnStretch(1, 1)
        return grid

    def add_section(self, title: str, widget: QWidget) -> None:
        """Another part's settings (a heading and its widget), shown above Appearance."""
        if title:
            self._sections.addSpacing(10)
            self._sections.addWidget(_heading(title))
        self._sections.addWidget(widget)

    def set_context_length(self, tokens: int) -> None:
        """A reply can be at most as long as the model's context."""
        self.fields["max_new_tokens"].use_stops(token_stops(max(1, tokens)))

    def apply(self, settings: SamplingSettings) -> None:
        fields = self.fields
        fields["temperature"].set_value(settings.temperature)
        fields["max_new_tokens"].set_value(settings.max_new_tokens)
        fields["top_p"].set_value(settings.top_p)
        fields["top_k"].set_value(min(settings.top_k, TOP_K_RANGE[1]))
        fields["repetition_penalty"].set_value(settings.repetition_penalty)
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
        fields = self.fields
        return SamplingSettings(
            temperature=fields["temperature"].value, top_p=fields["top_p"].value, top_k=int(fields["top_k"].value),
            repetition_penalty=fields["repetition_penalty"].value,
            max_new_tokens=int(fields["max_new_tokens"].value),
            seed=self.seed_spin.value() if self.fixed_seed_check.isChecked() else None)

    def theme(self) -> str:
        """"system", "light", "dark" or "high_contrast"."""
        return self.theme_combo.currentData()

    def set_theme(self, theme: str) -> None:
        self.theme_combo.setCurrentIndex(max(0, self.theme_combo.findData(theme)))

    def text_size(self) -> float:
        return float(self.text_size_spin.value())

    def set_text_size(self, points: float) -> None:
        self.text_size_spin.setValue(round(points))

    def system_prompt(self) -> str:
        return self.system_prompt_edit.toPlainText()

    def next_reply(self) -> tuple[SamplingSettings, str]:
        """The settings and system prompt for the reply about to be requested."""
        return self.settings(), self.system_prompt()


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("panelHeading")
    return label
