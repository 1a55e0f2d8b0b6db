"""A reply shown token by token: each token shaded by how sure the model was, with the road not taken.

Darker means the model gave the written token less probability: that is where it hesitated and where
another seed could have written something else.  Hovering a token says so in a tooltip; clicking it
opens a small popover with the tokens the model weighed at that step, their probability under the
model and under the settings (greyed when temperature, top-k or top-p cut them), and a way to continue
the reply from that point with another token.  The token written comes first in the popover, marked, and
the others follow in the model's order.

With the keyboard, Tab enters the view (and leaves it); Left and Right move a highlight token by token (Home
and End: the first and last), Enter or Space opens the popover, and Esc closes it and comes back to the token.
The highlight is an extra selection over the token's characters, so a long reply costs no widget per token.
"""

from __future__ import annotations

import html
import math
from typing import Sequence

from PySide6.QtCore import QPoint, QRect, QUrl, Qt, Signal
from PySide6.QtGui import QColor, QCursor, QFocusEvent, QHideEvent, QKeyEvent, QPalette, QTextCursor
from PySide6.QtWidgets import (QFrame, QGridLayout, QLabel, QProgressBar, QPushButton, QScrollArea, QTextEdit,
                               QToolTip, QVBoxLayout, QWidget)

from engine.runtime.record import END_OF_REPLY, PART_OF_CHARACTER, Alternative, TokenStep
from ui.chat.safe_text import SafeBrowser

LEGEND = ("Each token is shaded by how sure the model was of it: the darker, the less sure. Click a token to see "
          "what else the model could have written there, and to continue the reply from there instead "
          "(keyboard: ← → move between tokens, Enter shows the choices).")
KEYS_HELP = "Left and Right arrows move between tokens; Enter shows the choices."
POPOVER_HELP = ("Model: the probability the model gave each token. After settings: what temperature, top-k, "
                "top-p and the repetition penalty left it when the token was drawn (greyed: cut, it could not "
                "be drawn). Click another token to continue the reply from here with it; this reply is kept as "
                "the other version.")
HESITATION = QColor(236, 130, 20)  # amber: the hue of "the model was unsure here"


def pieces(content: str, labels: Sequence[str]) -> list[str]:
    """The part of ``content`` each token wrote, from the tokens' labels.

    A character made of several byte tokens is written by the last of them (the earlier ones show
    nothing); the end-of-reply token writes nothing.  If the labels cannot be lined up with the text
    (a reply edited by hand), the labels themselves are returned.
    """
    out: list[str] = []
    position = 0
    pending: list[int] = []  # byte tokens waiting for their character
    for label in labels:
        if label == PART_OF_CHARACTER:
            pending.append(len(out))
            out.append("")
            continue
        if label == END_OF_REPLY:
            out.append("")
            continue
        text = label
        if position == 0 and not pending and not content.startswith(text) and content.startswith(text.lstrip(" ")):
            text = text.lstrip(" ")  # the space before a chat reply's first word is not shown
        found = content.find(text, position) if pending else (position if content.startswith(text, position) else -1)
        if found < 0:
            return list(labels)
        if pending:
            out[pending[-1]] = content[position:found]
            pending = []
        out.append(text)
        position = found + len(text)
    if pending:
        out[pending[-1]] = content[position:]
        position = len(content)
    return out if position == len(content) else list(labels)


def shade(probability: float, index: int, dark: bool) -> str:
    """The background of a token: nearly clear when the model was sure, amber as it hesitated.  Neighbours
    alternate slightly so a boundary shows between two equally sure tokens."""
    alpha = 0.07 + 0.6 * (1.0 - max(0.0, min(1.0, probability))) + (0.05 if index % 2 else 0.0)
    color = QColor(HESITATION)
    if dark:
        color = color.darker(130)
    return f"rgba({color.red()},{color.green()},{color.blue()},{alpha:.2f})"


def percent(probability: float) -> str:
    if math.isnan(probability):
        return "—"  # not known (a server that gives the model's probabilities only)
    if probability <= 0:
        return "0 %"
    return f"{probability * 100:.1f} %" if probability >= 0.001 else "<0.1 %"


def visible(text: str) -> str:
    """A token on its own, with its spaces and line breaks made visible."""
    if text in (END_OF_REPLY, PART_OF_CHARACTER):
        return text
    return "“" + text.replace(" ", "␣").replace("\n", "⏎").replace("\t", "⇥") + "”"


