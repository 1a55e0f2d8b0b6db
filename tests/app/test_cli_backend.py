"""``localchat generate --backend``: a server on 127.0.0.1 as the engine of the command line."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import run
from fake_openai import FakeOpenAI, reply_words

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "import sys; from app.cli import run; sys.exit(run(sys.argv[1:]))"]


@pytest.fixture
def fake():
    with FakeOpenAI(api_key="k-123") as server:
        yield server


def test_generate_streams_from_a_server(fake, capsys):
    code = run(["generate", "--backend", fake.base_url.removesuffix("/v1"), "--api-key", "k-123",
                "--remote-model", "fake-large", "--prompt", "hi", "--max-tokens", "4"])
    assert code == 0
    out, err = capsys.readouterr()
    assert out == "".join(reply_words(1, 4)) + "\n"
    assert "does not take stream_options" in err  # a note, not an error
    assert fake.requests[0]["model"] == "fake-large" and fake.requests[0]["max_tokens"] == 4


def test_generate_json_says_where_the_reply_came_from(fake, capsys, monkeypatch):
    monkeypatch.setenv("LOCALCHAT_API_KEY", "k-123")
    assert run(["generate", "--backend", fake.base_url, "--prompt", "hi", "--seed", "5", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["text"] == "".join(reply_words(1, 6))
    assert (result["server"], result["model"], result["seed"]) == (fake.base_url, "fake-small", 5)
    assert result["counted_by"] == "client" and result["finish_reason"] == "eos"
    assert fake.requests[0]["seed"] == 5


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("args, sentence", [
    (["--backend", "http://127.0.0.1:{port}/v1"], "could not reach the server at 127.0.0.1:{port}"),
    (["--backend", "ftp://x"], "not ftp://"),
    (["--backend", "{fake}"], "needs an API key"),
    (["--backend", "{fake}", "--api-key", "k-123", "--remote-model", "nope"], "no model named “nope”"),
])
def test_server_trouble_is_one_sentence(fake, args, sentence):
    port = free_port()
    args = [a.format(port=port, fake=fake.base_url) for a in args]
    done = subprocess.run(CLI + ["generate", "--prompt", "hi", *args], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 1, done.stderr
    assert sentence.format(port=port) in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_model_or_a_server_is_needed():
    done = subprocess.run(CLI + ["generate", "--prompt", "hi"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2 and "either --model" in done.stderr
