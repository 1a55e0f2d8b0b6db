"""Hugging Face Hub work off the GUI thread: downloading a model with progress and cancel, and signing in.

As with the engine client, a worker QObject lives on its own QThread and reports through
queued signals carrying plain data.  Cancelling is a ``threading.Event`` the GUI thread sets
directly: a queued "cancel" slot would only run after the download it should stop.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal, Slot

from engine.models import download
from engine.models.download import DownloadProgress
from engine.errors import LocalChatError
from engine.models.registry import Registry

# huggingface_hub reports every received chunk; the window needs a few updates a second.
PROGRESS_INTERVAL_S = 0.1

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DownloadRequest:
    repo_id: str
    subfolder: str
    name: str  # what the window calls it while it downloads
    model_id: str | None = None
    provider: str | None = None


class DownloadWorker(QObject):
    progressed = Signal(object)  # DownloadProgress
    finished = Signal(object)    # InstalledModel
    failed = Signal(object)      # LocalChatError; DownloadCancelled when the cancel event stopped it
    signed_in = Signal()

    def __init__(self, registry: Registry, cancel: threading.Event) -> None:
        super().__init__()
        self._registry = registry
        self._cancel = cancel
        self._last_report = 0.0

    @Slot(object)
    def _on_download_requested(self, request: DownloadRequest) -> None:
        self._last_report = 0.0
        try:
            installed = self._registry.add_hub(request.repo_id, request.subfolder, model_id=request.model_id,
                                               provider=request.provider, on_progress=self._on_progress,
                                               cancel=self._cancel)
        except Exception as error:  # noqa: BLE001 - see _report
            self._report(error)
            return
        self.finished.emit(installed)

    @Slot(str)
    def _on_sign_in_requested(self, token: str) -> None:
        try:
            download.store_token(token)
        except Exception as error:  # noqa: BLE001 - see _report
            self._report(error)
            return
        self.signed_in.emit()

    def _on_progress(self, event: DownloadProgress) -> None:
        now = time.monotonic()
        if now - self._last_report >= PROGRESS_INTERVAL_S or event.bytes_done >= event.total_bytes:
            self._last_report = now
            self.progressed.emit(event)

    def _report(self, error: Exception) -> None:
        """Every failure reaches the window; one outside the LocalChat family would otherwise leave it waiting."""
        if not isinstance(error, LocalChatError):
            log.exception("Hub request failed", exc_info=error)
            error = LocalChatError("Something went wrong talking to the Hugging Face Hub; try again.", repr(error))
        self.failed.emit(error)