class TokenView(SafeBrowser):
    """The reply's text as tokens; ``continue_requested(step, token id)`` when an alternative is clicked."""

    continue_requested = Signal(int, int)

    def __init__(self, content: str, steps: Sequence[TokenStep], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Reply tokens")
        self.setMouseTracking(True)
        self.steps = list(steps)
        self.pieces = pieces(content, [s.chosen.text for s in self.steps])
        self.popover: TokenPopover | None = None
        self.can_continue = True
        self.spans: list[tuple[int, int, int]] = []  # (step, first character, end) of each token shown
        self.current: int | None = None  # which of ``spans`` has the keyboard highlight
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # the arrows walk the tokens; Tab leaves the view (a browser's own link walk would stop on every token)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.setAccessibleDescription(KEYS_HELP)
        self.anchorClicked.connect(self._on_token_clicked)
        self.highlighted.connect(self._on_token_hovered)
        self.render()

    def render(self) -> None:
        dark = self.palette().color(QPalette.ColorRole.Base).lightness() < 128
        ink = self.palette().color(QPalette.ColorRole.Text).name()
        parts = []
        for index, (step, piece) in enumerate(zip(self.steps, self.pieces)):
            shown = piece if piece else (" [end]" if step.chosen.text == END_OF_REPLY else "")
            if not shown:
                continue
            text = html.escape(shown).replace("\n", "<br>")
            background = shade(step.chosen.model_probability, index, dark)
            parts.append(f'<a href="token:{index}" style="background-color:{background};color:{ink};'
                         f'text-decoration:none">{text}</a>')
        self.setHtml(f'<div style="white-space:pre-wrap">{"".join(parts)}</div>')
        self.spans = token_spans(self)
        if self.current is not None:
            self.current = min(self.current, len(self.spans) - 1) if self.spans else None
        if self.current is not None and self.hasFocus():
            self._highlight()

    # --- the keyboard ------------------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key, last = event.key(), len(self.spans) - 1
        moves = {Qt.Key.Key_Right: (self.current or 0) + (self.current is not None),
                 Qt.Key.Key_Left: (self.current or 0) - 1, Qt.Key.Key_Home: 0, Qt.Key.Key_End: last}
        if key in moves and self.spans and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.current = max(0, min(last, moves[key]))
            self._highlight()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space) and self.spans:
            self.open_current()
        else:
            super().keyPressEvent(event)

    def open_current(self) -> "TokenPopover":
        """The popover of the highlighted token (the first when none is), opened from the keyboard: focus
        goes into it, and back to the token when it closes."""
        if self.current is None:
            self.current = 0
            self._highlight()
        step, start, end = self.spans[self.current]
        cursor = QTextCursor(self.document())
        cursor.setPosition(end)
        where = self.viewport().mapToGlobal(self.cursorRect(cursor).bottomLeft())
        popover = self.show_popover(step, where - QPoint(8, 12))
        popover.closed.connect(lambda: self.setFocus(Qt.FocusReason.PopupFocusReason))
        popover.focus_first_row()
        return popover

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt override
        super().focusInEvent(event)
        if self.spans and event.reason() != Qt.FocusReason.MouseFocusReason:  # a click marks its own token
            self.current = self.current if self.current is not None else 0
            self._highlight()

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt override
        super().focusOutEvent(event)
        if event.reason() != Qt.FocusReason.PopupFocusReason:  # a popover keeps its token marked
            self.setExtraSelections([])

    def _highlight(self) -> None:
        """Mark the current token as a selection would, say it to assistive technology and scroll it into view."""
        step, start, end = self.spans[self.current]
        selection = QTextEdit.ExtraSelection()
        selection.cursor = QTextCursor(self.document())
        selection.cursor.setPosition(start)
        selection.cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        palette = self.palette()
        selection.format.setBackground(palette.color(QPalette.ColorRole.Highlight))
        selection.format.setForeground(palette.color(QPalette.ColorRole.HighlightedText))
        self.setExtraSelections([selection])
        chosen = self.steps[step].chosen
        self.setAccessibleDescription(f"Token {step + 1} of {len(self.steps)}: {visible(chosen.text)}, "
                                      f"{percent(chosen.model_probability)} to the model. {KEYS_HELP}")
        self._scroll_into_view(self.cursorRect(selection.cursor))

    def _scroll_into_view(self, rect: QRect) -> None:
        """Show ``rect`` (in the viewport) in the chat's scroll area: the view itself does not scroll."""
        area = self.parentWidget()
        while area is not None and not isinstance(area, QScrollArea):
            area = area.parentWidget()
        if area is not None and area.widget() is not None:
            point = self.viewport().mapTo(area.widget(), rect.center())
            area.ensureVisible(point.x(), point.y(), 40, rect.height() + 24)

    def _index(self, url: QUrl) -> int | None:
        text = url.toString()
        return int(text.split(":", 1)[1]) if text.startswith("token:") else None

    def _on_token_hovered(self, url: QUrl) -> None:
        index = self._index(url)
        if index is None:
            QToolTip.hideText()
            return
        step = self.steps[index]
        others = ", ".join(f"{visible(a.text)} {percent(a.model_probability)}" for a in step.alternatives
                           if not a.chosen)[:200]
        QToolTip.showText(QCursor.pos(), f"Token {index + 1}: {visible(step.chosen.text)}, "
                                         f"{percent(step.chosen.model_probability)} to the model.\n"
                                         f"Also likely: {others}\nClick for the choices here.", self)

    def _on_token_clicked(self, url: QUrl) -> None:
        index = self._index(url)
        if index is not None:
            self.current = next((n for n, span in enumerate(self.spans) if span[0] == index), self.current)
            self._highlight()  # the arrows go on from the token clicked
            self.show_popover(index, QCursor.pos())

    def show_popover(self, index: int, where: QPoint) -> "TokenPopover":
        if self.popover is not None:
            self.popover.close()
        self.popover = TokenPopover(index, self.steps[index], self.can_continue, self)
        self.popover.continue_requested.connect(self.continue_requested)
        self.popover.move(where + QPoint(8, 12))
        self.popover.show()
        return self.popover


