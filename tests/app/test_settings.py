"""AppSettings: defaults, round trip, damaged files and atomic saving."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import app.storage.settings as settings_module
from app.storage.settings import AppSettings, SettingsNotSaved, settings_path


def test_missing_file_gives_defaults_without_creating_anything(localchat_home: Path) -> None:
    settings = AppSettings.load()
    assert settings == AppSettings()
    assert (settings.provider, settings.temperature, settings.top_p, settings.top_k) == ("auto", 0.7, 0.9, 40)
    assert (settings.max_new_tokens, settings.seed, settings.theme) == (512, None, "system")
    assert not localchat_home.exists()


def test_round_trip(localchat_home: Path) -> None:
    chosen = AppSettings(last_model="/models/phi-3", provider="cuda", temperature=0.2, top_p=0.5, top_k=0,
                         repetition_penalty=1.1, max_new_tokens=64, seed=7, system_prompt="Be brief.\nAlways.",
                         window_geometry="AdnQywADAAAAAAAA", theme="dark")
    chosen.save()
    assert settings_path() == localchat_home / "config" / "settings.json"
    assert AppSettings.load() == chosen


def test_save_is_atomic_and_leaves_no_temp_files() -> None:
    AppSettings(theme="light").save()
    AppSettings(theme="dark").save()
    assert [p.name for p in settings_path().parent.iterdir()] == ["settings.json"]
    assert json.loads(settings_path().read_text())["theme"] == "dark"


def test_failed_save_keeps_the_old_file_and_cleans_up(monkeypatch: pytest.MonkeyPatch) -> None:
    AppSettings(theme="light").save()

    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(settings_module.os, "replace", disk_full)
    with pytest.raises(SettingsNotSaved) as error:
        AppSettings(theme="dark").save()
    assert error.value.user_message.count(".") == 1
    assert [p.name for p in settings_path().parent.iterdir()] == ["settings.json"]
    assert AppSettings.load().theme == "light"


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe\x00garbage", b"[1, 2, 3]", b""])
def test_damaged_file_is_moved_aside_and_defaults_used(content: bytes) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(content)

    assert AppSettings.load() == AppSettings()
    assert not path.exists()
    (moved,) = path.parent.glob("settings.json.corrupt-*")
    assert moved.read_bytes() == content


def test_wrong_fields_fall_back_one_by_one_and_unknown_keys_are_ignored() -> None:
    path = settings_path()
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({
        "temperature": "hot", "top_p": 0.5, "top_k": 2.5, "max_new_tokens": True, "seed": 99,
        "provider": "tpu", "theme": "dark", "window_geometry": 12, "repetition_penalty": 1,
        "from_a_newer_version": {"x": 1},
    }))
    settings = AppSettings.load()
    assert settings == AppSettings(top_p=0.5, seed=99, theme="dark", repetition_penalty=1.0)
    assert isinstance(settings.repetition_penalty, float)


def test_unreadable_path_gives_defaults_and_is_left_alone() -> None:
    path = settings_path()
    path.mkdir(parents=True)  # a folder where the file should be
    assert AppSettings.load() == AppSettings()
    assert path.is_dir()
    assert os.listdir(path.parent) == ["settings.json"]
