"""AppSettings: the user's choices, kept in ``settings.json`` in the config folder.

Loading never fails: a missing file gives the defaults, a damaged file is moved aside
(so nothing the user had is destroyed) and gives the defaults, and a field with a wrong
type or value falls back to its default without disturbing the others.  Saving writes a
temporary file next to the real one and renames it over, so a crash mid-write leaves
either the old file or the new one, never half of one.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from app import paths
from engine.errors import LocalChatError

SETTINGS_NAME = "settings.json"
PROVIDERS = ("auto", "cpu", "cuda", "dml")
THEMES = ("system", "light", "dark", "high_contrast")
ENGINES = ("local", "server")

log = logging.getLogger(__name__)


class SettingsNotSaved(LocalChatError):
    pass


def settings_path() -> Path:
    return paths.config_dir() / SETTINGS_NAME


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _optional_str(value: Any) -> bool:
    return value is None or isinstance(value, str)


# What a stored value must satisfy to be used; anything else falls back to the default.
_VALID: dict[str, Callable[[Any], bool]] = {
    "last_model": _optional_str,
    "provider": lambda v: v in PROVIDERS,
    "temperature": lambda v: _is_number(v) and 0 <= v <= 5,
    "top_p": lambda v: _is_number(v) and 0 < v <= 1,
    "top_k": lambda v: _is_int(v) and v >= 0,
    "repetition_penalty": lambda v: _is_number(v) and v > 0,
    "max_new_tokens": lambda v: _is_int(v) and v >= 1,
    "seed": lambda v: v is None or (_is_int(v) and v >= 0),
    "system_prompt": lambda v: isinstance(v, str),
    "window_geometry": _optional_str,
    "theme": lambda v: v in THEMES,
    "text_size": lambda v: _is_number(v) and (v == 0 or 6 <= v <= 48),
    "wide_column": lambda v: isinstance(v, bool),
    "sidebar_open": lambda v: isinstance(v, bool),
    "settings_open": lambda v: isinstance(v, bool),
    "token_choices": lambda v: isinstance(v, bool),
    "engine": lambda v: v in ENGINES,
    "server_url": lambda v: isinstance(v, str),
    "server_model": lambda v: isinstance(v, str),
    "server_key": lambda v: isinstance(v, str),
}
_FLOATS = ("temperature", "top_p", "repetition_penalty", "text_size")


@dataclass
class AppSettings:
    last_model: str | None = None
    provider: str = "auto"
    temperature: float = 0.7
    top_p: float = 0.9
    top_k: int = 40
    repetition_penalty: float = 1.0
    max_new_tokens: int = 512
    seed: int | None = None  # None: a new random seed for every reply
    system_prompt: str = ""
    window_geometry: str | None = None  # base64 of QWidget.saveGeometry()
    theme: str = "system"
    text_size: float = 0.0  # points for the conversation's text; 0: the system's size
    wide_column: bool = False
    sidebar_open: bool = True
    settings_open: bool = True
    token_choices: bool = False  # "Keep token choices" (and with it Show tokens)
    engine: str = "local"  # "local": this machine's engine; "server": the OpenAI-compatible server below
    server_url: str = ""  # normalised base URL, e.g. http://gpu-box:8000/v1
    server_model: str = ""
    server_key: str = ""  # only where no OS keyring works (app.storage.secrets); the window warns about it

    @classmethod
    def load(cls, path: Path | None = None) -> AppSettings:
        path = path or settings_path()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("settings file does not hold a JSON object")
        except FileNotFoundError:
            return cls()
        except OSError as error:  # unreadable, e.g. permissions: leave it where it is
            log.warning("settings: cannot read %s (%s); using defaults", path, error)
            return cls()
        except ValueError as error:  # not JSON, not UTF-8, or not an object
            _set_aside(path, error)
            return cls()
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AppSettings:
        """Known keys with valid values; unknown keys are ignored (a newer LocalChat may have written them)."""
        chosen: dict[str, Any] = {}
        for field in fields(cls):
            if field.name not in data:
                continue
            value = data[field.name]
            if _VALID[field.name](value):
                chosen[field.name] = float(value) if field.name in _FLOATS else value
            else:
                log.warning("settings: ignoring %s=%r, using the default", field.name, value)
        return cls(**chosen)

    def save(self, path: Path | None = None) -> None:
        path = path or settings_path()
        text = json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"
        temp_name = None
        try:
            paths.ensure(path.parent)
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.",
                                             suffix=".tmp", delete=False) as temp:
                temp_name = temp.name
                temp.write(text)
                temp.flush()
                os.fsync(temp.fileno())
            os.replace(temp_name, path)
        except OSError as error:
            if temp_name:
                Path(temp_name).unlink(missing_ok=True)
            raise SettingsNotSaved("LocalChat couldn't save your settings; check that its config folder "
                                   "is writable and the disk is not full.", f"{path}: {error}") from error


def _set_aside(path: Path, error: BaseException) -> None:
    target = path.with_name(f"{path.name}.corrupt-{datetime.now():%Y%m%d-%H%M%S}")
    try:
        os.replace(path, target)
    except OSError as move_error:
        log.warning("settings: %s is unreadable (%s) and could not be moved aside (%s)", path, error, move_error)
        return
    log.warning("settings: %s was unreadable (%s); moved to %s and using defaults", path, error, target.name)