class TokenPopover(QFrame):
    """The tokens the model weighed at one step of a reply."""

    continue_requested = Signal(int, int)  # step, token id
    closed = Signal()

    def __init__(self, index: int, step: TokenStep, can_continue: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("tokenPopover")
        self.setAccessibleName("Token choices at this step")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.index = index
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        title = QLabel(f"<b>Token {index + 1}</b> — the model wrote {html.escape(visible(step.chosen.text))}")
        layout.addWidget(title)
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(3)
        for column, heading in enumerate(("Token", "Model", "", "After settings")):
            label = QLabel(f"<small>{heading}</small>")
            grid.addWidget(label, 0, column)
        self.rows: list[QPushButton] = []
        self.order = written_first(step)
        for row, alternative in enumerate(self.order, start=1):
            cut = alternative.drawn_probability <= 0  # False for NaN: a server that does not say
            name = visible(alternative.text)
            if alternative.chosen:
                token = QLabel(f"✓ <b>{html.escape(name)}</b>  written")
                token.setObjectName("writtenToken")
                token.setAccessibleName(f"Written: {name}")
            else:
                token = QPushButton(f"{name}  → continue with this")
                token.setFlat(True)
                token.setEnabled(can_continue and alternative.token >= 0)
                token.setToolTip("Write the rest of the reply from here with this token instead; "
                                 "the reply as it is stays as the other version (‹ 1/2 ›)")
                token.setAccessibleName(f"Continue with {name}")
                token.clicked.connect(lambda _=False, t=alternative.token: self._on_chosen(t))
                self.rows.append(token)
            bar = QProgressBar()
            bar.setRange(0, 1000)
            bar.setValue(round(alternative.model_probability * 1000))
            bar.setTextVisible(False)
            bar.setFixedSize(90, 8)
            bar.setAccessibleName(f"Model probability of {name}")
            model = QLabel(percent(alternative.model_probability))
            after = QLabel("cut" if cut else percent(alternative.drawn_probability))
            after.setAccessibleName(f"Probability of {name} after the settings")
            after.setToolTip("Temperature, top-k or top-p left this token no chance here" if cut
                             else "The chance this token had in the draw")
            for widget in (token, model, after):
                widget.setEnabled(widget.isEnabled() and not (cut and widget is not token))
            if cut:
                for widget in (model, after):
                    widget.setStyleSheet("color: palette(mid);")
            grid.addWidget(token, row, 0)
            grid.addWidget(model, row, 1, Qt.AlignmentFlag.AlignRight)
            grid.addWidget(bar, row, 2)
            grid.addWidget(after, row, 3, Qt.AlignmentFlag.AlignRight)
        layout.addLayout(grid)
        help_label = QLabel(f"<small>{POPOVER_HELP}</small>")
        help_label.setWordWrap(True)
        help_label.setMaximumWidth(420)
        layout.addWidget(help_label)

    def focus_first_row(self) -> None:
        """Keyboard focus on the first other token that can be continued with (else on the popover)."""
        enabled = [row for row in self.rows if row.isEnabled()]
        (enabled[0] if enabled else self).setFocus(Qt.FocusReason.PopupFocusReason)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt override
        super().hideEvent(event)
        self.closed.emit()

    def _on_chosen(self, token: int) -> None:
        self.close()
        self.continue_requested.emit(self.index, token)


def written_first(step: TokenStep) -> list[Alternative]:
    """The popover's rows: the token written, then the others, the model's most likely first."""
    others = sorted((a for a in step.alternatives if not a.chosen), key=lambda a: -a.model_probability)
    return [step.chosen, *others]


def token_spans(view: QTextEdit) -> list[tuple[int, int, int]]:
    """(step, first character, end) of every token link in ``view``'s document, in reading order: one pass
    over the document's fragments (a token with a line break in it is one span)."""
    spans: list[tuple[int, int, int]] = []
    block = view.document().begin()
    while block.isValid():
        fragments = block.begin()
        while not fragments.atEnd():
            fragment = fragments.fragment()
            href = fragment.charFormat().anchorHref()
            if href.startswith("token:"):
                step, start, end = int(href[6:]), fragment.position(), fragment.position() + fragment.length()
                if spans and spans[-1][0] == step and spans[-1][2] >= start - 1:
                    spans[-1] = (step, spans[-1][1], end)
                else:
                    spans.append((step, start, end))
            fragments += 1
        block = block.next()
    return spans


def legend() -> QLabel:
    label = QLabel(LEGEND)
    label.setObjectName("messageNote")
    label.setWordWrap(True)
    return label
