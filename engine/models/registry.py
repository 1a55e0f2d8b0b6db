"""Installed models: downloaded ones in ``<models_dir>/<id>/``, plus local folders the user added.

A download goes into ``<models_dir>/<id>.partial/`` and is renamed to ``<id>/`` only after every
file arrived and verified, so an interrupted download is never listed (and a later attempt picks
up the files that completed).  Each downloaded folder carries ``localchat-model.json`` saying
where it came from.  Local folders are remembered in ``<models_dir>/local.json`` and never deleted
by ``remove``: they belong to the user.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from engine.models import download
from engine.models.download_lock import DownloadLock
from engine.errors import ModelFolderMissing, NotAGenaiModel

MANIFEST = "localchat-model.json"
LOCAL_LIST = "local.json"
PARTIAL_SUFFIX = ".partial"
LOCK_SUFFIX = ".lock"


@dataclass(frozen=True)
class InstalledModel:
    id: str
    path: Path
    source: str  # "hub" or "local"
    size_bytes: int
    provider: str | None = None  # cpu / cuda / dml when known
    repo_id: str | None = None
    subfolder: str | None = None


def slug(text: str) -> str:
    """A short lowercase id made of letters, digits, dots and dashes."""
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-.") or "model"


def default_id(repo_id: str, subfolder: str) -> str:
    """The id a Hub download gets unless one is given: the repository's name and the subfolder's last part."""
    last = subfolder.strip("/").split("/")[-1]
    return slug(f"{repo_id.split('/')[-1]}-{last}" if last else repo_id.split("/")[-1])


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


class Registry:
    def __init__(self, models_dir: Path) -> None:
        self.models_dir = Path(models_dir)

    # -- listing -----------------------------------------------------------------------------

    def list_installed(self) -> list[InstalledModel]:
        models = [self._downloaded(p) for p in self._downloaded_folders()]
        models += [self._local(model_id, path) for model_id, path in self._local_entries().items()]
        return sorted(models, key=lambda m: m.id)

    def get(self, model_id: str) -> InstalledModel | None:
        return next((m for m in self.list_installed() if m.id == model_id), None)

    def resolve(self, id_or_path: str | Path) -> Path:
        """The folder of an installed model id, or an existing model folder given by path."""
        installed = self.get(str(id_or_path))
        if installed is not None:
            if not (installed.path / "genai_config.json").is_file():
                raise ModelFolderMissing(f"The model '{installed.id}' is registered but its folder "
                                         f"{installed.path} is gone; remove it or add it again.")
            return installed.path
        path = Path(id_or_path).expanduser()
        if path.is_dir():
            return _require_genai_folder(path)
        raise ModelFolderMissing(f"There is no installed model called '{id_or_path}' and no folder at that path; "
                                 "run `localchat models list` to see the installed models.")

    # -- changing ----------------------------------------------------------------------------

    def add_local(self, path: str | Path) -> InstalledModel:
        """Remember a model folder that stays where the user keeps it."""
        folder = _require_genai_folder(Path(path).expanduser()).resolve()
        entries = self._local_entries()
        for model_id, known in entries.items():
            if known == folder:
                return self._local(model_id, known)
        model_id = self._free_id(slug(folder.name))
        entries[model_id] = folder
        self._write_local_entries(entries)
        return self._local(model_id, folder)

    def add_hub(self, repo_id: str, subfolder: str, *, model_id: str | None = None, provider: str | None = None,
                on_progress: download.ProgressCallback | None = None, cancel: threading.Event | None = None,
                token: str | None = None, attempts: int = 5, backoff_seconds: float = 1.0) -> InstalledModel:
        """Download ``subfolder`` of ``repo_id`` and install it as ``model_id``.

        Contacts the Hub (the only method here that does).  The default id comes from the repo and
        subfolder names.
        """
        model_id = model_id or default_id(repo_id, subfolder)
        self._refuse_installed(model_id)
        staging = self.models_dir / f"{model_id}{PARTIAL_SUFFIX}"
        with DownloadLock(self.models_dir / f"{model_id}{LOCK_SUFFIX}", model_id) as lock:
            self._refuse_installed(model_id)  # the other download may have finished while we waited
            variant = download.list_variant(repo_id, subfolder, token=token)

            def progressed(event: download.DownloadProgress) -> None:
                lock.heartbeat()
                if on_progress is not None:
                    on_progress(event)

            fetched = download.download_variant(variant, staging, token=token, on_progress=progressed,
                                                cancel=cancel, attempts=attempts, backoff_seconds=backoff_seconds)
            manifest = {"id": model_id, "repo_id": repo_id, "subfolder": variant.subfolder,
                        "revision": variant.revision, "provider": provider}
            (fetched / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
            final = self.models_dir / model_id
            os.replace(fetched, final)
            shutil.rmtree(staging, ignore_errors=True)
        return self._downloaded(final)

    def _refuse_installed(self, model_id: str) -> None:
        if self.get(model_id) is not None:
            raise download.AlreadyInstalled(model_id)

    def remove(self, model_id: str) -> None:
        """Delete a downloaded model (and any unfinished download of it), or forget a local folder."""
        entries = self._local_entries()
        if model_id in entries:
            del entries[model_id]
            self._write_local_entries(entries)
            return
        folder = self.models_dir / model_id
        partial = self.models_dir / f"{model_id}{PARTIAL_SUFFIX}"
        found = False
        if model_id and (folder / MANIFEST).is_file():
            shutil.rmtree(folder)
            found = True
        if model_id and partial.is_dir():
            shutil.rmtree(partial)
            found = True
        if not found:
            raise ModelFolderMissing(f"There is no installed model called '{model_id}'.")

    # -- inside ------------------------------------------------------------------------------

    def _downloaded_folders(self) -> list[Path]:
        if not self.models_dir.is_dir():
            return []
        return [p for p in self.models_dir.iterdir()
                if p.is_dir() and not p.name.endswith(PARTIAL_SUFFIX) and (p / MANIFEST).is_file()]

    def _downloaded(self, folder: Path) -> InstalledModel:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return InstalledModel(folder.name, folder, "hub", folder_size(folder), manifest.get("provider"),
                              manifest.get("repo_id"), manifest.get("subfolder"))

    def _local(self, model_id: str, folder: Path) -> InstalledModel:
        size = folder_size(folder) if folder.is_dir() else 0
        return InstalledModel(model_id, folder, "local", size)

    def _local_entries(self) -> dict[str, Path]:
        try:
            data = json.loads((self.models_dir / LOCAL_LIST).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            raise ModelFolderMissing("The list of added model folders is unreadable; remove "
                                     f"{self.models_dir / LOCAL_LIST} and add the folders again.",
                                     detail=str(error)) from error
        return {entry["id"]: Path(entry["path"]) for entry in data.get("models", [])}

    def _write_local_entries(self, entries: dict[str, Path]) -> None:
        self.models_dir.mkdir(parents=True, exist_ok=True)
        payload = {"models": [{"id": k, "path": str(v)} for k, v in sorted(entries.items())]}
        fd, tmp = tempfile.mkstemp(dir=self.models_dir, prefix=".local-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(payload, f, indent=1)
        os.replace(tmp, self.models_dir / LOCAL_LIST)

    def _free_id(self, base: str) -> str:
        taken = {m.id for m in self.list_installed()}
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}-{n}", n + 1
        return candidate


def _require_genai_folder(folder: Path) -> Path:
    if not folder.is_dir():
        raise ModelFolderMissing(f"The folder {folder} does not exist.")
    if not (folder / "genai_config.json").is_file():
        raise NotAGenaiModel(f"{folder} is not an ONNX Runtime GenAI model folder: it has no genai_config.json.")
    return folder
