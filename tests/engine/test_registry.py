"""Installed models: listing, resolving an id or a path, adding local folders, removing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.errors import LocalChatError, ModelFolderMissing, NotAGenaiModel
from engine.models.registry import MANIFEST, Registry, slug


def fake_download(models_dir: Path, model_id: str, provider: str = "cpu") -> Path:
    """A folder shaped like a finished download (the download itself is tested in tests/app)."""
    folder = models_dir / model_id
    folder.mkdir(parents=True)
    (folder / "genai_config.json").write_text("{}")
    (folder / "model.onnx").write_bytes(b"x" * 100)
    (folder / MANIFEST).write_text(json.dumps({"repo_id": "org/repo", "subfolder": "cpu", "provider": provider}))
    return folder


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    return Registry(tmp_path / "models")


def test_empty_when_nothing_is_installed(registry: Registry) -> None:
    assert registry.list_installed() == []


def test_lists_downloads_with_size_and_provider_but_not_partial_ones(registry: Registry) -> None:
    folder = fake_download(registry.models_dir, "phi")
    partial = registry.models_dir / "other.partial"
    partial.mkdir()
    (partial / "genai_config.json").write_text("{}")

    [model] = registry.list_installed()
    assert (model.id, model.path, model.source, model.provider) == ("phi", folder, "hub", "cpu")
    assert model.size_bytes == sum(p.stat().st_size for p in folder.iterdir())


def test_resolve_takes_an_installed_id_or_a_model_folder(registry: Registry, chat_model: Path) -> None:
    folder = fake_download(registry.models_dir, "phi")
    assert registry.resolve("phi") == folder
    assert registry.resolve(str(chat_model)) == chat_model


def test_resolve_explains_what_is_wrong(registry: Registry, tmp_path: Path) -> None:
    with pytest.raises(ModelFolderMissing, match="no installed model called 'nope'"):
        registry.resolve("nope")
    with pytest.raises(NotAGenaiModel, match="genai_config.json"):
        registry.resolve(tmp_path)


def test_add_local_remembers_the_folder_once(registry: Registry, chat_model: Path) -> None:
    first = registry.add_local(chat_model)
    again = registry.add_local(chat_model)

    assert first == again and first.source == "local" and first.id == slug(chat_model.name)
    assert registry.resolve(first.id) == chat_model.resolve()
    assert Registry(registry.models_dir).list_installed() == [first]  # kept in local.json


def test_add_local_gives_a_new_id_when_the_name_is_taken(registry: Registry, chat_model: Path) -> None:
    fake_download(registry.models_dir, slug(chat_model.name))
    added = registry.add_local(chat_model)
    assert added.id == f"{slug(chat_model.name)}-2"


def test_add_local_refuses_folders_that_are_not_models(registry: Registry, tmp_path: Path) -> None:
    with pytest.raises(NotAGenaiModel):
        registry.add_local(tmp_path)
    with pytest.raises(ModelFolderMissing):
        registry.add_local(tmp_path / "missing")


def test_remove_deletes_downloads_but_only_forgets_local_folders(registry: Registry, chat_model: Path) -> None:
    folder = fake_download(registry.models_dir, "phi")
    local = registry.add_local(chat_model)

    registry.remove("phi")
    registry.remove(local.id)

    assert not folder.exists()
    assert (chat_model / "genai_config.json").is_file()
    assert registry.list_installed() == []
    with pytest.raises(ModelFolderMissing):
        registry.remove("phi")


def test_a_downloaded_id_cannot_be_downloaded_twice(registry: Registry) -> None:
    fake_download(registry.models_dir, "phi")
    with pytest.raises(LocalChatError, match="already installed") as refused:
        registry.add_hub("org/repo", "cpu", model_id="phi")
    assert "localchat" not in refused.value.user_message  # the window shows it too: no terminal command in it


def test_a_damaged_local_list_is_a_plain_error(registry: Registry) -> None:
    registry.models_dir.mkdir(parents=True)
    (registry.models_dir / "local.json").write_text("{not json")
    with pytest.raises(ModelFolderMissing, match="unreadable"):
        registry.list_installed()


def test_slug_makes_short_ids() -> None:
    assert slug("Phi-3.5-mini-instruct-onnx cpu_int4") == "phi-3.5-mini-instruct-onnx-cpu-int4"
    assert slug("///") == "model"


def test_remove_discards_an_unfinished_download(registry: Registry) -> None:
    partial = registry.models_dir / "phi.partial"
    partial.mkdir(parents=True)
    (partial / "model.onnx").write_bytes(b"half")
    registry.remove("phi")
    assert not partial.exists()
