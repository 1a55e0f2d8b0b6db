"""The tokens a reply was written with, and the ones the model weighed against each of them.

This is the explainer's core fact made visible: at every step the model gives each possible next
token a probability; temperature, top-k and top-p reshape that distribution, and one token is drawn.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from engine.runtime.record import END_OF_REPLY, PART_OF_CHARACTER, TokenStep
from ui.inert_text import inert_text

COLUMNS = ("Written", "Model's chance", "Chance after settings", "Other likely tokens (model's chance)")
INTRO = ("At every step the model gives each possible next token a probability (the model's chance). "
         "Temperature, top-k and top-p reshape those probabilities (the chance after settings), then one "
         "token is drawn. With temperature 0 the most likely token is always taken. Tokens in bold were not "
         "the model's first choice. A server reports only the model's chance (— after settings).")


def shown(text: str) -> str:
    """Quote a token so its spaces and line breaks can be seen (labels such as "end of reply" stay as they are)."""
    if text in (END_OF_REPLY, PART_OF_CHARACTER):
        return text
    return "“" + inert_text(text.replace(" ", "␣").replace("\n", "⏎")) + "”"


def percent(probability: float) -> str:
    if math.isnan(probability):
        return "—"  # a server reports the model's chance only
    return f"{probability * 100:.1f}%" if probability >= 0.001 else "<0.1%"


class TokenChoicesDialog(QDialog):
    def __init__(self, steps: list[TokenStep], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Token choices")
        self.setAccessibleName("Token choices")
        self.resize(720, 480)
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        self.table = QTableWidget(len(steps), len(COLUMNS))
        self.table.setAccessibleName("Tokens of the reply")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        for row, step in enumerate(steps):
            self._fill(row, step)
        self.table.resizeColumnsToContents()
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table)

    def _fill(self, row: int, step: TokenStep) -> None:
        chosen = step.chosen
        others = ", ".join(f"{shown(a.text)} {percent(a.model_probability)}" for a in step.alternatives
                           if not a.chosen)
        cells = (shown(chosen.text), percent(chosen.model_probability), percent(chosen.drawn_probability), others)
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if column in (1, 2):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if column == 0 and not step.alternatives[0].chosen:
                item.setToolTip("Not the model's most likely token: the draw picked it, so another seed could "
                                "have written something else here.")
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.table.setItem(row, column, item)
