from __future__ import annotations

from pathlib import Path

import pytest

from engine.runtime.model import LoadedModel, load_model
from engine.runtime.session import ChatSession


@pytest.fixture(scope="session")
def chat_loaded(chat_model: Path) -> LoadedModel:
    return load_model(chat_model, "cpu")


@pytest.fixture(scope="session")
def plain_loaded(plain_model: Path) -> LoadedModel:
    return load_model(plain_model, "cpu")


@pytest.fixture
def chat_session(chat_loaded: LoadedModel) -> ChatSession:
    return ChatSession(chat_loaded)


@pytest.fixture
def plain_session(plain_loaded: LoadedModel) -> ChatSession:
    return ChatSession(plain_loaded)
