"""The engine's own process: loads models and streams replies over a pipe.

onnxruntime-genai 0.18 holds Python's GIL inside ``generate_next_token``, so a
model running in the GUI's process stalls the window for every token.  The app
therefore runs the engine here, in a child process, and talks to it through
engine.process.client.  Requests and events are plain tuples of picklable data.

Requests: ("load", path, provider), ("reply", messages, settings, explain[, forced, prefix_steps]),
("forget",), ("count", messages), ("generate", GenerationRequest), ("prompt", messages, reply_reserve),
("next_token", messages, reply_reserve, count), ("replay", messages, Provenance, text, token_ids),
("model_hash", fresh), ("explain", messages, settings, token_ids, count).  Events: ("loaded", ModelInfo), ("chunk", text, prompt_tokens, generated_tokens),
("steps", [TokenStep]) when token choices were asked for, ("pieces", [Piece], prompt_tokens,
generated_tokens) for a generation, ("tokens", token_ids, Provenance) then ("finished", ReplyRecord),
("count", n), ("prompt", PromptXray), ("next_token", NextTokenDistribution), ("replayed", ReplayVerdict),
("model_hash", digest), ("explained", [TokenStep]), ("failed", ErrorPayload).
Text chunks are batched for ``FLUSH_S`` so a fast model does not pay a pipe
round-trip per token.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from engine import errors
from engine.process.generation import Generation, GenerationRequest, raw_session
from engine.runtime.session import ChatSession

FLUSH_S = 0.002
UNEXPECTED_FAILURE = "Something went wrong in the engine; try again."  # an error outside LocalChat's family


@dataclass(frozen=True)
class ErrorPayload:
    kind: str
    user_message: str
    detail: str

    @classmethod
    def from_error(cls, error: Exception) -> "ErrorPayload":
        if isinstance(error, errors.LocalChatError):
            return cls(type(error).__name__, error.user_message, error.detail)
        return cls("GenerationFailed", UNEXPECTED_FAILURE, repr(error))

    def to_error(self) -> errors.LocalChatError:
        kind = getattr(errors, self.kind, errors.LocalChatError)
        if not (isinstance(kind, type) and issubclass(kind, errors.LocalChatError)):
            kind = errors.LocalChatError
        return kind(self.user_message, self.detail)


def serve(conn: Any, cancel: Any, hash_cache: str | None = None) -> None:
    """Answer requests on ``conn`` until it closes.  ``cancel`` is a shared Event; ``hash_cache`` is the file
    that keeps model files' hashes between runs."""
    from engine.inspect.identity import ModelHasher
    from engine.inspect.replay import replay
    from engine.runtime.model import load_model

    hasher = ModelHasher(hash_cache)
    session: ChatSession | None = None
    raw: ChatSession | None = None  # the same model continuing raw text, made when first asked for
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        command, args = request[0], request[1:]
        try:
            if command == "load":
                session = raw = None  # free the old model before loading the next
                session = ChatSession(load_model(*args), hasher=hasher)
                session.prepare()  # the KV buffer is allocated while the window says "loading"
                conn.send(("loaded", session.loaded.info))
            elif command == "reply":
                _stream_reply(conn, _require(session), *args, cancel=cancel)
                session.settle(stop=conn.poll)  # while the user reads; a waiting request ends it
            elif command == "generate":
                request: GenerationRequest = args[0]
                target = _require(session)
                if request.prompt is not None:  # one KV cache at a time: the session not in use frees its own
                    raw = raw or raw_session(target)
                    target.forget()
                    target = raw
                elif raw is not None:
                    raw.forget()
                _stream_generation(conn, target, request, cancel)
                target.settle(stop=conn.poll)
            elif command == "forget":
                _require(session).forget(free_memory=False)  # another conversation: keep the buffer
            elif command == "count":
                conn.send(("count", _require(session).count_tokens(*args)))
            elif command == "prompt":
                conn.send(("prompt", _require(session).prompt_xray(*args)))
            elif command == "next_token":
                conn.send(("next_token", _require(session).next_token(*args)))
            elif command == "replay":
                cancel.clear()
                conn.send(("replayed", replay(_require(session), *args)))
            elif command == "explain":
                conn.send(("explained", _require(session).explain_reply(*args)))
            elif command == "model_hash":
                conn.send(("model_hash", _require(session).model_hash(*args)))
        except Exception as error:  # noqa: BLE001 - every failure is reported to the app
            conn.send(("failed", ErrorPayload.from_error(error)))


def _require(session: ChatSession | None) -> ChatSession:
    if session is None:
        raise errors.LocalChatError("No model is loaded; open a model first.")
    return session


def _stream_reply(conn: Any, session: ChatSession, messages: list, settings: Any, explain: int,
                  forced: tuple = (), prefix_steps: tuple = (), *, cancel: Any) -> None:
    reply = session.reply(messages, settings, cancel=cancel, explain=explain, forced=forced,
                          prefix_steps=prefix_steps)
    record = reply.record
    pending: list[str] = []
    last_flush = time.perf_counter()
    for text in reply:
        pending.append(text)
        now = time.perf_counter()
        if now - last_flush >= FLUSH_S:
            conn.send(("chunk", "".join(pending), record.prompt_tokens, record.generated_tokens))
            pending.clear()
            last_flush = now
    if pending:
        conn.send(("chunk", "".join(pending), record.prompt_tokens, record.generated_tokens))
    if reply.steps:
        conn.send(("steps", reply.steps))
    conn.send(("tokens", reply.token_ids, reply.provenance))
    conn.send(("finished", record))


def _stream_generation(conn: Any, session: ChatSession, request: GenerationRequest, cancel: Any) -> None:
    generation = Generation(session, request, cancel)
    record = generation.record
    pending: list = []
    last_flush = time.perf_counter()
    for piece in generation:
        pending.append(piece)
        now = time.perf_counter()
        if now - last_flush >= FLUSH_S:
            conn.send(("pieces", pending, record.prompt_tokens, record.generated_tokens))
            pending = []
            last_flush = now
    if pending:
        conn.send(("pieces", pending, record.prompt_tokens, record.generated_tokens))
    conn.send(("finished", record))
