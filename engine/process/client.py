"""The app's handle on the engine process (see engine.process.host).  No Qt here.

``EngineProcess`` is used from one thread (the UI's worker thread); only ``cancel``
may be called from any thread, because it just sets a shared event that the engine
checks between tokens.  If the process dies, the call in progress raises
EngineCrashed and the next call starts a fresh process and reloads the last model.
"""

from __future__ import annotations

import multiprocessing
from typing import Any, Callable, Iterator, Sequence

from engine.inspect.distribution import SHORTLIST, NextTokenDistribution
from engine.inspect.identity import Provenance
from engine.inspect.replay import ReplayVerdict
from engine.inspect.xray import PromptXray
from engine.process import host
from engine.process.generation import GenerationRequest, Piece
from engine.runtime.conversation import Message
from engine.errors import EngineCrashed
from engine.runtime.model import ModelInfo
from engine.runtime.record import ReplyRecord, TokenStep
from engine.runtime.session import Reply
from engine.runtime.settings import SamplingSettings

POLL_S = 0.1


class EngineProcess:
    def __init__(self, hash_cache: str | None = None) -> None:
        self._hash_cache = hash_cache  # where the engine keeps model files' hashes between runs
        self._context = multiprocessing.get_context("spawn")
        self._cancel = self._context.Event()
        self._process: Any = None
        self._conn: Any = None
        self._last_load: tuple[str, str] | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        """Start the process if it is not running (idempotent)."""
        if self._process is not None and self._process.is_alive():
            return
        parent, child = self._context.Pipe()
        self._process = self._context.Process(target=host.serve, args=(child, self._cancel, self._hash_cache),
                                              name="localchat-engine", daemon=True)
        self._process.start()
        child.close()
        self._conn = parent

    def load(self, path: str, provider: str = "auto") -> ModelInfo:
        """Load a model in the engine process; raises the engine's LocalChatError on failure."""
        self._ensure_running(reload=False)
        self._send(("load", str(path), provider))
        info = self._expect("loaded")
        self._last_load = (str(path), provider)
        return info

    def reply(self, messages: Sequence[Message], settings: SamplingSettings, explain: int = 0,
              forced: Sequence[int] = (), prefix_steps: Sequence[TokenStep] = ()) -> Reply:
        """Stream the reply; iterate it for text, then read ``record``, ``steps``, ``token_ids`` and
        ``provenance`` (see ChatSession.reply).

        While it streams, ``record.prompt_tokens`` and ``record.generated_tokens`` are kept
        current, so a window can show exact token counts as they grow.
        """
        record, steps, token_ids = ReplyRecord(), [], []
        events = self._reply_events(list(messages), settings, explain, tuple(forced), tuple(prefix_steps),
                                    record, steps, token_ids, lambda p: setattr(reply, "provenance", p))
        reply = Reply(events, record, steps, token_ids)
        return reply

    def prompt_xray(self, messages: Sequence[Message], reply_reserve: int = 512) -> PromptXray:
        return self._ask(("prompt", list(messages), reply_reserve), "prompt")

    def next_token(self, messages: Sequence[Message], reply_reserve: int = 512,
                   count: int = SHORTLIST) -> NextTokenDistribution:
        """One forward pass for the next token's distribution (see ChatSession.next_token)."""
        return self._ask(("next_token", list(messages), reply_reserve, count), "next_token")

    def replay(self, messages: Sequence[Message], stored: Provenance, text: str,
               token_ids: Sequence[int] = ()) -> ReplayVerdict:
        """See engine.inspect.replay.replay."""
        self._cancel.clear()
        return self._ask(("replay", list(messages), stored, text, list(token_ids)), "replayed")

    def explain_reply(self, messages: Sequence[Message], settings: SamplingSettings, token_ids: Sequence[int],
                      count: int = 5) -> list[TokenStep]:
        return self._ask(("explain", list(messages), settings, list(token_ids), count), "explained")

    def model_hash(self, fresh: bool = False) -> str:
        return self._ask(("model_hash", fresh), "model_hash")

    def _ask(self, request: tuple, answer: str) -> Any:
        self._ensure_running(reload=True)
        self._send(request)
        return self._expect(answer)

    def generate(self, request: GenerationRequest) -> "PieceStream":
        """Run an API generation (stop strings, log-probabilities); iterate for batches of pieces."""
        record = ReplyRecord()
        return PieceStream(self._generation_events(request, record), record)

    def count_tokens(self, messages: Sequence[Message]) -> int:
        self._ensure_running(reload=True)
        self._send(("count", list(messages)))
        return self._expect("count")

    def forget(self) -> None:
        """Drop the KV cache (the next reply is for another conversation).  No answer is sent back."""
        if self._process is not None and self._process.is_alive() and self._last_load is not None:
            self._send(("forget",))

    def cancel(self) -> None:
        """Ask the running reply to stop before its next token (safe from any thread)."""
        self._cancel.set()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
        if self._process is not None:
            self._process.join(timeout=2)
            if self._process.is_alive():
                self._process.kill()
                self._process.join(timeout=2)
        self._process = self._conn = None

    def _reply_events(self, messages: list[Message], settings: SamplingSettings, explain: int, forced: tuple,
                      prefix_steps: tuple, record: ReplyRecord, steps: list[TokenStep], token_ids: list[int],
                      set_provenance: Callable[[Provenance], None]) -> Iterator[str]:
        self._ensure_running(reload=True)
        self._cancel.clear()
        self._send(("reply", messages, settings, explain, forced, prefix_steps))
        while True:
            message = self._receive()
            kind, payload = message[0], message[1]
            if kind == "chunk":
                record.prompt_tokens, record.generated_tokens = message[2], message[3]
                yield payload
            elif kind == "steps":
                steps.extend(payload)
            elif kind == "tokens":
                token_ids.extend(payload)
                set_provenance(message[2])
            elif kind == "finished":
                record.__dict__.update(payload.__dict__)
                return
            else:
                raise _unexpected(kind, payload)

    def _generation_events(self, request: GenerationRequest, record: ReplyRecord) -> Iterator[list[Piece]]:
        self._ensure_running(reload=True)
        self._cancel.clear()
        self._send(("generate", request))
        while True:
            message = self._receive()
            if message[0] == "pieces":
                record.prompt_tokens, record.generated_tokens = message[2], message[3]
                yield message[1]
            elif message[0] == "finished":
                record.__dict__.update(message[1].__dict__)
                return
            else:
                raise _unexpected(message[0], message[1:])

    def _ensure_running(self, reload: bool) -> None:
        if self._process is not None and self._process.is_alive():
            return
        self.start()
        if reload and self._last_load is not None:
            self.load(*self._last_load)

    def _send(self, message: tuple) -> None:
        try:
            self._conn.send(message)
        except (OSError, EOFError, BrokenPipeError) as error:
            raise self._crashed() from error

    def _receive(self) -> tuple:
        while True:
            try:
                if self._conn.poll(POLL_S):
                    message = self._conn.recv()
                    if message[0] == "failed":
                        raise message[1].to_error()
                    return message
            except (OSError, EOFError) as error:
                raise self._crashed() from error
            if not self._process.is_alive():
                raise self._crashed()

    def _expect(self, kind: str) -> Any:
        message = self._receive()
        if message[0] != kind:
            raise _unexpected(message[0], message[1:])
        return message[1]

    def _crashed(self) -> EngineCrashed:
        code = self._process.exitcode if self._process is not None else None
        self.close()
        return EngineCrashed("The engine stopped unexpectedly and will restart; what you wrote is kept, "
                             "so send it again.", f"exit code {code}")


class PieceStream:
    """Batches of pieces as the engine sends them; ``record`` is complete once the iteration ends."""

    def __init__(self, batches: Iterator[list[Piece]], record: ReplyRecord) -> None:
        self._batches = batches
        self.record = record

    def __iter__(self) -> Iterator[list[Piece]]:
        return self._batches


def _unexpected(kind: str, payload: Any) -> EngineCrashed:
    return EngineCrashed("The engine sent a message LocalChat did not expect; it will restart.",
                         f"{kind}: {payload!r}"[:300])
