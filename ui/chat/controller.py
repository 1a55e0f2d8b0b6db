"""The chat's single writer of view state, on the GUI thread.

It turns user actions into engine requests, and engine notifications into changes of
the conversation tree and its widgets.  Streamed text is buffered and flushed on a
short timer with one insert, so a fast model costs a few repaints a second instead
of one per token.  The Markdown of a reply is rendered once, when it ends.

Persistence hooks: ``message_added``, ``reply_updated``, ``reply_finished`` and
``alternative_selected`` say what changed (``reply_settings`` what the reply was asked
with), so the app layer can store the conversation without ui/ knowing how.
"""

from __future__ import annotations

import time
from typing import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from engine.errors import LocalChatError
from engine.runtime.model import ModelInfo
from engine.runtime.record import ReplyRecord
from engine.runtime.settings import SamplingSettings
from ui.chat.chat_view import ChatView
from ui.chat.composer import Composer
from ui.chat.conversation_model import ConversationTree, Node
from ui.engine_client import EngineClient
from ui.shell.status_panel import StatusPanel

FLUSH_MS = 25
STATUS_INTERVAL_S = 0.2  # live figures in the status bar: five updates a second
NO_MODEL = "Open a model folder first"

SettingsSource = Callable[[], tuple[SamplingSettings, str]]



class StreamCounts:
    """Exact token counts reported by the engine while a reply streams, and the rate they grow at."""

    def __init__(self) -> None:
        self.prompt = self.generated = 0
        self._first: tuple[float, int] | None = None
        self._last: tuple[float, int] | None = None

    def update(self, prompt: int, generated: int) -> None:
        now = time.perf_counter()
        self.prompt, self.generated = prompt, generated
        self._last = (now, generated)
        if self._first is None:
            self._first = self._last

    def tokens_per_s(self) -> float | None:
        if self._first is None or self._last is None or self._last[0] <= self._first[0]:
            return None
        return (self._last[1] - self._first[1]) / (self._last[0] - self._first[0])

