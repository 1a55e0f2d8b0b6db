"""Download one variant (a subfolder) of a Hugging Face Hub repository into a staging folder.

huggingface_hub lists the repository and builds every request (``HfApi``, ``hf_hub_url``, its
headers, token and HTTP client, so ``HTTPS_PROXY`` … are honoured); the bytes travel through
``engine.models.transfer``, which resumes inside a file across runs and reports every 64 KiB.
What we add on top:

* Checksums: huggingface_hub compares sizes, never content hashes.  We verify every file
  ourselves: sha256 against the LFS id from the tree listing for LFS files, the git blob sha1 for
  the others.  Files already in the staging folder that verify are not fetched again.
* Endpoint: huggingface_hub reads ``HF_ENDPOINT`` once at import; we read it at call time and
  pass it explicitly, so the app honours it and tests can point at a local server.
* Errors: one sentence that says what happened (the Hub unreachable, or reached but dropping
  the connection, a gated repository, a full disk …).  huggingface_hub's own log lines go to
  the ``logging`` tree (LocalChat's log file), never straight to the terminal where they would
  land in the middle of a progress line.
* Xet: with ``hf_xet`` installed huggingface_hub would fetch Xet-stored files through Rust, whose
  progress and cancel path we cannot test here; we set ``HF_HUB_DISABLE_XET=1`` (unless the user
  set it) so files come over plain HTTPS.
"""

from __future__ import annotations

import errno
import hashlib
import logging
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
from engine.models import transfer


class DownloadError(LocalChatError):
    pass


class AccessDenied(DownloadError):
    pass


class AlreadyInstalled(DownloadError):
    """Said the same way to a window user and a terminal user; the CLI adds its own command."""

    def __init__(self, model_id: str) -> None:
        super().__init__(f"A model called '{model_id}' is already installed; open it, or remove it first to "
                         "download it again.", model_id)
        self.model_id = model_id


class NotFoundOnHub(DownloadError):
    pass


class NoNetwork(DownloadError):
    pass


class ConnectionDropped(DownloadError):
    """The Hub answered but the transfer kept breaking off: not a missing internet connection."""


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

    _route_hub_logging()
    return huggingface_hub


def _route_hub_logging() -> None:
    """huggingface_hub prints its warnings through its own stderr handler; send them to the log instead."""
    hub_logger = logging.getLogger("huggingface_hub")
    for handler in list(hub_logger.handlers):
        if type(handler) is logging.StreamHandler:
            hub_logger.removeHandler(handler)
    if not hub_logger.handlers:
        hub_logger.addHandler(logging.NullHandler())  # so logging's last-resort stderr handler stays out too
    hub_logger.propagate = True


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
                     cancel: threading.Event | None = None, attempts: int = 5,
                     backoff_seconds: float = 1.0) -> Path:
    """Fetch every file of ``variant`` into ``staging`` (repo layout) and verify it; return the variant folder.

    ``staging`` may hold what an earlier, interrupted run left: files that verify are kept, and a
    file's ``.part`` is continued from its last byte.
    """
    hub = _hub()
    from huggingface_hub.utils import build_hf_headers

    cancel = cancel or threading.Event()
    staging.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(staging / ".cache", ignore_errors=True)  # dead partials of LocalChat versions that used hf_hub_download
    _check_free_space(variant, staging)
    meter = _Meter(variant.total_bytes, on_progress)
    headers = build_hf_headers(token=token)
    for remote in variant.files:
        _raise_if_cancelled(cancel)
        local = staging / remote.path
        meter.start_file(remote)
        if local.is_file() and _matches(local, remote, cancel):
            meter.file_done(remote)
            continue
        local.unlink(missing_ok=True)
        url = hub.hf_hub_url(variant.repo_id, remote.path, revision=variant.revision,
                             endpoint=endpoint or hub_endpoint())
        with translate_errors(variant.repo_id, variant.subfolder):
            try:
                transfer.fetch(transfer.FileRequest(url, local, remote.size, headers), on_bytes=meter.at,
                               cancel=cancel, attempts=attempts, backoff_seconds=backoff_seconds)
            except transfer.Cancelled as error:
                raise DownloadCancelled("The download was cancelled.") from error
            except transfer.TransferFailed as failed:
                raise _transfer_error(failed, remote) from failed.cause
        if not _matches(local, remote, cancel):
            local.unlink()
            raise ChecksumMismatch(
                f"{remote.path} arrived damaged (its checksum does not match the Hub's); try the download again.",
                detail=f"expected {remote.sha256 or remote.git_sha1}")
        meter.file_done(remote)
    return staging / variant.subfolder if variant.subfolder else staging


