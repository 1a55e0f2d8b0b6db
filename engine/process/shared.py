"""The window's side of an engine it shares with the local server: a Backend that takes turns.

The window's worker drives this like any Backend (engine.backend); every load and reply first waits for
its turn on the shared ``EngineTurns``, so the server's API requests and the window's chat never run on the
engine at once.  While it waits, ``on_position`` hears how many turns are ahead (0 once it runs), so the
window can say it is queued.  Stop while waiting leaves the queue and the reply ends as cancelled.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Iterator, Sequence

from engine.process.client import EngineProcess
from engine.process.turns import EngineTurns, Ticket, TurnCancelled
from engine.runtime.conversation import Message
from engine.runtime.model import ModelInfo
from engine.runtime.record import ReplyRecord
from engine.runtime.session import Reply
from engine.runtime.settings import SamplingSettings

SOURCE = "window"


class TurnTakingBackend:
    def __init__(self, engine: EngineProcess, turns: EngineTurns,
                 on_position: Callable[[int], None] | None = None) -> None:
        self.engine = engine
        self.turns = turns
        self.on_position = on_position
        self._ticket: Ticket | None = None
        self._lock = threading.Lock()
        self.loaded: ModelInfo | None = None

    @property
    def pid(self) -> int | None:
        return self.engine.pid

    def load(self, path: str, provider: str = "auto") -> ModelInfo:
        with self.turns.turn(self._new_ticket(), self.on_position):
            self.loaded = self.engine.load(path, provider)
            return self.loaded

    def reply(self, messages: Sequence[Message], settings: SamplingSettings, explain: int = 0,
              **options: Any) -> Reply:
        record, steps, token_ids = ReplyRecord(), [], []
        outer = Reply(iter(()), record, steps, token_ids)
        outer._chunks = self._chunks(outer, list(messages), settings, explain, options)
        return outer

    def __getattr__(self, name: str) -> Any:
        """Every other engine request (count_tokens, forget, next_token, ...) also waits for its turn."""
        if name.startswith("_") or name in ("engine", "turns"):
            raise AttributeError(name)
        attribute = getattr(self.engine, name)
        if not callable(attribute):
            return attribute

        def in_turn(*args: Any, **kwargs: Any) -> Any:
            with self.turns.turn(self._new_ticket()):  # quick requests: not worth telling the user about
                return attribute(*args, **kwargs)
        return in_turn

    def cancel(self) -> None:
        with self._lock:
            ticket = self._ticket
        if ticket is not None:
            self.turns.cancel(ticket)

    def close(self) -> None:
        self.engine.close()

    def _new_ticket(self) -> Ticket:
        with self._lock:
            self._ticket = self.turns.ticket(SOURCE)
            return self._ticket

    def _chunks(self, outer: Reply, messages: list[Message], settings: SamplingSettings, explain: int,
                options: dict) -> Iterator[str]:
        ticket = self._new_ticket()
        record = outer.record
        try:
            with self.turns.turn(ticket, self.on_position):
                inner = self.engine.reply(messages, settings, explain, **options)
                for text in inner:
                    if ticket.cancelled:  # the engine clears its event as a reply starts: repeat a Stop
                        self.engine.cancel()
                    record.prompt_tokens, record.generated_tokens = (inner.record.prompt_tokens,
                                                                     inner.record.generated_tokens)
                    yield text
                record.__dict__.update(inner.record.__dict__)
                outer.steps.extend(inner.steps)
                outer.token_ids.extend(inner.token_ids)
                outer.provenance = inner.provenance
        except TurnCancelled:
            record.finish_reason = "cancelled"
