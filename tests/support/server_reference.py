"""What the server must answer, computed in this process by the engine itself (tests/engine checks the engine
against the synthetic model's numpy reference)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from engine.process.generation import Generation, GenerationRequest, raw_session
from engine.runtime.conversation import Message
from engine.runtime.model import load_model
from engine.runtime.prompt import PromptBuilder
from engine.runtime.session import ChatSession
from engine.runtime.settings import SamplingSettings

GREEDY = SamplingSettings(temperature=0.0, top_p=1.0, top_k=0, max_new_tokens=64)


@lru_cache(maxsize=8)
def _loaded(path: str):
    return load_model(path, "cpu")


def chat_text(model: Path, messages: list[dict], settings: SamplingSettings = GREEDY) -> str:
    session = ChatSession(_loaded(str(model)))
    return session.reply([Message(m["role"], m["content"]) for m in messages], settings).text()


def completion_text(model: Path, prompt: str, settings: SamplingSettings = GREEDY) -> str:
    session = raw_session(ChatSession(_loaded(str(model))))
    return "".join(p.text for p in Generation(session, GenerationRequest(settings, prompt=prompt), None))


def prompt_ids(model: Path, messages: list[dict]) -> list[int]:
    return PromptBuilder(_loaded(str(model))).encode([Message(m["role"], m["content"]) for m in messages])
