"""Taking turns on one engine: a fair queue in front of an EngineProcess.  No Qt here.

On CPU and DirectML one generation runs at a time (see the README's "Local server"), so the window and
the local server's clients wait here for their turn.  Within a source (``window``, ``server``) turns go in
arrival order; between sources they alternate, so sixteen API clients cannot starve the window's chat, nor
the window the API.  A waiter is told its position whenever it changes, on its own thread.

Cancelling is per ticket: a waiting ticket leaves the queue; the running one raises the engine's shared
cancel event, which the engine checks between tokens.  Nobody else's generation is ever cancelled.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator

from engine.errors import LocalChatError

PositionCallback = Callable[[int], None]


class QueueFull(LocalChatError):
    """Too many requests are waiting; ``retry_after_s`` is an estimate of when to try again."""

    def __init__(self, user_message: str, retry_after_s: int) -> None:
        super().__init__(user_message)
        self.retry_after_s = retry_after_s


class TurnCancelled(LocalChatError):
    pass


@dataclass(eq=False)
class Ticket:
    source: str
    number: int = 0
    cancelled: bool = False
    enqueued_at: float = field(default_factory=time.monotonic)


class EngineTurns:
    """Hands out turns on ``engine`` (anything with ``cancel()``) one at a time."""

    def __init__(self, engine: object, max_waiting: int | None = None) -> None:
        self.engine = engine
        self.max_waiting = max_waiting  # for sources that accept refusal; None = unlimited
        self._lock = threading.Condition()
        self._waiting: list[Ticket] = []
        self._running: Ticket | None = None
        self._last_source: str | None = None
        self._numbers = itertools.count(1)
        self._mean_turn_s = 1.0

    def ticket(self, source: str) -> Ticket:
        return Ticket(source, next(self._numbers))

    @property
    def waiting(self) -> int:
        with self._lock:
            return len(self._waiting)

    @property
    def busy(self) -> bool:
        with self._lock:
            return self._running is not None

    @contextmanager
    def turn(self, ticket: Ticket, on_position: PositionCallback | None = None,
             refusable: bool = False) -> Iterator[None]:
        """Wait for ``ticket``'s turn (raising QueueFull when ``refusable`` and the queue is full, or
        TurnCancelled when cancelled while waiting), hold it for the ``with`` body, then pass it on."""
        self._wait(ticket, on_position, refusable)
        started = time.monotonic()
        try:
            yield
        finally:
            with self._lock:
                self._running = None
                self._mean_turn_s = 0.8 * self._mean_turn_s + 0.2 * (time.monotonic() - started)
                self._lock.notify_all()

    def cancel(self, ticket: Ticket) -> None:
        """Cancel ``ticket``: out of the queue if waiting, the engine's generation if running (any thread)."""
        with self._lock:
            ticket.cancelled = True
            if self._running is ticket:
                self.engine.cancel()  # type: ignore[attr-defined]
            self._lock.notify_all()

    def _wait(self, ticket: Ticket, on_position: PositionCallback | None, refusable: bool) -> None:
        with self._lock:
            if refusable and self.max_waiting is not None and self._running is not None \
                    and len(self._waiting) >= self.max_waiting:
                retry = max(1, math.ceil(self._mean_turn_s * (len(self._waiting) + 1)))
                raise QueueFull(f"The server is busy: {len(self._waiting)} requests are waiting; try again "
                                f"in about {retry} s.", retry)
            self._waiting.append(ticket)
            told = -1
            try:
                while True:
                    if ticket.cancelled:
                        raise TurnCancelled("The request was cancelled while it waited for its turn.")
                    if self._running is None and self._next() is ticket:
                        break
                    position = self._position(ticket)
                    if position != told and on_position is not None:
                        told = position
                        on_position(position)
                    self._lock.wait()
            finally:
                self._waiting.remove(ticket)
                self._lock.notify_all()
            self._running, self._last_source = ticket, ticket.source
            if on_position is not None and told > 0:
                on_position(0)

    def _next(self) -> Ticket | None:
        """The earliest waiter from a different source than the last turn's, else the earliest."""
        if not self._waiting:
            return None
        other = next((t for t in self._waiting if t.source != self._last_source), None)
        return other or self._waiting[0]

    def _position(self, ticket: Ticket) -> int:
        """1 = next; counts the running turn and the waiters served before this one."""
        order, sources = [], {}
        for t in self._waiting:
            sources.setdefault(t.source, []).append(t)
        last, queues = self._last_source, {s: list(q) for s, q in sources.items()}
        while any(queues.values()):
            candidates = [q[0] for s, q in queues.items() if q and s != last] or \
                [min((q[0] for q in queues.values() if q), key=lambda t: t.number)]
            chosen = min(candidates, key=lambda t: t.number)
            order.append(chosen)
            queues[chosen.source].pop(0)
            last = chosen.source
        return order.index(ticket) + (1 if self._running is not None else 0)
