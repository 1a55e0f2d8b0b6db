"""Inspect a reply: the exact prompt the model read (X-ray), what it cost, and what wrote it (with Replay).

The X-ray colours the prompt by where each part came from (your messages, the replies, the system
prompt, text the chat template added) and greys what the KV cache already held, so a newcomer sees that
every turn the model reads the whole conversation again, and how much of it the cache spared.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (QCheckBox, QDialog, QHBoxLayout, QLabel, QPushButton, QTabWidget, QTextBrowser,
                               QVBoxLayout, QWidget)

from engine.inspect.xray import TEMPLATE, TEMPLATE_TEXT, PromptXray
from ui.chat.conversation_model import ConversationTree, Node
from ui.inspect.cost_view import CostView

KIND_NAMES = {"system": "System prompt", "user": "Your messages", "assistant": "Replies",
              TEMPLATE: "Added by the chat template", TEMPLATE_TEXT: "Written by the chat template itself"}
KIND_COLOURS = {"system": (130, 90, 220), "user": (40, 120, 230), "assistant": (30, 160, 100),
                TEMPLATE: (140, 140, 140), TEMPLATE_TEXT: (230, 140, 20)}
NOT_LEARNING = ("The model does not learn from this chat. Its files are the same as when it was loaded (same "
                "SHA-256 hash, checked again just now): nothing you say changes its weights. What changes is the "
                "prompt: each turn, the whole conversation so far — corrections included — is read again as "
                "context, as the X-ray shows.")


def tint(kind: str, alpha: float) -> str:
    red, green, blue = KIND_COLOURS.get(kind, (128, 128, 128))
    return f"rgba({red},{green},{blue},{alpha:.2f})"


def xray_html(xray: PromptXray, reused: int, show_ids: bool, ink: str, muted: str) -> str:
    """The prompt as coloured tokens: a tint per part (alternating per token so boundaries show), grey text
    for the tokens the KV cache already held."""
    kinds = ["template"] * len(xray.tokens)
    for segment in xray.segments:
        kinds[segment.first_token:segment.end_token] = [segment.kind] * (segment.end_token - segment.first_token)
    parts = []
    for index, token in enumerate(xray.tokens):
        text = html.escape(token.text).replace("\n", "⏎<br>") or "·"
        colour = muted if index < reused else ink
        subscript = f"<sub style='color:{muted}'>{token.id}</sub>" if show_ids else ""
        parts.append(f"<span title='token {index + 1}: id {token.id}' style='background-color:"
                     f"{tint(kinds[index], 0.16 if index % 2 else 0.28)};color:{colour}'>{text}{subscript}</span>")
    return f"<div style='white-space:pre-wrap;font-family:monospace'>{''.join(parts)}</div>"


class InspectDialog(QDialog):
    replay_requested = Signal()

    def __init__(self, node: Node, tree: ConversationTree, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.node = node
        self.setWindowTitle("Inspect reply")
        self.setAccessibleName("Inspect reply")
        self.resize(760, 560)
        self.xray: PromptXray | None = None
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_xray(), "Prompt X-ray")
        self.cost = CostView(node, tree)
        self.tabs.addTab(self.cost, "Cost and time")
        self.tabs.addTab(self._build_model(), "Model and replay")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)

    # --- X-ray -------------------------------------------------------------------------------------------------

    def _build_xray(self) -> QWidget:
        page = QWidget()
        self.xray_summary = QLabel("Reading the prompt…")
        self.xray_summary.setWordWrap(True)
        legend = " ".join(f"<span style='background-color:{tint(kind, 0.3)}'>&nbsp;{name}&nbsp;</span>"
                          for kind, name in KIND_NAMES.items())
        self.legend = QLabel(f"{legend}<br><span style='color:gray'>Grey text</span>: already in the KV cache "
                             "from earlier turns, not processed again. Dark text: processed anew for this reply.")
        self.legend.setWordWrap(True)
        self.dropped = QLabel()
        self.dropped.setWordWrap(True)
        self.dropped.hide()
        self.ids_check = QCheckBox("Show token ids")
        self.ids_check.toggled.connect(self._render_xray)
        self.xray_view = QTextBrowser()
        self.xray_view.setAccessibleName("The prompt, token by token")
        layout = QVBoxLayout(page)
        layout.addWidget(self.xray_summary)
        layout.addWidget(self.legend)
        layout.addWidget(self.dropped)
        layout.addWidget(self.ids_check)
        layout.addWidget(self.xray_view, 1)
        return page

    def show_xray(self, xray: PromptXray) -> None:
        self.xray = xray
        record = self.node.record
        reused = record.reused_tokens if record is not None else 0
        template_text = any(s.kind == TEMPLATE_TEXT for s in xray.segments)
        summary = (f"For this reply the model read <b>{len(xray.tokens)} tokens</b>: {reused} came from the KV cache "
                   f"and {len(xray.tokens) - reused} were processed anew. This is the exact text the chat template "
                   "made of the conversation, cut where the tokenizer cut it.")
        if template_text:
            summary += (" <b>Orange</b>: text the model's chat template adds by itself — a system prompt you did "
                        "not write.")
        self.xray_summary.setText(summary)
        if xray.dropped:
            names = ", ".join(f"{m.role} “{html.escape(m.content[:40])}”" for m in xray.dropped)
            self.dropped.setText(f"<b>Left out to fit the context ({len(xray.dropped)} messages, oldest first):</b> "
                                 f"{names}. The model did not see them.")
            self.dropped.show()
        self._render_xray()

    def _render_xray(self) -> None:
        if self.xray is None:
            return
        record = self.node.record
        palette = self.palette()
        self.xray_view.setHtml(xray_html(self.xray, record.reused_tokens if record else 0, self.ids_check.isChecked(),
                                         palette.color(QPalette.ColorRole.Text).name(),
                                         palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text).name()))

    # --- model and replay --------------------------------------------------------------------------------------

    def _build_model(self) -> QWidget:
        page = QWidget()
        provenance = self.node.provenance
        if provenance is None:
            facts = "This reply was written before LocalChat kept the model's hash and versions with each reply."
        else:
            settings = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in provenance.settings.items())
            forced = f"<br>Made to start with {len(provenance.forced)} given tokens (continued from another token)." \
                if provenance.forced else ""
            facts = (f"<b>{html.escape(provenance.model_name)}</b> on {provenance.provider.upper()}<br>"
                     f"Files: {html.escape(provenance.model_path)}<br>"
                     f"SHA-256 when the reply was written: <code>{provenance.model_hash.removeprefix('sha256:')}</code><br>"
                     f"Settings: {html.escape(settings)}<br>"
                     f"LocalChat {provenance.localchat_version}, {provenance.genai_version}{forced}")
        self.facts = QLabel(facts)
        self.facts.setWordWrap(True)
        self.hash_now = QLabel("Checking the model's files again…")
        self.hash_now.setWordWrap(True)
        self.replay_button = QPushButton("Replay")
        self.replay_button.setAccessibleName("Replay this reply")
        self.replay_button.setToolTip("Write this reply again from its record (same model, settings and seed) and "
                                      "say whether it comes out the same")
        self.replay_button.clicked.connect(self._on_replay_clicked)
        self.verdict = QLabel("Replay writes the reply again with its stored settings and seed: the same inputs "
                              "give the same tokens.")
        self.verdict.setWordWrap(True)
        self.verdict.setAccessibleName("Replay verdict")
        row = QHBoxLayout()
        row.addWidget(self.replay_button)
        row.addWidget(self.verdict, 1)
        layout = QVBoxLayout(page)
        layout.addWidget(self.facts)
        layout.addWidget(self.hash_now)
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    def _on_replay_clicked(self) -> None:
        self.replay_button.setEnabled(False)
        self.verdict.setText("Writing the reply again…")
        self.replay_requested.emit()

    def show_model_hash(self, digest: str) -> None:
        stored = self.node.provenance.model_hash if self.node.provenance else ""
        if stored and digest == stored:
            self.hash_now.setText(f"<b>Same files now</b> (<code>{digest.removeprefix('sha256:')[:16]}…</code>). "
                                  + NOT_LEARNING)
        elif stored:
            self.hash_now.setText(f"<b>The model's files have changed since this reply</b> (now "
                                  f"<code>{digest.removeprefix('sha256:')[:16]}…</code>): another download or "
                                  "version of the model. Chatting never changes them.")
        else:
            self.hash_now.setText(f"Model files now: <code>{digest.removeprefix('sha256:')[:16]}…</code>. "
                                  + NOT_LEARNING)

    def show_result(self, kind: str, result: object) -> None:
        if kind == "prompt_xray":
            self.show_xray(result)
        elif kind == "model_hash":
            self.show_model_hash(result)
        elif kind == "replay":
            self.replay_button.setEnabled(True)
            self.verdict.setText(result.sentence())

    def show_error(self, kind: str, sentence: str) -> None:
        if kind == "prompt_xray":
            self.xray_summary.setText(sentence)
        elif kind == "model_hash":
            self.hash_now.setText(sentence)
        else:
            self.show_replay_error(sentence)

    def show_replay_error(self, sentence: str) -> None:
        self.replay_button.setEnabled(True)
        self.verdict.setText(sentence)
