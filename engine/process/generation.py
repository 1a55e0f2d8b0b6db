"""Generations for API clients: stop strings and per-token log-probabilities around a ChatSession reply.

This runs inside the engine process (see engine.process.host), next to the token loop, so a stop string
ends the generation before one more token is computed, exactly as the Stop button does: the reply's
cancel flag is raised and the session checks it between tokens.

A reply yields text only for tokens that complete characters, so each yielded chunk is matched to the
token that produced it through the record's live token count; tokens that only carry part of a
character get an empty piece.  Joined, the pieces are the reply's text.  Log-probabilities come from the
same per-token data as the window's token choices (``TokenStep``): the model's probability of each token.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, replace
from typing import Iterator, Sequence

from engine.runtime.conversation import Message
from engine.runtime.record import ReplyRecord, TokenStep
from engine.runtime.session import ChatSession
from engine.runtime.settings import SamplingSettings

MAX_TOP_LOGPROBS = 20
MIN_LOGPROB = -9999.0  # what a probability that underflowed to 0 is reported as (JSON has no -inf)


@dataclass(frozen=True)
class GenerationRequest:
    """One API generation: a chat (``messages``) or a raw text continuation (``prompt``)."""

    settings: SamplingSettings
    messages: tuple[Message, ...] = ()
    prompt: str | None = None
    top_logprobs: int | None = None  # None: no log-probabilities; 0..20: that many alternatives per token
    stops: tuple[str, ...] = ()


@dataclass(frozen=True)
class Candidate:
    text: str
    logprob: float
    chosen: bool


@dataclass(frozen=True)
class TokenLogprob:
    logprob: float
    top: tuple[Candidate, ...]  # most likely first, at most the request's top_logprobs


@dataclass(frozen=True)
class Piece:
    """The text one token added to the reply ('' for part of a character), with its log-probability."""

    text: str
    logprob: TokenLogprob | None = None


class StopScanner:
    """Releases pieces once no stop string can start in them; ends at the first stop string.

    Text that could be the start of a stop string is held back, so a stop string split across tokens is
    never sent.  Whole pieces are held, so each released piece keeps its log-probability.
    """

    def __init__(self, stops: Sequence[str]) -> None:
        self._stops = [s for s in stops if s]
        self._pending: list[Piece] = []
        self.stopped = False

    def push(self, piece: Piece) -> list[Piece]:
        if self.stopped:
            return []
        if not self._stops:
            return [piece]
        self._pending.append(piece)
        text = "".join(p.text for p in self._pending)
        found = [i for i in (text.find(s) for s in self._stops) if i >= 0]
        if found:
            self.stopped = True
            return self._take(min(found), clip=True)
        return self._take(len(text) - self._held_length(text), clip=False)

    def finish(self) -> list[Piece]:
        """Everything still held (the reply ended without completing a stop string)."""
        released, self._pending = self._pending, []
        return released if not self.stopped else []

    def _held_length(self, text: str) -> int:
        longest = 0
        for stop in self._stops:
            for length in range(min(len(stop) - 1, len(text)), longest, -1):
                if text.endswith(stop[:length]):
                    longest = length
                    break
        return longest

    def _take(self, end: int, clip: bool) -> list[Piece]:
        """Release the pieces that lie before ``end``.  With ``clip`` (a stop string starts at ``end``) the piece
        reaching past it is cut there and the rest dropped; otherwise that piece and the rest stay held."""
        released, offset = [], 0
        for piece in self._pending:
            if clip:
                if offset >= end:
                    break
                if offset + len(piece.text) > end:
                    piece = replace(piece, text=piece.text[: end - offset])
            elif offset + len(piece.text) > end:
                break
            released.append(piece)
            offset += len(piece.text)
        self._pending = [] if clip else self._pending[len(released):]
        return released


class _ReplyCancel:
    """The reply's cancel flag: the caller's event, or a stop string found here."""

    def __init__(self, outer: threading.Event | None) -> None:
        self._outer = outer
        self.stopped = False

    def is_set(self) -> bool:
        return self.stopped or (self._outer is not None and self._outer.is_set())


class Generation:
    """Iterate for released pieces; ``record`` holds the figures (finish_reason ``stop`` for a stop string)."""

    def __init__(self, session: ChatSession, request: GenerationRequest, cancel: threading.Event | None) -> None:
        self._request = request
        self._cancel = _ReplyCancel(cancel)
        explain = 0 if request.top_logprobs is None else max(1, request.top_logprobs)
        messages = list(request.messages) if request.prompt is None else [Message("user", request.prompt)]
        self._reply = session.reply(messages, request.settings, cancel=self._cancel, explain=explain)  # type: ignore[arg-type]
        self.record: ReplyRecord = self._reply.record

    def __iter__(self) -> Iterator[Piece]:
        scanner = StopScanner(self._request.stops)
        seen = 0
        for text in self._reply:
            count = self.record.generated_tokens
            for index in range(seen, count):
                yield from scanner.push(self._piece(index, text if index == count - 1 else ""))
            seen = count
            if scanner.stopped:
                self._cancel.stopped = True
        if not scanner.stopped:
            end = self.record.generated_tokens - (1 if self.record.finish_reason == "eos" else 0)
            for index in range(seen, end):
                yield from scanner.push(self._piece(index, ""))
            yield from scanner.finish()
        if scanner.stopped:
            self.record.finish_reason = "stop"

    def _piece(self, index: int, text: str) -> Piece:
        if self._request.top_logprobs is None or index >= len(self._reply.steps):
            return Piece(text)
        return Piece(text, _logprob(self._reply.steps[index], self._request.top_logprobs))


def _logprob(step: TokenStep, count: int) -> TokenLogprob:
    top = tuple(Candidate(a.text, _log(a.model_probability), a.chosen) for a in step.alternatives[:count])
    return TokenLogprob(_log(step.chosen.model_probability), top)


def _log(probability: float) -> float:
    return math.log(probability) if probability > 0 else MIN_LOGPROB


def raw_session(session: ChatSession) -> ChatSession:
    """A session on the same loaded model that continues raw text (``/v1/completions``), no chat template."""
    return ChatSession(replace(session.loaded, chat_template=None))
