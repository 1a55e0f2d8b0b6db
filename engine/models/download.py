"""Download one variant (a subfolder) of a Hugging Face Hub repository into a staging folder.

What huggingface_hub 2.4.0 already does, read from ``file_download.py``, and what we add:

* Resume: ``http_get`` retries a dropped connection up to 5 times, asking for the rest with
  ``Range: bytes=N-`` after a one-second pause.  Its partial file is named uniquely per call and
  deleted when the call fails, so a *new* call starts that file again; files that completed stay in
  the staging folder and are not fetched again.  We wrap each file in our own bounded retry loop
  with backoff for what gets past its retries.
* Checksums: it compares the received size with the expected size, never the content hash.  We
  verify every file ourselves: sha256 against the LFS id from the tree listing for LFS files, the
  git blob sha1 for the others.
* Endpoint: it reads ``HF_ENDPOINT`` once at import; we read it at call time and pass
  ``endpoint=`` explicitly, so the app honours it and tests can point at a local server.  Proxies
  (``HTTPS_PROXY`` …) are honoured by its HTTP client; we make no HTTP request of our own.
* Progress: it reports bytes through ``tqdm_class``; our class turns that into
  ``DownloadProgress`` events and raises ``DownloadCancelled`` when the cancel event is set.  It
  updates once per received chunk (at most 10 MiB), so that is how often cancel is noticed.
* Xet: with ``hf_xet`` installed it downloads Xet-stored files through Rust, whose progress and
  cancel path we cannot test here; we set ``HF_HUB_DISABLE_XET=1`` (unless the user set it) so
  files come over plain HTTPS, the path the tests cover.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Callable, Iterator

from engine.errors import LocalChatError, NotAGenaiModel


class DownloadError(LocalChatError):
    pass


class AccessDenied(DownloadError):
    pass


class NotFoundOnHub(DownloadError):
    pass


class NoNetwork(DownloadError):
    pass


class DiskFull(DownloadError):
    pass


class ChecksumMismatch(DownloadError):
    pass


class DownloadCancelled(DownloadError):
    pass


SIGN_IN = ("sign in with a Hugging Face token (run `localchat models login`) and accept the model's "
           "terms on its Hub page")


@dataclass(frozen=True)
class DownloadProgress:
    bytes_done: int
    total_bytes: int
    bytes_per_second: float
    seconds_left: float | None
    current_file: str


@dataclass(frozen=True)
class RemoteFile:
    path: str  # path in the repository, including the subfolder
    size: int
    sha256: str | None  # LFS files only
    git_sha1: str


@dataclass(frozen=True)
class RemoteVariant:
    repo_id: str
    subfolder: str
    revision: str  # the commit every file is fetched from
    files: tuple[RemoteFile, ...]

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)


ProgressCallback = Callable[[DownloadProgress], None]


def hub_endpoint() -> str | None:
    """The Hub address from ``HF_ENDPOINT`` now, or None for huggingface_hub's default."""
    value = os.environ.get("HF_ENDPOINT")
    return value.rstrip("/") if value else None


def _hub() -> ModuleType:
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("HF_HUB_DISABLE_XET", "1")
    import huggingface_hub

    return huggingface_hub


def list_variant(repo_id: str, subfolder: str, *, revision: str = "main", endpoint: str | None = None,
                 token: str | None = None) -> RemoteVariant:
    """Ask the Hub which files make up ``subfolder`` of ``repo_id`` (pinned to one commit)."""
    hub = _hub()
    from huggingface_hub.hf_api import RepoFile

    api = hub.HfApi(endpoint=endpoint or hub_endpoint(), token=token)
    subfolder = subfolder.strip("/")
    with translate_errors(repo_id, subfolder):
        commit = api.model_info(repo_id, revision=revision).sha or revision
        entries = api.list_repo_tree(repo_id, path_in_repo=subfolder or None, recursive=True, revision=commit)
        files = tuple(RemoteFile(e.path, e.size, e.lfs.sha256 if e.lfs else None, e.blob_id)
                      for e in entries if isinstance(e, RepoFile))
    where = f"{repo_id}/{subfolder}" if subfolder else repo_id
    if not files:
        raise NotFoundOnHub(f"There is nothing in {where} on the Hugging Face Hub.")
    prefix = f"{subfolder}/" if subfolder else ""
    if f"{prefix}genai_config.json" not in {f.path for f in files}:
        raise NotAGenaiModel(f"{where} is not an ONNX Runtime GenAI model: it has no genai_config.json.")
    return RemoteVariant(repo_id, subfolder, commit, files)


