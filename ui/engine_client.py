"""The GUI's only way to the engine: a worker thread that owns a Backend (engine.backend).

Which backend it is (the engine process on this machine, or a server) is the app layer's choice; the
window only sees these signals.

The worker blocks on the engine's pipe, so it lives on its own QThread; requests reach
it as queued signals and its notifications come back as queued signals carrying plain
data.  Cancelling is different on purpose: ``cancel`` sets the engine's shared event
straight from the GUI thread, because a queued "cancel" slot would only run after the
reply it should stop.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from typing import Sequence

from PySide6.QtCore import QObject, QThread, Signal, Slot

from engine.backend import Backend
from engine.runtime.conversation import Message
from engine.errors import EngineCrashed, LocalChatError
from engine.process.client import EngineProcess
from engine.runtime.record import TokenStep
from engine.runtime.settings import SamplingSettings

SHUTDOWN_WAIT_MS = 3000

log = logging.getLogger(__name__)


class _EngineWorker(QObject):
    model_loaded = Signal(object)
    text_received = Signal(str)
    tokens_counted = Signal(int, int)
    steps_received = Signal(object)
    tokens_received = Signal(object, object)
    reply_finished = Signal(object)
    failed = Signal(object)
    engine_died = Signal()
    engine_restarted = Signal()
    inspected = Signal(str, int, object)
    inspect_failed = Signal(str, int, object)
    context_counted = Signal(int, int)

    def __init__(self, engine: Backend, stop: threading.Event) -> None:
        super().__init__()
        self.latest: dict[str, int] = {}  # newest request id per inspection kind (written by the GUI thread)
        self._engine = engine
        self._stop = stop
        self._restarting = False

    @Slot(object)
    def _on_backend_change_requested(self, backend: Backend) -> None:
        """Queued behind any request in progress, so the old backend is closed only when nothing uses it."""
        old, self._engine = self._engine, backend
        self._restarting = False
        if old is not backend:
            old.close()

    @Slot(str, str)
    def _on_load_requested(self, path: str, provider: str) -> None:
        try:
            info = self._engine.load(path, provider)
        except Exception as error:  # noqa: BLE001 - see _report
            self._report(error)
            return
        self._confirm_running()
        self.model_loaded.emit(info)

    @Slot(object, object, int, object)
    def _on_reply_requested(self, messages: list, settings: SamplingSettings, explain: int, start: tuple) -> None:
        try:
            forced, prefix_steps = start
            # A reply made to start with given tokens is something only a local engine can do.
            extra = {"forced": forced, "prefix_steps": prefix_steps} if forced else {}
            reply = self._engine.reply(messages, settings, explain, **extra)
            if self._stop.is_set():  # Stop pressed before the request got here; a server may not answer for long
                self._engine.cancel()
            for text in reply:
                self._confirm_running()
                if self._stop.is_set():
                    # The engine clears its event when a reply starts; a Stop pressed before that is repeated here.
                    self._engine.cancel()
                self.text_received.emit(text)
                self.tokens_counted.emit(reply.record.prompt_tokens, reply.record.generated_tokens)
        except Exception as error:  # noqa: BLE001 - see _report
            self._report(error)
            return
        self._confirm_running()
        if reply.steps:
            self.steps_received.emit(reply.steps)
        self.tokens_received.emit(reply.token_ids, reply.provenance)
        self.reply_finished.emit(reply.record)

    @Slot(str, object, int)
    def _on_inspect_requested(self, kind: str, args: tuple, request_id: int) -> None:
        """One of the inspection calls (prompt_xray, next_token, explain_reply, replay, model_hash).

        A request that a newer one of the same kind has replaced (the preview while the user types) is
        skipped; a failure goes back to whoever asked, not to the window's banner."""
        if request_id < self.latest.get(kind, 0):
            return
        call = getattr(self._engine, kind, None)
        if call is None:
            self.inspect_failed.emit(kind, request_id, LocalChatError(
                "This needs a model running on this machine; a server does not show it."))
            return
        try:
            result = call(*args)
        except Exception as error:  # noqa: BLE001 - reported to the part of the window that asked
            if not isinstance(error, LocalChatError):
                log.exception("inspection %s failed", kind, exc_info=error)
                error = LocalChatError("Something went wrong talking to the engine; try again.", repr(error))
            self.inspect_failed.emit(kind, request_id, error)
            return
        self._confirm_running()
        self.inspected.emit(kind, request_id, result)

    @Slot(object, int)
    def _on_count_requested(self, messages: list, request_id: int) -> None:
        """A count is a figure for the meter, not something the user asked for: a failure is only logged."""
        count_tokens = getattr(self._engine, "count_tokens", None)  # a remote server may not count for us
        if count_tokens is None:
            return
        try:
            tokens = count_tokens(messages)
        except Exception:  # noqa: BLE001 - logged; the meter keeps its last value
            log.warning("counting the conversation's tokens failed", exc_info=True)
            return
        self.context_counted.emit(request_id, tokens)

    @Slot()
    def _on_forget_requested(self) -> None:
        forget = getattr(self._engine, "forget", None)  # a remote server keeps no cache of ours
        if forget is None:
            return
        try:
            forget()
        except Exception as error:  # noqa: BLE001 - see _report
            self._report(error)

    def _report(self, error: Exception) -> None:
        """Every failure reaches the window; one outside the LocalChat family would otherwise leave it waiting."""
        if not isinstance(error, LocalChatError):
            log.exception("engine request failed", exc_info=error)
            error = LocalChatError("Something went wrong talking to the engine; try again.", repr(error))
        if isinstance(error, EngineCrashed):
            self._restarting = True
            self.engine_died.emit()
        self.failed.emit(error)

    def _confirm_running(self) -> None:
        if self._restarting:
            self._restarting = False
            self.engine_restarted.emit()