def _transfer_error(failed: transfer.TransferFailed, remote: RemoteFile) -> DownloadError:
    detail = f"{remote.path}: {type(failed.cause).__name__}: {failed.cause}"
    if not failed.reached:
        return NoNetwork("Cannot reach the Hugging Face Hub: check your internet connection (and proxy "
                         "settings) and try again.", detail=detail)
    kept = f"; the {failed.received / 1e6:,.1f} MB received of it are kept" if failed.received else ""
    return ConnectionDropped(f"The Hugging Face Hub answered but kept dropping the connection while sending "
                             f"{remote.path.rsplit('/', 1)[-1]}{kept}: try again later to continue.", detail=detail)


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
    except (httpx2.ConnectError, httpx2.ConnectTimeout, hf_errors.LocalEntryNotFoundError,
            hf_errors.OfflineModeIsEnabled) as error:
        raise NoNetwork("Cannot reach the Hugging Face Hub: check your internet connection (and proxy "
                        "settings) and try again.", detail=str(error)) from error
    except httpx2.TransportError as error:  # connected, then the connection broke or stalled
        raise ConnectionDropped("The Hugging Face Hub answered but the connection broke off; try again later.",
                                detail=f"{type(error).__name__}: {error}") from error
    except OSError as error:
        if error.errno == errno.ENOSPC:
            raise DiskFull("The disk is full: free some space and try the download again.",
                           detail=str(error)) from error
        raise


class _Meter:
    """Adds up bytes across files and reports speed and time left over the last few seconds."""

    WINDOW_SECONDS = 5.0
    REPORT_INTERVAL_SECONDS = 0.05  # chunks arrive every few microseconds on a fast link

    def __init__(self, total: int, on_progress: ProgressCallback | None) -> None:
        self.total = total
        self.on_progress = on_progress
        self.finished = 0  # bytes of files already complete
        self.current = 0  # bytes of the file in flight
        self.current_file = ""
        self.samples: deque[tuple[float, int]] = deque()
        self.lock = threading.Lock()
        self.reported_at = float("-inf")

    def start_file(self, remote: RemoteFile) -> None:
        with self.lock:
            self.current, self.current_file = 0, remote.path
        self._report(force=True)

    def file_done(self, remote: RemoteFile) -> None:
        with self.lock:
            self.finished += remote.size
            self.current, self.current_file = 0, remote.path
        self._report(force=True)

    def at(self, held: int) -> None:
        """The file in flight now holds ``held`` bytes (what an earlier run left counts too)."""
        with self.lock:
            self.current = held
        self._report()

    def _report(self, force: bool = False) -> None:
        if self.on_progress is None:
            return
        with self.lock:
            now = time.monotonic()
            if not force and now - self.reported_at < self.REPORT_INTERVAL_SECONDS:
                return
            self.reported_at = now
            done = self.finished + self.current
            self.samples.append((now, done))
            while len(self.samples) > 2 and now - self.samples[0][0] > self.WINDOW_SECONDS:
                self.samples.popleft()
            first_time, first_done = self.samples[0]
            speed = (done - first_done) / (now - first_time) if now > first_time else 0.0
            left = (self.total - done) / speed if speed > 0 else None
            if done >= self.total:
                left = 0.0
            event = DownloadProgress(done, self.total, speed, left, self.current_file)
        self.on_progress(event)
