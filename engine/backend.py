"""The one engine boundary: what the window's worker and the CLI drive, whichever engine answers.

Three things implement it: ``engine.process.client.EngineProcess`` (a model run by onnxruntime-genai in
a child process, the window's default), ``engine.runtime.inprocess.InProcessBackend`` (the same engine in
the caller's process, for the CLI) and ``engine.remote.openai_backend.OpenAIBackend`` (any
OpenAI-compatible server: vLLM, Ollama, LM Studio, another LocalChat).  Code that holds a ``Backend``
never asks which one it has.
"""

from __future__ import annotations

from typing import Protocol, Sequence, runtime_checkable

from engine.runtime.conversation import Message
from engine.runtime.model import ModelInfo
from engine.runtime.session import Reply
from engine.runtime.settings import SamplingSettings


@runtime_checkable
class Backend(Protocol):
    """Load a model, stream replies, stop them.  Used from one thread, except ``cancel``."""

    @property
    def pid(self) -> int | None:
        """The engine's process id when it is a process on this machine that may be killed, else None."""

    def load(self, path: str, provider: str = "auto") -> ModelInfo:
        """Make ``path`` the model replies come from: a model folder, or a server's model name.

        Raises a LocalChatError with one plain sentence when that model cannot be used.
        """

    def reply(self, messages: Sequence[Message], settings: SamplingSettings, explain: int = 0) -> Reply:
        """The reply to ``messages``: iterate it for text chunks, then read ``record`` (and ``steps``,
        ``explain`` token choices per token, when asked for and the engine can give them).

        While it streams, ``record.prompt_tokens`` and ``record.generated_tokens`` are kept current.
        """

    def cancel(self) -> None:
        """Stop the reply in progress as soon as possible; safe to call from any thread."""

    def close(self) -> None:
        """Let go of the engine (process, connections); the backend may be used again after ``load``."""