def download_variant(variant: RemoteVariant, staging: Path, *, endpoint: str | None = None,
                     token: str | None = None, on_progress: ProgressCallback | None = None,
                     cancel: threading.Event | None = None, attempts: int = 3,
                     backoff_seconds: float = 1.0) -> Path:
    """Fetch every file of ``variant`` into ``staging`` (repo layout) and verify it; return the variant folder.

    ``staging`` may hold files from an earlier, interrupted run: those that still verify are kept.
    """
    hub = _hub()
    cancel = cancel or threading.Event()
    staging.mkdir(parents=True, exist_ok=True)
    _check_free_space(variant, staging)
    meter = _Meter(variant.total_bytes, on_progress)
    for remote in variant.files:
        _raise_if_cancelled(cancel)
        local = staging / remote.path
        if local.is_file() and _matches(local, remote, cancel):
            meter.file_done(remote)
            continue
        for attempt in range(1, attempts + 1):
            meter.start_file(remote)
            try:
                with translate_errors(variant.repo_id, variant.subfolder):
                    hub.hf_hub_download(variant.repo_id, remote.path, revision=variant.revision,
                                        local_dir=staging, endpoint=endpoint or hub_endpoint(), token=token,
                                        tqdm_class=meter.bar_class(cancel))
                break
            except NoNetwork:
                if attempt == attempts:
                    raise
                time.sleep(backoff_seconds * 2 ** (attempt - 1))
        if not _matches(local, remote, cancel):
            local.unlink()
            raise ChecksumMismatch(
                f"{remote.path} arrived damaged (its checksum does not match the Hub's); try the download again.",
                detail=f"expected {remote.sha256 or remote.git_sha1}")
        meter.file_done(remote)
    return staging / variant.subfolder if variant.subfolder else staging


def _check_free_space(variant: RemoteVariant, staging: Path) -> None:
    have = sum((staging / f.path).stat().st_size for f in variant.files if (staging / f.path).is_file())
    needed = variant.total_bytes - have
    free = shutil.disk_usage(staging).free
    if free < needed:
        raise DiskFull(f"Not enough disk space: this model needs {needed / 1e9:.1f} GB more and only "
                       f"{free / 1e9:.1f} GB is free. Free some space and try again.", detail=str(staging))


def _matches(path: Path, remote: RemoteFile, cancel: threading.Event) -> bool:
    """Whether the file's content hash equals the Hub's (sha256 for LFS, git blob sha1 otherwise)."""
    if path.stat().st_size != remote.size:
        return False
    if remote.sha256:
        digest = hashlib.sha256()
    else:
        digest = hashlib.sha1()
        digest.update(b"blob %d\0" % remote.size)
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            _raise_if_cancelled(cancel)
            digest.update(chunk)
    return digest.hexdigest() == (remote.sha256 or remote.git_sha1)


def _raise_if_cancelled(cancel: threading.Event) -> None:
    if cancel.is_set():
        raise DownloadCancelled("The download was cancelled.")


def store_token(token: str) -> None:
    """Check ``token`` with the Hub and keep it where huggingface_hub keeps tokens (its ``login``)."""
    hub = _hub()
    try:
        with translate_errors("the Hugging Face Hub"):
            hub.login(token=token)
    except (ValueError, AccessDenied) as error:
        raise AccessDenied("The Hugging Face Hub did not accept that token; check it and try again.",
                           detail=str(error)) from error


