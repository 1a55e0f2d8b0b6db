"""Which model wrote a reply, exactly: a content hash of the model's files, and everything else a replay needs.

Hashing a multi-gigabyte model takes seconds, so each file's SHA-256 is kept in a small JSON cache
keyed by its path, size and modification time; the folder's hash is a SHA-256 over the sorted
relative paths and file hashes.  ``fresh=True`` ignores the cache (the "check again" that proves the
weights did not change during a chat).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import asdict, dataclass, field, fields
from importlib import metadata
from pathlib import Path
from typing import Any

from engine.runtime.genai import genai_version
from engine.runtime.settings import SamplingSettings

CHUNK = 1 << 20


def localchat_version() -> str:
    try:
        return metadata.version("localchat")
    except metadata.PackageNotFoundError:
        return "unknown"


class ModelHasher:
    """Content hashes of model folders, with a per-file cache (``cache_file`` None: in memory only)."""

    def __init__(self, cache_file: str | Path | None = None) -> None:
        self._cache_file = Path(cache_file) if cache_file else None
        self._lock = threading.Lock()
        self._cache: dict[str, dict[str, Any]] = self._read_cache()

    def folder_hash(self, folder: str | Path, fresh: bool = False) -> str:
        """"sha256:<hex>" over every file in ``folder`` (names and contents)."""
        root = Path(folder)
        outer = hashlib.sha256()
        for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")):
            outer.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
            outer.update(self._file_hash(path, fresh).encode("ascii") + b"\n")
        self._write_cache()
        return "sha256:" + outer.hexdigest()

    def _file_hash(self, path: Path, fresh: bool) -> str:
        stat = path.stat()
        key = str(path.resolve())
        with self._lock:
            entry = self._cache.get(key)
        if not fresh and entry and entry.get("size") == stat.st_size and entry.get("mtime_ns") == stat.st_mtime_ns:
            return str(entry["sha256"])
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
        with self._lock:
            self._cache[key] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": digest.hexdigest()}
        return digest.hexdigest()

    def _read_cache(self) -> dict[str, dict[str, Any]]:
        if self._cache_file is None:
            return {}
        try:
            data = json.loads(self._cache_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {k: v for k, v in data.items() if isinstance(v, dict)} if isinstance(data, dict) else {}

    def _write_cache(self) -> None:
        if self._cache_file is None:
            return
        try:
            self._cache_file.parent.mkdir(parents=True, exist_ok=True)
            temporary = self._cache_file.with_suffix(".tmp")
            with self._lock:
                temporary.write_text(json.dumps(self._cache), encoding="utf-8")
            os.replace(temporary, self._cache_file)
        except OSError:
            pass  # a cache that cannot be written only costs time next start


class BackgroundHash:
    """A folder's hash computed on a thread (hashlib releases the GIL), so loading does not wait for it."""

    def __init__(self, hasher: ModelHasher, folder: str | Path) -> None:
        self._result: str = ""
        self._thread = threading.Thread(target=self._run, args=(hasher, folder), name="model-hash", daemon=True)
        self._thread.start()

    def _run(self, hasher: ModelHasher, folder: str | Path) -> None:
        try:
            self._result = hasher.folder_hash(folder)
        except OSError:
            self._result = ""

    def result(self) -> str:
        self._thread.join()
        return self._result


@dataclass(frozen=True)
class Provenance:
    """Everything that decides a reply besides the conversation: stored with every reply."""

    model_name: str
    model_path: str
    model_hash: str
    provider: str
    settings: dict = field(default_factory=dict)  # every sampling setting, with the seed actually used
    localchat_version: str = ""
    genai_version: str = ""
    forced: tuple[int, ...] = ()  # tokens the reply was made to start with ("continue from this alternative")

    def to_dict(self) -> dict:
        return {**asdict(self), "forced": list(self.forced)}

    def sampling(self) -> SamplingSettings:
        """The sampling settings the reply was written with (seed included)."""
        known = {f.name for f in fields(SamplingSettings)}
        return SamplingSettings(**{k: v for k, v in self.settings.items() if k in known})

    @classmethod
    def from_dict(cls, data: Any) -> "Provenance | None":
        """A stored provenance, or None when ``data`` is not one (replies from before provenance was kept)."""
        if not isinstance(data, dict):
            return None
        try:
            return cls(model_name=str(data["model_name"]), model_path=str(data.get("model_path", "")),
                       model_hash=str(data.get("model_hash", "")), provider=str(data.get("provider", "")),
                       settings=dict(data.get("settings") or {}),
                       localchat_version=str(data.get("localchat_version", "")),
                       genai_version=str(data.get("genai_version", "")),
                       forced=tuple(int(t) for t in data.get("forced") or ()))
        except (KeyError, TypeError, ValueError):
            return None


def current_versions() -> tuple[str, str]:
    return localchat_version(), genai_version()


def differences(stored: Provenance, now: Provenance) -> list[str]:
    """Plain phrases for what differs between two provenances (empty: the same model, provider and versions)."""
    found = []
    if stored.model_hash and now.model_hash and stored.model_hash != now.model_hash:
        found.append(f"the model's files differ ({_short(stored.model_hash)} then, {_short(now.model_hash)} now)")
    elif stored.model_name != now.model_name and not stored.model_hash:
        found.append(f"another model ({stored.model_name} then, {now.model_name} now)")
    if stored.provider != now.provider:
        found.append(f"another provider ({stored.provider.upper()} then, {now.provider.upper()} now)")
    if stored.genai_version and stored.genai_version != now.genai_version:
        found.append(f"another onnxruntime-genai ({stored.genai_version} then, {now.genai_version} now)")
    if stored.localchat_version and stored.localchat_version != now.localchat_version:
        found.append(f"another LocalChat ({stored.localchat_version} then, {now.localchat_version} now)")
    return found


def _short(digest: str) -> str:
    return digest.removeprefix("sha256:")[:12]
