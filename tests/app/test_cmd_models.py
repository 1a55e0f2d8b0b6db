"""``localchat models``: list, download (from a fake Hub), remove, add, login."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import run
from hub_server import FakeHub, files_from_folder

REPO = "microsoft/Phi-3.5-mini-instruct-onnx"
CPU_FOLDER = "cpu_and_mobile/cpu-int4-awq-block-128-acc-level-4"


@pytest.fixture
def hub(chat_model: Path, monkeypatch: pytest.MonkeyPatch):
    """The catalog's Phi-3.5 repository, holding the synthetic model in its CPU folder."""
    files = files_from_folder(chat_model, CPU_FOLDER) | files_from_folder(chat_model, "gpu/gpu-int4-awq-block-128")
    server = FakeHub(REPO, files).start()
    monkeypatch.setenv("HF_ENDPOINT", server.url)
    yield server
    server.stop()


def listing(capsys: pytest.CaptureFixture) -> dict:
    assert run(["models", "list", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_list_shows_the_catalog_with_fit_hints(capsys: pytest.CaptureFixture) -> None:
    data = listing(capsys)
    phi = next(m for m in data["catalog"] if m["id"] == "phi-3.5-mini-instruct")
    cpu = next(v for v in phi["variants"] if v["provider"] == "cpu")
    assert cpu["fit"] in ("fits", "may be slow", "won't fit") and cpu["provider_installed"]
    assert data["installed"] == []
    assert run(["models", "list"]) == 0
    assert "phi-3.5-mini-instruct" in capsys.readouterr().out


def test_download_installs_the_best_variant_then_list_and_remove(hub: FakeHub,
                                                                 capsys: pytest.CaptureFixture) -> None:
    assert run(["models", "download", "phi-3.5-mini-instruct"]) == 0
    err = capsys.readouterr().err
    assert "100.0%" in err and "Installed phi-3.5-mini-instruct" in err
    assert all(path.startswith(CPU_FOLDER) for path in hub.fetched())

    [installed] = listing(capsys)["installed"]
    assert installed["id"] == "phi-3.5-mini-instruct" and installed["provider"] == "cpu"
    assert installed["size_bytes"] > 0

    from app.models import resolve_model

    assert (Path(resolve_model("phi-3.5-mini-instruct")) / "genai_config.json").is_file()

    assert run(["models", "remove", "phi-3.5-mini-instruct"]) == 0
    assert listing(capsys)["installed"] == []


def test_download_errors_are_one_plain_sentence(hub: FakeHub, capsys: pytest.CaptureFixture) -> None:
    assert run(["models", "download", "no-such-model"]) == 1
    assert "no model called 'no-such-model'" in capsys.readouterr().err
    assert run(["models", "download", "phi-3.5-mini-instruct", "--variant", "dml"]) == 1
    assert "has no dml build" in capsys.readouterr().err
    hub.faults.status = 401
    assert run(["models", "download", "phi-3.5-mini-instruct"]) == 1
    assert "sign in with a Hugging Face token" in capsys.readouterr().err


def test_add_and_remove_a_local_folder(chat_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert run(["models", "add", str(chat_model)]) == 0
    [added] = listing(capsys)["installed"]
    assert added["source"] == "local" and Path(added["path"]) == chat_model.resolve()

    assert run(["models", "add", str(tmp_path)]) == 1
    assert "genai_config.json" in capsys.readouterr().err

    assert run(["models", "remove", added["id"]]) == 0
    assert (chat_model / "genai_config.json").is_file()
    assert run(["models", "remove", added["id"]]) == 1


def test_login_stores_the_token_through_huggingface_hub(monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture) -> None:
    import huggingface_hub

    stored = []
    monkeypatch.setattr(huggingface_hub, "login", lambda token: stored.append(token))
    assert run(["models", "login", "--token", " hf_abc "]) == 0
    assert stored == ["hf_abc"]

    def refuse(token: str) -> None:
        raise ValueError("Invalid user token.")

    monkeypatch.setattr(huggingface_hub, "login", refuse)
    assert run(["models", "login", "--token", "hf_bad"]) == 1
    assert "did not accept that token" in capsys.readouterr().err


def test_download_any_hub_repository_by_org_repo_and_subfolder(hub: FakeHub, capsys: pytest.CaptureFixture,
                                                               chat_model: Path) -> None:
    assert run(["models", "download", f"{REPO}:{CPU_FOLDER}"]) == 0
    err = capsys.readouterr().err
    assert "100.0%" in err and "Installed phi-3.5-mini-instruct-onnx-cpu-int4-awq-block-128-acc-level-4" in err
    assert all(path.startswith(CPU_FOLDER) for path in hub.fetched())
    [installed] = listing(capsys)["installed"]
    assert installed["repo"] == REPO and installed["subfolder"] == CPU_FOLDER
    assert (Path(installed["path"]) / "genai_config.json").read_bytes() == (chat_model / "genai_config.json").read_bytes()

    assert run(["models", "download", f"{REPO}:{CPU_FOLDER}"]) == 1
    err = capsys.readouterr().err
    assert "already installed" in err and "`localchat models remove phi-3.5-mini" in err  # the terminal's way
    assert run(["models", "download", f"{REPO}:gpu"]) == 1  # the folder holding gpu-int4…, not a model itself
    assert "not an ONNX Runtime GenAI model" in capsys.readouterr().err
    assert run(["models", "download", f"{REPO}:{CPU_FOLDER}", "--variant", "cpu"]) == 1
    assert "--variant is for catalog models" in capsys.readouterr().err