@contextmanager
def translate_errors(repo_id: str, subfolder: str = "") -> Iterator[None]:
    """Turn huggingface_hub / network / disk errors into LocalChat errors with a plain sentence."""
    from huggingface_hub import errors as hf_errors
    import httpx2

    where = f"{repo_id}/{subfolder}" if subfolder else repo_id
    try:
        yield
    except LocalChatError:
        raise
    except hf_errors.GatedRepoError as error:
        raise AccessDenied(f"{repo_id} is gated: to download it, {SIGN_IN}.", detail=str(error)) from error
    except hf_errors.RepositoryNotFoundError as error:
        raise NotFoundOnHub(f"The repository {repo_id} was not found on the Hugging Face Hub (if it is private, "
                            f"{SIGN_IN}).", detail=str(error)) from error
    except (hf_errors.RemoteEntryNotFoundError, hf_errors.RevisionNotFoundError) as error:
        raise NotFoundOnHub(f"{where} was not found on the Hugging Face Hub.", detail=str(error)) from error
    except hf_errors.HfHubHTTPError as error:
        status = error.response.status_code if error.response is not None else None
        if status in (401, 403):
            raise AccessDenied(f"You have no access to {repo_id}: {SIGN_IN}.", detail=str(error)) from error
        if status == 404:
            raise NotFoundOnHub(f"{where} was not found on the Hugging Face Hub.", detail=str(error)) from error
        raise NoNetwork("The Hugging Face Hub did not answer properly; try again later.",
                        detail=str(error)) from error
    except (httpx2.TransportError, hf_errors.LocalEntryNotFoundError, hf_errors.OfflineModeIsEnabled) as error:
        raise NoNetwork("Cannot reach the Hugging Face Hub: check your internet connection (and proxy "
                        "settings) and try again.", detail=str(error)) from error
    except OSError as error:
        if error.errno == errno.ENOSPC:
            raise DiskFull("The disk is full: free some space and try the download again.",
                           detail=str(error)) from error
        if "Consistency check failed" in str(error):  # size mismatch after huggingface_hub's own retries
            raise NoNetwork("The connection kept dropping during the download; try again.",
                            detail=str(error)) from error
        raise


class _Meter:
    """Adds up bytes across files and reports speed and time left over the last few seconds."""

    WINDOW_SECONDS = 5.0

    def __init__(self, total: int, on_progress: ProgressCallback | None) -> None:
        self.total = total
        self.on_progress = on_progress
        self.finished = 0  # bytes of files already complete
        self.current = 0  # bytes of the file in flight
        self.current_file = ""
        self.samples: deque[tuple[float, int]] = deque()
        self.lock = threading.Lock()

    def start_file(self, remote: RemoteFile) -> None:
        with self.lock:
            self.current, self.current_file = 0, remote.path
        self._report()

    def file_done(self, remote: RemoteFile) -> None:
        with self.lock:
            self.finished += remote.size
            self.current, self.current_file = 0, remote.path
        self._report()

    def advance(self, n: int) -> None:
        with self.lock:
            self.current += n
        self._report()

    def _report(self) -> None:
        if self.on_progress is None:
            return
        with self.lock:
            done = self.finished + self.current
            now = time.monotonic()
            self.samples.append((now, done))
            while len(self.samples) > 2 and now - self.samples[0][0] > self.WINDOW_SECONDS:
                self.samples.popleft()
            first_time, first_done = self.samples[0]
            speed = (done - first_done) / (now - first_time) if now > first_time else 0.0
            left = (self.total - done) / speed if speed > 0 else None
            event = DownloadProgress(done, self.total, speed, left, self.current_file)
        self.on_progress(event)

    def bar_class(self, cancel: threading.Event) -> type:
        """A tqdm class for huggingface_hub: silent, feeds this meter, raises when cancelled."""
        from tqdm.auto import tqdm

        meter = self

        class _Bar(tqdm):
            def __init__(self, *args, **kwargs) -> None:
                _raise_if_cancelled(cancel)
                kwargs["disable"] = True
                super().__init__(*args, **kwargs)
                meter.advance(kwargs.get("initial") or 0)

            def update(self, n: float | None = 1) -> bool | None:
                _raise_if_cancelled(cancel)
                meter.advance(int(n or 0))
                return None

        return _Bar