class EngineClient(QObject):
    """Requests go in with ``load``/``ask``; results come out as signals on the GUI thread."""

    load_requested = Signal(str, str)
    reply_requested = Signal(object, object, int, object)
    inspect_requested = Signal(str, object, int)
    backend_change_requested = Signal(object)
    count_requested = Signal(object, int)
    forget_requested = Signal()

    model_loaded = Signal(object)      # ModelInfo
    text_received = Signal(str)        # a chunk of the reply
    tokens_counted = Signal(int, int)  # prompt tokens, reply tokens so far (exact, from the engine)
    steps_received = Signal(object)    # list[TokenStep], just before reply_finished, when asked for
    tokens_received = Signal(object, object)  # the reply's token ids and Provenance, just before reply_finished
    reply_finished = Signal(object)    # ReplyRecord
    failed = Signal(object)            # LocalChatError
    engine_died = Signal()
    engine_restarted = Signal()
    context_counted = Signal(int, int)  # request id, tokens the conversation takes in the model's context
    inspected = Signal(str, int, object)  # kind, request id, result (see ``inspect``)
    inspect_failed = Signal(str, int, object)  # kind, request id, LocalChatError

    def __init__(self, backend: Backend | None = None, parent: QObject | None = None,
                 hash_cache: str | None = None) -> None:
        super().__init__(parent)
        self._engine: Backend = backend if backend is not None else EngineProcess(hash_cache)
        self._stop = threading.Event()
        self._retired: list[Backend] = []
        # Parented QObjects are deleted by Qt on the GUI thread, never by Python's garbage collector running
        # on the worker thread.
        self._thread = QThread(self)
        self._thread.setObjectName("localchat-engine-client")
        self._worker = _EngineWorker(self._engine, self._stop)
        self._worker.moveToThread(self._thread)
        self._thread.finished.connect(self._worker.deleteLater)
        self.load_requested.connect(self._worker._on_load_requested)
        self.reply_requested.connect(self._worker._on_reply_requested)
        self.backend_change_requested.connect(self._worker._on_backend_change_requested)
        self.count_requested.connect(self._worker._on_count_requested)
        self.inspect_requested.connect(self._worker._on_inspect_requested)
        self._inspect_id = 0
        self.forget_requested.connect(self._worker._on_forget_requested)
        for name in ("model_loaded", "text_received", "tokens_counted", "steps_received", "tokens_received",
                     "reply_finished", "failed",
                     "engine_died", "engine_restarted", "context_counted", "inspected", "inspect_failed"):
            getattr(self._worker, name).connect(getattr(self, name))
        self._thread.start()

    @property
    def engine_pid(self) -> int | None:
        return self._engine.pid

    @property
    def backend(self) -> Backend:
        return self._engine

    def use_backend(self, backend: Backend) -> None:
        """Replies come from ``backend`` from now on (a reply in progress is stopped); load a model next."""
        self.cancel()
        self._retired.append(self._engine)  # closed by the worker, or by ``close`` if the worker stops first
        self._engine = backend
        self.backend_change_requested.emit(backend)

    def load(self, path: str, provider: str = "auto") -> None:
        self.load_requested.emit(str(path), provider)

    def ask(self, messages: Sequence[Message], settings: SamplingSettings, explain: int = 0,
            forced: Sequence[int] = (), prefix_steps: Sequence[TokenStep] = ()) -> None:
        """Ask for a reply; ``explain`` > 0 also asks for that many token choices per step; ``forced`` makes it
        start with those tokens (continue from an alternative, see ChatSession.reply)."""
        self._stop.clear()
        self.reply_requested.emit(list(messages), settings, explain, (tuple(forced), tuple(prefix_steps)))

    def inspect(self, kind: str, *args: object) -> int:
        """Ask the engine for ``kind`` (prompt_xray, next_token, explain_reply, replay or model_hash) with
        ``args``; the answer comes as ``inspected(kind, id, result)`` or ``inspect_failed(kind, id, error)``.
        Returns the id; an older request of the same kind not yet started is skipped."""
        self._inspect_id += 1
        self._worker.latest[kind] = self._inspect_id
        self.inspect_requested.emit(kind, args, self._inspect_id)
        return self._inspect_id

    def count(self, messages: Sequence[Message], request_id: int) -> None:
        """Ask how many tokens ``messages`` take; the answer comes as ``context_counted(request_id, n)``."""
        self.count_requested.emit(list(messages), request_id)

    def forget(self) -> None:
        """Drop the engine's KV cache before a reply in another conversation."""
        self.forget_requested.emit()

    def cancel(self) -> None:
        """Stop the reply in progress before its next token (runs on the caller's thread)."""
        self._stop.set()
        self._engine.cancel()

    def close(self) -> None:
        """Stop the worker thread and the engine process; never hangs on a busy engine."""
        if not self._thread.isRunning():
            return
        self.cancel()
        self._thread.quit()
        if not self._thread.wait(SHUTDOWN_WAIT_MS):
            # A load cannot be cancelled; ending the process makes the worker's call return.
            for backend in (*self._retired, self._engine):
                if backend.pid is not None:
                    os.kill(backend.pid, signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)
            self._thread.wait(SHUTDOWN_WAIT_MS)
        for backend in (*self._retired, self._engine):
            backend.close()
