"""Where LocalChat keeps its files: one place, so tests and portable installs can move everything.

``LOCALCHAT_HOME`` puts every folder under one directory; otherwise the OS's standard
locations come from platformdirs.  Nothing is created at import time.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "LocalChat"


def _home() -> Path | None:
    value = os.environ.get("LOCALCHAT_HOME")
    return Path(value).expanduser() if value else None


def data_dir() -> Path:
    """Conversations database and other user data."""
    home = _home()
    return home / "data" if home else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    """settings.json."""
    home = _home()
    return home / "config" if home else Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def models_dir() -> Path:
    """Models downloaded from the Hugging Face Hub."""
    return data_dir() / "models"


def log_dir() -> Path:
    home = _home()
    return home / "logs" if home else Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    """Things LocalChat can compute again, such as the hashes of model files."""
    home = _home()
    return home / "cache" if home else Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def model_hash_cache() -> Path:
    return cache_dir() / "model-hashes.json"


def ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path
