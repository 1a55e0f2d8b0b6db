"""The models the window knows about: the catalog with fit hints, the installed models, and the one download.

The app layer builds it from a Registry, the catalog, the detected hardware and the providers of
the installed onnxruntime-genai, so ui/ neither reaches into app/ nor imports onnxruntime-genai.
One download runs at a time: a second one would only split the same bandwidth and disk.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal

from engine.models.catalog import Catalog, CatalogModel, Recommendation, Variant, fit, recommend
from engine.models.download import DownloadCancelled
from engine.errors import LocalChatError
from engine.models.hardware import Hardware
from engine.runtime.providers import LABELS
from engine.models.registry import InstalledModel, Registry
from ui.models.download_worker import DownloadRequest, DownloadWorker
from ui.shell.units import human_bytes

SHUTDOWN_WAIT_MS = 10000  # a cancelled download stops at its next received chunk
FIT_LABELS = {"fits": "Fits this computer", "may be slow": "May be slow here", "won't fit": "Won't fit here"}


class ModelLibrary(QObject):
    download_requested = Signal(object)  # to the worker
    sign_in_requested = Signal(str)      # to the worker

    installed_changed = Signal()
    download_started = Signal(object)     # DownloadRequest
    download_progressed = Signal(object)  # DownloadProgress
    download_finished = Signal(object)    # InstalledModel
    download_cancelled = Signal()
    signed_in = Signal()
    failed = Signal(object)               # LocalChatError

    def __init__(self, registry: Registry, catalog: Catalog, hardware: Hardware, providers: list[str],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.registry, self.catalog, self.hardware, self.providers = registry, catalog, hardware, list(providers)
        self._cancel = threading.Event()
        self._current: DownloadRequest | None = None
        self._last_request: DownloadRequest | None = None
        self._thread = QThread(self)
        self._thread.setObjectName("localchat-downloads")
        self._worker = DownloadWorker(registry, self._cancel)
        self._worker.moveToThread(self._thread)
        self._thread.finished.connect(self._worker.deleteLater)
        self.download_requested.connect(self._worker._on_download_requested)
        self.sign_in_requested.connect(self._worker._on_sign_in_requested)
        self._worker.progressed.connect(self.download_progressed)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        self._worker.signed_in.connect(self._on_signed_in)
        self._thread.start()

    # -- what there is ---------------------------------------------------------------------------

    def installed(self) -> list[InstalledModel]:
        try:
            return self.registry.list_installed()
        except LocalChatError as error:
            self.failed.emit(error)
            return []

    def recommendation(self) -> Recommendation | None:
        return recommend(self.catalog, self.hardware, self.providers)

    def can_run(self, variant: Variant) -> bool:
        """Whether this build of onnxruntime-genai has the variant's provider."""
        return variant.provider in self.providers

    def fit_label(self, variant: Variant) -> str:
        if not self.can_run(variant):
            return f"Needs LocalChat for {LABELS[variant.provider]}"
        return FIT_LABELS[fit(variant, self.hardware)]

    def fit_details(self, variant: Variant) -> str:
        """The figures behind the fit hint, for a tooltip."""
        lines = [f"Needs about {human_bytes(variant.ram_bytes)} of RAM; this computer has {_known(self.hardware.ram_bytes)}."]
        if variant.gpu_memory_bytes:
            gpu = self.hardware.gpu_name or "the graphics card"
            lines.append(f"Needs about {human_bytes(variant.gpu_memory_bytes)} of GPU memory; "
                         f"{gpu} has {_known(self.hardware.gpu_memory_bytes)}.")
        if not self.can_run(variant):
            lines.append(f"This LocalChat runs models on {', '.join(LABELS[p] for p in self.providers)} only.")
        return "\n".join(lines)

    def describe_hardware(self) -> str:
        parts = [f"{_known(self.hardware.ram_bytes)} RAM"]
        if self.hardware.gpu_name:
            parts.append(f"{self.hardware.gpu_name} ({_known(self.hardware.gpu_memory_bytes)})")
        parts.append("runs models on " + ", ".join(LABELS[p] for p in self.providers))
        return " · ".join(parts)

    # -- changing --------------------------------------------------------------------------------

    @property
    def downloading(self) -> DownloadRequest | None:
        return self._current

    def download_catalog(self, model: CatalogModel, variant: Variant) -> None:
        self.download(DownloadRequest(model.repo, variant.subfolder, model.name, model.id, variant.provider))

    def download(self, request: DownloadRequest) -> None:
        if self._current is not None:
            self.failed.emit(LocalChatError(f"{self._current.name} is still downloading; wait for it or cancel it "
                                            "first."))
            return
        self._cancel.clear()
        self._current = self._last_request = request
        self.download_started.emit(request)
        self.download_requested.emit(request)

    def cancel_download(self) -> None:
        """Stop the download at its next received chunk (runs on the caller's thread)."""
        self._cancel.set()

    def sign_in(self, token: str) -> None:
        """Store a Hub token, then try the download that was refused again."""
        self.sign_in_requested.emit(token.strip())

    def retry(self) -> None:
        if self._last_request is not None:
            self.download(self._last_request)

    def add_local(self, path: str | Path) -> InstalledModel | None:
        try:
            model = self.registry.add_local(path)
        except LocalChatError as error:
            self.failed.emit(error)
            return None
        self.installed_changed.emit()
        return model

    def remove(self, model_id: str) -> None:
        try:
            self.registry.remove(model_id)
        except LocalChatError as error:
            self.failed.emit(error)
            return
        self.installed_changed.emit()

    def close(self) -> None:
        if not self._thread.isRunning():
            return
        self._cancel.set()
        self._thread.quit()
        self._thread.wait(SHUTDOWN_WAIT_MS)

    # -- from the worker -------------------------------------------------------------------------

    def _on_finished(self, model: InstalledModel) -> None:
        self._current = None
        self.installed_changed.emit()
        self.download_finished.emit(model)

    def _on_signed_in(self) -> None:
        self.signed_in.emit()
        self.retry()

    def _on_failed(self, error: LocalChatError) -> None:
        was_downloading, self._current = self._current is not None, None
        if isinstance(error, DownloadCancelled) and was_downloading:
            self.download_cancelled.emit()
            return
        self.failed.emit(error)


def _known(size: int | None) -> str:
    return human_bytes(size) if size else "an unknown amount"