class ChatController(QObject):
    message_added = Signal(object)           # Node (a user message, or an assistant reply about to stream)
    reply_updated = Signal(object, str)      # Node, the text just appended
    reply_finished = Signal(object, object)  # Node, ReplyRecord
    alternative_selected = Signal(object)    # Node now shown at its position
    generating_changed = Signal(bool)
    model_changed = Signal(object)           # ModelInfo, or None when no model is loaded
    failed = Signal(object)                  # LocalChatError
    conversation_shown = Signal()            # another conversation (or a new one) is on screen
    notice = Signal(str)                     # why something the user asked for cannot happen now

    def __init__(self, client: EngineClient, view: ChatView, composer: Composer, status: StatusPanel,
                 settings_source: SettingsSource, parent: QObject | None = None,
                 choices_source: Callable[[], int] = lambda: 0) -> None:
        super().__init__(parent)
        self.client, self.view, self.composer, self.status = client, view, composer, status
        self._settings_source = settings_source
        self._choices_source = choices_source  # how many token choices to keep per step (0: none)
        self.tree = ConversationTree()
        self.model: ModelInfo | None = None
        self._reply: Node | None = None
        self._reply_tree: ConversationTree | None = None  # the conversation the reply in progress belongs to
        self._cache_tree: ConversationTree | None = None  # the conversation the engine's KV cache holds
        self._count_id = 0  # the latest context count asked for; older answers are stale
        self.reply_settings: tuple[SamplingSettings, str] | None = None  # what the reply in progress was asked with
        self._resend_text: str | None = None  # what goes back to the composer if the reply fails at once
        self._pending: list[str] = []
        self._started = 0.0
        self._counts = StreamCounts()
        self._status_shown_at = float("-inf")
        self._loading = False
        self._timer = QTimer(self)
        self._timer.setInterval(FLUSH_MS)
        self._timer.timeout.connect(self._flush)
        client.model_loaded.connect(self._on_model_loaded)
        client.text_received.connect(self._on_text_received)
        client.tokens_counted.connect(self._on_tokens_counted)
        client.steps_received.connect(self._on_steps_received)
        client.tokens_received.connect(self._on_tokens_received)
        client.reply_finished.connect(self._on_reply_finished)
        client.failed.connect(self._on_failed)
        client.context_counted.connect(self._on_context_counted)
        composer.send_requested.connect(self.send)
        composer.stop_requested.connect(self.stop)
        view.regenerate_requested.connect(self.regenerate)
        view.edit_submitted.connect(self.edit)
        view.alternative_requested.connect(self.select_alternative)
        composer.set_can_send(False, NO_MODEL)
        view.show_welcome(True)

    @property
    def generating(self) -> bool:
        return self._reply is not None

    # --- model -----------------------------------------------------------------------------------------------

    def load_model(self, path: str, provider: str = "auto") -> None:
        if self.generating:
            self.client.cancel()
        self._loading = True
        self.composer.set_can_send(False, "The model is loading")
        self.status.show_loading(path)
        self.client.load(path, provider)

    def unload_model(self) -> None:
        """No model from now on (the engine changed and there is none to load there yet)."""
        if self.generating:
            self.client.cancel()
        self._loading = False
        self.model = None
        self.composer.set_can_send(False, NO_MODEL)
        self.status.show_no_model()
        self.view.show_welcome(self.tree.is_empty())
        self.model_changed.emit(None)

    def _on_model_loaded(self, info: ModelInfo) -> None:
        self._loading = False
        self.model = info
        self.view.show_welcome(False)
        self.composer.set_can_send(True)
        self.status.show_model(info)
        self._cache_tree = None  # a new model starts with an empty cache
        self.model_changed.emit(info)
        self._count_context()

    # --- conversation ----------------------------------------------------------------------------------------

    def send(self, text: str) -> None:
        if self.generating or self.model is None or not text.strip():
            return
        user = self.tree.append("user", text)
        reply = self.tree.append("assistant")
        self._ask(user, reply, resend_text=text)
        self.view.add_message(user)
        self.view.add_message(reply)
        self._set_generating(True)

    def regenerate(self, reply: Node) -> None:
        if self.generating or self.model is None:
            return
        alternative = self.tree.add_alternative(reply)
        self._ask(reply.parent, alternative, resend_text=None)
        self.view.show_path(self.tree.active_path())
        self._set_generating(True)

    def edit(self, message: Node, text: str) -> None:
        if self.generating or self.model is None:
            return
        user = self.tree.add_alternative(message, text)
        reply = self.tree.append("assistant")
        self._ask(user, reply, resend_text=text)
        self.view.show_path(self.tree.active_path())
        self._set_generating(True)

    def continue_from(self, reply: Node, step: int, token: int) -> None:
        """A new version of ``reply`` that keeps its first ``step`` tokens, takes ``token`` next and goes on from
        there ("the road not taken"); the engine reuses the cached tokens before it."""
        if self.generating or self.model is None or step > len(reply.token_ids):
            return
        alternative = self.tree.add_alternative(reply)
        explain = self._choices_source() or (len(reply.steps[0].alternatives) if reply.steps else 0)
        self._ask(reply.parent, alternative, resend_text=None,
                  start=(reply.token_ids[:step] + [token], reply.steps[:step] if explain else []), explain=explain)
        self.view.show_path(self.tree.active_path())
        self._set_generating(True)

    def select_alternative(self, node: Node, delta: int) -> None:
        if not self.generating:
            shown = self.tree.select(node, delta)
            self.view.show_path(self.tree.active_path())
            self.alternative_selected.emit(shown)

    def new_chat(self) -> None:
        self.open_conversation(ConversationTree())

    @property
    def reply_tree(self) -> ConversationTree | None:
        """The conversation a reply is being written in (None when no reply is in progress)."""
        return self._reply_tree if self.generating else None

    def open_conversation(self, tree: ConversationTree) -> None:
        """Show another conversation (a new one, or one the app restored from storage).

        A reply in progress goes on in its own conversation; coming back to it shows it still streaming.
        """
        self.tree = tree
        self.view.show_path(tree.active_path(), streaming=self._reply if tree is self._reply_tree else None)
        self._show_elsewhere_hint()
        self.conversation_shown.emit()
        if self.model is None:
            self.status.show_no_model()
            return
        last = next((node for node in reversed(tree.active_path()) if node.role == "assistant" and node.record
                     and node.record.finish_reason != "error"), None)
        if self.generating and tree is self._reply_tree:
            self.status.show_idle("Writing…")
        elif last is not None:
            self.status.show_record(last.record, greedy=last.greedy)
        else:
            self.status.show_idle("Ready")
        self._count_context()

    def _showing_reply(self) -> bool:
        return self.generating and self.tree is self._reply_tree

    def _show_elsewhere_hint(self) -> None:
        elsewhere = self.generating and self.tree is not self._reply_tree
        self.composer.set_hint("A reply is still being written in another conversation; it goes on there. You "
                               "can send here when it ends (Esc stops it)." if elsewhere else "")

    def _count_context(self) -> None:
        """Ask the engine how much of the context the conversation on screen uses (the meter shows it)."""
        self._count_id += 1
        if self.model is None or self._loading:
            return
        settings, system_prompt = self._settings_source()
        path = self.tree.active_path()
        messages = self.tree.messages_until(path[-1], system_prompt) if path else (
            self.tree.messages_until(self.tree.root, system_prompt))
        if not messages:
            self.status.show_context(0)
            return
        self.client.count(messages, self._count_id)

    def _on_context_counted(self, request_id: int, tokens: int) -> None:
        if request_id == self._count_id and not self._showing_reply():
            self.status.show_context(tokens)

    def stop(self) -> None:
        if self.generating:
            self.client.cancel()

    def last_reply_text(self) -> str:
        replies = [node for node in self.tree.active_path() if node.role == "assistant"]
        return replies[-1].content if replies else ""

    def _ask(self, user: Node, reply: Node, resend_text: str | None, start: tuple[list, list] = ([], []),
             explain: int | None = None) -> None:
        """Send the request first, so the engine works while the caller builds the widgets."""
        settings, system_prompt = self._settings_source()
        reply.system_prompt = system_prompt.strip()
        self.reply_settings = (settings, system_prompt)
        self._reply, self._resend_text = reply, resend_text
        self._reply_tree = self.tree
        reply.greedy = settings.greedy
        self._started = time.perf_counter()
        self._counts = StreamCounts()
        self._status_shown_at = float("-inf")
        self._count_id += 1  # a count still on its way is about the conversation before this turn
        if self._cache_tree is not self.tree:
            self.client.forget()  # another conversation's cache would be reported as "reused" in this one
            self._cache_tree = self.tree
        self.client.ask(self.tree.messages_until(user, system_prompt), settings,
                        self._choices_source() if explain is None else explain, *start)
        if resend_text is not None:
            self.message_added.emit(user)
        self.message_added.emit(reply)

    def _set_generating(self, generating: bool) -> None:
        self.composer.set_generating(generating)
        self.view.set_busy(generating)
        self._show_elsewhere_hint()
        self.generating_changed.emit(generating)

    # --- engine notifications --------------------------------------------------------------------------------

    def _on_text_received(self, text: str) -> None:
        self._pending.append(text)
        if not self._timer.isActive():
            self._timer.start()

    def _flush(self) -> None:
        if not self._pending or self._reply is None:
            self._timer.stop()
            return
        text = "".join(self._pending)
        self._pending.clear()
        self._reply.content += text
        widget = self.view.widget_for(self._reply) if self.tree is self._reply_tree else None
        if widget is not None:
            widget.append_text(text)
        self.reply_updated.emit(self._reply, text)
        now = time.perf_counter()
        if widget is not None and now - self._status_shown_at >= STATUS_INTERVAL_S:  # readable, and the meter repaints at once
            self._status_shown_at = now
            counts = self._counts
            self.status.show_streaming(now - self._started, counts.generated, counts.tokens_per_s())
            self.status.show_context(counts.prompt + counts.generated)

    def _on_tokens_counted(self, prompt_tokens: int, generated_tokens: int) -> None:
        self._counts.update(prompt_tokens, generated_tokens)

    def _on_steps_received(self, steps: list) -> None:
        if self._reply is not None:
            self._reply.steps = steps

    def _on_tokens_received(self, token_ids: list, provenance: object) -> None:
        if self._reply is not None:
            self._reply.token_ids, self._reply.provenance = list(token_ids), provenance

    def _on_reply_finished(self, record: ReplyRecord) -> None:
        self._flush()
        self._timer.stop()
        reply, self._reply = self._reply, None
        reply.record = record
        widget = self.view.widget_for(reply)
        if widget is not None:
            widget.render_final()
            self.status.show_record(record, greedy=reply.greedy)
        else:
            self.status.show_idle("The reply in the other conversation is finished and saved")
        self.reply_finished.emit(reply, record)
        self._set_generating(False)
        if widget is None:
            self._count_context()

    def _on_failed(self, error: LocalChatError) -> None:
        if self._loading:
            self._loading = False
            self.model = None  # the engine let go of the old model before trying the new one
            self.composer.set_can_send(False, NO_MODEL)
            self.status.show_no_model()
            self.view.show_welcome(self.tree.is_empty())
            self.model_changed.emit(None)
        elif self._reply is not None:
            self._end_failed_reply()
        self.failed.emit(error)

    def _end_failed_reply(self) -> None:
        self._flush()
        self._timer.stop()
        reply, self._reply = self._reply, None
        shown = self.tree is self._reply_tree
        if reply.content:
            reply.interrupted = True  # keep what was written; the note says it was cut short
            widget = self.view.widget_for(reply)
            if widget is not None:
                widget.render_final()
        else:
            user = reply.parent
            tree = self._reply_tree
            tree.remove(reply)
            if self._resend_text is not None:
                tree.remove(user)
                self.composer.restore(self._resend_text)
            if shown:
                self.view.show_path(self.tree.active_path())
        self.status.show_idle("The reply did not finish")
        self._set_generating(False)
