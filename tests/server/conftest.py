"""The conformance suite's servers: the real ``localchat serve`` as a subprocess (tests/support/server_process.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from server_process import RunningServer
from synthetic_model import build_synthetic_model


@pytest.fixture(scope="module")
def start_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    servers: list[RunningServer] = []

    def start(model: Path, *flags: str) -> RunningServer:
        server = RunningServer(model, tmp_path_factory.mktemp("server-home"), *flags)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def slow_chat_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Several ms a token and a 4096-token context: long generations that tests interrupt by events."""
    return build_synthetic_model(tmp_path_factory.mktemp("models") / "synthetic-slow-server", chat=True,
                                 context_length=4096, slow_matmuls=6)


from server_process import LONG_PROMPT  # noqa: E402


@pytest.fixture(scope="session")
def long_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The slow synthetic chat model whose end-of-reply token is the one its greedy reply to ``LONG_PROMPT``
    reaches last (after some 1,700 tokens): a long generation that tests cut short by events, never by time."""
    import json

    from server_reference import prompt_ids
    from synthetic_model import SyntheticLM

    folder = build_synthetic_model(tmp_path_factory.mktemp("models") / "synthetic-long", chat=True,
                                   context_length=4096, slow_matmuls=8)
    tokens = SyntheticLM().greedy(prompt_ids(folder, LONG_PROMPT), 4000, eos=())
    first = {}
    for index, token in enumerate(tokens):
        first.setdefault(token, index)
    config_path = folder / "genai_config.json"
    config = json.loads(config_path.read_text())
    config["model"]["eos_token_id"] = max(first, key=first.get)
    config_path.write_text(json.dumps(config))
    return folder
