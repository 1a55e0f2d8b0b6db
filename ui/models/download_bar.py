"""The download in the window: a progress bar with bytes, speed and time left, and Cancel.

When the Hub refuses a download (a gated or private model), the bar turns into a field for a
Hugging Face token; the plain sentence saying why is in the error banner above it.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QProgressBar, QPushButton, QVBoxLayout, QWidget

from engine.models.download import AccessDenied, DownloadProgress
from engine.errors import LocalChatError
from ui.models.download_worker import DownloadRequest
from ui.models.model_library import ModelLibrary
from ui.shell.units import human_bytes, human_duration


class DownloadBar(QFrame):
    def __init__(self, library: ModelLibrary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("downloadBar")
        self.setAccessibleName("Download")
        self.library = library
        self.title = QLabel()
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Download progress")
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(8)
        self.details = QLabel()
        self.details.setAccessibleName("Download details")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel download")
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self.token_field = QLineEdit()
        self.token_field.setAccessibleName("Hugging Face token")
        self.token_field.setPlaceholderText("Paste a Hugging Face access token (hf_…)")
        self.token_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_field.returnPressed.connect(self._on_sign_in_clicked)
        self.sign_in_button = QPushButton("Sign in and retry")
        self.sign_in_button.clicked.connect(self._on_sign_in_clicked)
        text = QVBoxLayout()
        text.setSpacing(4)
        text.addWidget(self.title)
        text.addWidget(self.progress)
        text.addWidget(self.details)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        layout.addLayout(text, 1)
        layout.addWidget(self.token_field, 1)
        layout.addWidget(self.sign_in_button)
        layout.addWidget(self.cancel_button)
        library.download_started.connect(self._on_started)
        library.download_progressed.connect(self._on_progressed)
        library.download_finished.connect(self.hide)
        library.download_cancelled.connect(self.hide)
        library.failed.connect(self._on_failed)
        self.hide()

    def _on_started(self, request: DownloadRequest) -> None:
        self._show_token_field(False)
        self.title.setText(f"Downloading {request.name}")
        self.progress.setRange(0, 0)  # busy until the Hub says how big it is
        self.details.setText("Asking the Hugging Face Hub for the files…")
        self.show()

    def _on_progressed(self, event: DownloadProgress) -> None:
        self.progress.setRange(0, 1000)
        self.progress.setValue(int(1000 * event.bytes_done / event.total_bytes) if event.total_bytes else 1000)
        parts = [f"{human_bytes(event.bytes_done)} of {human_bytes(event.total_bytes)}"]
        if event.bytes_per_second > 0:
            parts.append(f"{human_bytes(event.bytes_per_second)}/s")
        if event.seconds_left is not None and event.bytes_done < event.total_bytes:
            parts.append(f"about {human_duration(event.seconds_left)} left")
        self.details.setText(" · ".join(parts))
        self.details.setToolTip(event.current_file)

    def _on_cancel_clicked(self) -> None:
        if self.library.downloading is None:  # the sign-in offer, declined
            self.hide()
            return
        self.cancel_button.setText("Cancelling…")
        self.cancel_button.setEnabled(False)
        self.library.cancel_download()

    def _on_failed(self, error: LocalChatError) -> None:
        if isinstance(error, AccessDenied):
            self.title.setText("Sign in to the Hugging Face Hub to download this model")
            self._show_token_field(True)
            self.show()
            self.token_field.setFocus()
        elif self.library.downloading is None:
            self.hide()

    def _on_sign_in_clicked(self) -> None:
        if self.token_field.text().strip():
            self.library.sign_in(self.token_field.text())
            self.token_field.clear()

    def _show_token_field(self, show: bool) -> None:
        for widget in (self.token_field, self.sign_in_button):
            widget.setVisible(show)
        for widget in (self.progress, self.details):
            widget.setVisible(not show)
        self.cancel_button.setText("Not now" if show else "Cancel")
        self.cancel_button.setEnabled(True)
