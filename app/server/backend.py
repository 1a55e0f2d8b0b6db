"""The server's side of the engine boundary: one engine process, taken in turns, driven from asyncio.

Each generation runs on a short-lived thread that waits for its turn (engine.process.turns), then relays
the engine process's batches to the event loop.  The HTTP loop itself never waits on the engine, and the
engine's token loop runs in its own process, so neither holds the other's GIL.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.errors import LocalChatError
from engine.process.client import EngineProcess
from engine.process.generation import GenerationRequest
from engine.process.turns import EngineTurns, TurnCancelled
from engine.runtime.model import ModelInfo

SOURCE = "server"
log = logging.getLogger(__name__)


@dataclass
class Metrics:
    """Counters in the spirit of llama.cpp's ``/metrics``: what the engine did for API clients."""

    requests: int = 0
    prompt_tokens: int = 0
    tokens_predicted: int = 0
    cancelled: int = 0
    rejected: int = 0
    processing: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **changes: int) -> None:
        with self.lock:
            for name, value in changes.items():
                setattr(self, name, getattr(self, name) + value)


class Job:
    """One generation in flight.  ``next_event`` returns ("queued", position), ("started",),
    ("pieces", [Piece]), ("finished", ReplyRecord) or ("failed", error)."""

    def __init__(self, backend: "ServerBackend", request: GenerationRequest) -> None:
        self._backend = backend
        self._request = request
        self._loop = asyncio.get_running_loop()
        self._inbox: asyncio.Queue = asyncio.Queue()
        self._ticket = backend.turns.ticket(SOURCE)
        self.done = False

    def start(self) -> None:
        threading.Thread(target=self._work, name=f"localchat-request-{self._ticket.number}", daemon=True).start()

    async def next_event(self, timeout: float | None = None) -> tuple | None:
        """The next event, or None when ``timeout`` passes first (time for a keep-alive)."""
        try:
            event = await asyncio.wait_for(self._inbox.get(), timeout)
        except asyncio.TimeoutError:
            return None
        if event[0] in ("finished", "failed"):
            self.done = True
        return event

    def cancel(self) -> None:
        """The client went away: leave the queue, or stop the engine before its next token."""
        if not self.done:
            self._backend.turns.cancel(self._ticket)

    def _post(self, *event: Any) -> None:
        self._loop.call_soon_threadsafe(self._inbox.put_nowait, event)

    def _work(self) -> None:
        backend, ticket = self._backend, self._ticket
        try:
            with backend.turns.turn(ticket, lambda position: self._post("queued", position), refusable=True):
                if ticket.cancelled:
                    raise TurnCancelled("The client went away before its turn.")
                backend.metrics.add(processing=1)
                try:
                    stream = backend.engine.generate(self._request)
                    self._post("started")
                    for batch in stream:
                        if ticket.cancelled:  # the engine clears its event as a generation starts: repeat it
                            backend.engine.cancel()
                        self._post("pieces", batch)
                    record = stream.record
                finally:
                    backend.metrics.add(processing=-1)
            backend.metrics.add(requests=1, prompt_tokens=record.prompt_tokens,
                                tokens_predicted=record.generated_tokens,
                                cancelled=int(record.finish_reason == "cancelled"))
            self._post("finished", record)
        except Exception as error:  # noqa: BLE001 - every failure becomes an answer to the client
            if not isinstance(error, LocalChatError):
                log.exception("generation failed")
            backend.metrics.add(rejected=int(type(error).__name__ == "QueueFull"))
            self._post("failed", error)


class ServerBackend:
    """The engine the server talks to, its turns, the model it serves and what it has done."""

    def __init__(self, engine: EngineProcess, turns: EngineTurns, model_id: str | None = None,
                 info: ModelInfo | None = None) -> None:
        self.engine = engine
        self.turns = turns
        self.model_id = model_id
        self.info = info
        self.load_error: LocalChatError | None = None
        self.unavailable = "Loading model"  # what /health says while there is no model to serve
        self.metrics = Metrics()

    @property
    def waiting(self) -> int:
        return self.turns.waiting if self.turns is not None else 0

    @property
    def ready(self) -> bool:
        return self.info is not None

    def load(self, path: str | Path, provider: str = "auto") -> None:
        """Load the model (blocking; taken as a turn so no generation is cut short)."""
        ticket = self.turns.ticket(SOURCE)
        try:
            with self.turns.turn(ticket):
                self.info = self.engine.load(str(path), provider)
            self.model_id = self.model_id or self.info.name
        except LocalChatError as error:
            self.load_error = error
            log.error("model failed to load: %s", error)

    def job(self, request: GenerationRequest) -> Job:
        return Job(self, request)

    def served_names(self) -> set[str]:
        names = {self.model_id} if self.model_id else set()
        if self.info is not None:
            names |= {self.info.name, self.info.path}
        return names
