"""The engine in the caller's own process, behind the Backend interface (the CLI uses it)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Sequence

from engine.errors import LocalChatError
from engine.inspect.identity import ModelHasher
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

    def reply(self, messages: Sequence[Message], settings: SamplingSettings, explain: int = 0) -> Reply:
        if self._session is None:
            raise LocalChatError("No model is loaded; open a model first.")
        self._cancel.clear()
        return self._session.reply(messages, settings, cancel=self._cancel, explain=explain)

    def cancel(self) -> None:
        self._cancel.set()

    def close(self) -> None:
        self._session = None
