"""What a reply and its conversation cost: tokens in, out and reused, time, and how the prompt grows.

Every turn the model reads the whole conversation again; the KV cache spares it re-processing what it
read last turn.  The chart shows one bar per reply on the way to this one: its whole prompt, with the
part the cache held shaded.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from engine.runtime.record import ReplyRecord
from ui.chat.conversation_model import ConversationTree, Node


@dataclass(frozen=True)
class Turn:
    prompt: int
    reused: int
    written: int
    seconds: float


def turns_until(node: Node, tree: ConversationTree) -> list[Turn]:
    """The replies on the active path up to and including ``node`` that have figures."""
    turns = []
    for item in tree.active_path():
        record: ReplyRecord | None = item.record if item.role == "assistant" else None
        if record is not None and record.finish_reason != "error":
            turns.append(Turn(record.prompt_tokens, record.reused_tokens, record.generated_tokens, record.total_s))
        if item is node:
            break
    return turns


def summary(turns: list[Turn]) -> str:
    """The plain sentences under the chart."""
    if not turns:
        return "No figures were kept for this conversation."
    read = sum(t.prompt for t in turns)
    reused = sum(t.reused for t in turns)
    written = sum(t.written for t in turns)
    last = turns[-1]
    saved = f"{reused * 100 / read:.0f} %" if read else "0 %"
    return (f"Every turn the model reads the whole conversation again: reply {len(turns)} read {last.prompt:,} "
            f"tokens to write {last.written:,}. Over the {len(turns)} replies so far it read {read:,} tokens and "
            f"wrote {written:,} in {sum(t.seconds for t in turns):.1f} s. The KV cache already held {reused:,} of "
            f"the tokens read ({saved}), so only the rest had to be processed.")


class PromptGrowthChart(QWidget):
    def __init__(self, turns: list[Turn], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.turns = turns
        self.setAccessibleName("Prompt size per reply")
        self.setAccessibleDescription("; ".join(f"reply {i + 1}: {t.prompt} tokens read, {t.reused} from the cache"
                                                for i, t in enumerate(turns)))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(150)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(400, 150)

    def paintEvent(self, _event: object) -> None:  # noqa: N802 - Qt override
        if not self.turns:
            return
        painter = QPainter(self)
        palette = self.palette()
        accent = palette.color(QPalette.ColorRole.Highlight)
        cached = QColor(accent)
        cached.setAlpha(90)
        text = palette.color(QPalette.ColorRole.Text)
        peak = max(t.prompt for t in self.turns) or 1
        bottom, height = self.height() - 18, self.height() - 34
        slot = min(48.0, (self.width() - 40) / len(self.turns))
        for index, turn in enumerate(self.turns):
            left = 36 + index * slot
            total = height * turn.prompt / peak
            reused = height * turn.reused / peak
            painter.fillRect(QRectF(left, bottom - total, slot * 0.7, total - reused), accent)
            painter.fillRect(QRectF(left, bottom - reused, slot * 0.7, reused), cached)
            painter.setPen(text)
            painter.drawText(QRectF(left - 4, bottom + 2, slot * 0.7 + 8, 14), Qt.AlignmentFlag.AlignCenter,
                             str(index + 1))
        painter.drawText(QRectF(0, 0, 34, 14), Qt.AlignmentFlag.AlignLeft, f"{peak:,}")
        painter.drawText(QRectF(0, bottom - 12, 34, 14), Qt.AlignmentFlag.AlignLeft, "0")


class CostView(QWidget):
    def __init__(self, node: Node, tree: ConversationTree, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        record = node.record
        if record is None:
            figures = "This reply has no figures."
        else:
            decode_s = max(0.0, record.total_s - record.ttft_s)
            figures = (f"<b>This reply:</b> read {record.prompt_tokens:,} tokens ({record.reused_tokens:,} reused from "
                       f"the cache), wrote {record.generated_tokens:,}. First token after {record.ttft_s * 1000:.0f} ms "
                       f"(mostly reading the prompt: prefill); then {decode_s:.2f} s writing at "
                       f"{record.decode_tokens_per_s:.0f} tokens/s (decode).")
        self.figures = QLabel(figures)
        self.figures.setWordWrap(True)
        turns = turns_until(node, tree)
        self.chart = PromptGrowthChart(turns)
        caption = QLabel("Tokens read per reply (1 = the first reply of this conversation). Light: already in the "
                         "KV cache; dark: processed anew.")
        caption.setWordWrap(True)
        caption.setObjectName("messageNote")
        self.summary = QLabel(summary(turns))
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("What the conversation cost")
        layout = QVBoxLayout(self)
        layout.addWidget(self.figures)
        layout.addWidget(self.chart)
        layout.addWidget(caption)
        layout.addWidget(self.summary)
        layout.addStretch(1)
