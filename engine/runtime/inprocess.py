"""The engine in the caller's own process, behind the Backend interface (the CLI uses it)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Sequence

from engine.errors import LocalChatError
from engine.inspect.distribution import SHORTLIST, NextTokenDistribution
from engine.inspect.identity import ModelHasher, Provenance
from engine.inspect.replay import ReplayVerdict, replay
from engine.inspect.xray import PromptXray
from engine.runtime.record import TokenStep
from engine.runtime.conversation import Message
from engine.runtime.model import ModelInfo, load_model
from engine.runtime.session import ChatSession, Reply
from engine.runtime.settings import SamplingSettings


class InProcessBackend:
    def __init__(self, hash_cache: str | Path | None = None) -> None:
        self._session: ChatSession | None = None
        self._cancel = threading.Event()
        self._hasher = ModelHasher(hash_cache)

    @property
    def session(self) -> ChatSession | None:
        """The session behind this backend (for the inspection calls: prompt X-ray, next token)."""
        return self._session

    @property
    def pid(self) -> int | None:
        return None  # the caller's own process: never one to kill

    def load(self, path: str, provider: str = "auto") -> ModelInfo:
        self._session = None  # free the old model before loading the next
        self._session = ChatSession(load_model(path, provider), hasher=self._hasher)
        return self._session.loaded.info

    def reply(self, messages: Sequence[Message], settings: SamplingSettings, explain: int = 0,
              forced: Sequence[int] = (), prefix_steps: Sequence[TokenStep] = ()) -> Reply:
        self._cancel.clear()
        return self._loaded().reply(messages, settings, cancel=self._cancel, explain=explain, forced=forced,
                                    prefix_steps=prefix_steps)

    # The inspection calls (see ChatSession): the same names as EngineProcess's.
    def prompt_xray(self, messages: Sequence[Message], reply_reserve: int = 512) -> PromptXray:
        return self._loaded().prompt_xray(messages, reply_reserve)

    def next_token(self, messages: Sequence[Message], reply_reserve: int = 512,
                   count: int = SHORTLIST) -> NextTokenDistribution:
        return self._loaded().next_token(messages, reply_reserve, count)

    def explain_reply(self, messages: Sequence[Message], settings: SamplingSettings, token_ids: Sequence[int],
                      count: int = 5) -> list[TokenStep]:
        return self._loaded().explain_reply(messages, settings, token_ids, count)

    def replay(self, messages: Sequence[Message], stored: Provenance, text: str,
               token_ids: Sequence[int] = ()) -> ReplayVerdict:
        return replay(self._loaded(), messages, stored, text, token_ids)

    def model_hash(self, fresh: bool = False) -> str:
        return self._loaded().model_hash(fresh)

    def _loaded(self) -> ChatSession:
        if self._session is None:
            raise LocalChatError("No model is loaded; open a model first.")
        return self._session

    def cancel(self) -> None:
        self._cancel.set()

    def close(self) -> None:
        self._session = None
