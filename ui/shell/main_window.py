"""The main window: puts the chat, composer, settings, model picker and status bar together."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (QApplication, QFrame, QMainWindow, QPushButton, QScrollArea, QSplitter, QVBoxLayout, QWidget)

from engine.errors import LocalChatError, ProviderUnavailable
from engine.runtime.model import ModelInfo
from engine.models.registry import InstalledModel
from ui.chat.controller import ChatController
from ui.chat.chat_view import ChatView
from ui.chat.composer import Composer
from ui.models.download_bar import DownloadBar
from ui.engine_client import EngineClient
from ui.shell.error_banner import ErrorBanner
from ui.models.model_library import ModelLibrary
from ui.models.model_picker import ModelPicker
from ui.models.models_view import ModelsView
from ui.chat.settings_panel import SettingsPanel
from ui.history.sidebar import Sidebar
from ui.shell.status_panel import StatusPanel
from ui.shell.theme import follow_color_scheme, style_sheet, use_dark_palette

SETTINGS_WIDTH = 300
SIDEBAR_WIDTH = 200


class MainWindow(QMainWindow):
    def __init__(self, client: EngineClient) -> None:
        super().__init__()
        self.client = client
        client.setParent(self)
        self.setWindowTitle("LocalChat")
        self.resize(1100, 760)
        self.picker = ModelPicker()
        self.banner = ErrorBanner()
        self.chat_view = ChatView()
        self.composer = Composer()
        self.settings_panel = SettingsPanel()
        self.sidebar = Sidebar()
        self.status = StatusPanel()
        self.library: ModelLibrary | None = None
        self.models_view: ModelsView | None = None
        self.download_bar: DownloadBar | None = None
        self.setStatusBar(self.status)
        self.setCentralWidget(self._build_body())
        self.controller = ChatController(client, self.chat_view, self.composer, self.status,
                                         self.settings_panel.next_reply, parent=self,
                                         choices_source=self.settings_panel.token_choices)
        self.picker.load_requested.connect(self._on_load_requested)
        self.sidebar.new_chat_requested.connect(self.controller.new_chat)
        self.chat_view.welcome.open_requested.connect(self.picker.choose_folder)
        self.chat_view.seed_requested.connect(self.settings_panel.use_seed)
        self.controller.failed.connect(self._on_failed)
        self.controller.model_changed.connect(self._on_model_changed)
        self.controller.generating_changed.connect(self._on_generating_changed)
        self._add_shortcuts()
        self.apply_theme()
        QGuiApplication.styleHints().colorSchemeChanged.connect(self.apply_theme)
        self.settings_panel.theme_changed.connect(self.apply_theme)

    def _build_body(self) -> QWidget:
        chat = QWidget()
        layout = QVBoxLayout(chat)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(6)
        top = QVBoxLayout()
        top.setContentsMargins(16, 0, 16, 0)
        top.addWidget(self.picker)
        top.addWidget(self.banner)
        layout.addLayout(top)
        layout.addWidget(self.chat_view, 1)
        layout.addWidget(self.composer)
        self._top, self._chat_column = top, layout
        side = QScrollArea()
        side.setAccessibleName("Reply settings panel")
        side.setWidgetResizable(True)
        side.setFrameShape(QFrame.Shape.NoFrame)
        side.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        side.setWidget(self.settings_panel)
        # wide enough for the panel's own size hint, so no value or label is ever cut off
        side.setMinimumWidth(max(SETTINGS_WIDTH, self.settings_panel.sizeHint().width()
                                 + side.verticalScrollBar().sizeHint().width()))
        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.sidebar.setMinimumWidth(160)
        splitter.addWidget(self.sidebar)
        splitter.addWidget(chat)
        splitter.addWidget(side)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([SIDEBAR_WIDTH, self.width() - SIDEBAR_WIDTH - SETTINGS_WIDTH, SETTINGS_WIDTH])
        return splitter

    def _add_shortcuts(self) -> None:
        for keys, slot in ((QKeySequence.StandardKey.New, self.sidebar.new_chat_requested.emit),
                           (QKeySequence.StandardKey.Open, self.picker.choose_folder),
                           ("Ctrl+L", self.composer.input.setFocus),
                           ("Esc", self.controller.stop),
                           ("Ctrl+Shift+C", self._on_copy_last_reply)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)

    def apply_theme(self) -> None:
        """Follow the OS colour scheme unless the user chose light or dark; the chat's colours are derived
        from the resulting palette."""
        app, theme = QApplication.instance(), self.settings_panel.theme()
        if theme == "system":
            follow_color_scheme(app)
        else:
            use_dark_palette(app, theme == "dark")
        self.setStyleSheet(style_sheet(QApplication.palette()))

    def load_model(self, path: str, provider: str | None = None) -> None:
        if provider is not None:
            self.picker.set_provider(provider)
        self.picker.request_load(path)

    def attach_models(self, library: ModelLibrary) -> None:
        """Catalog, downloads and installed models; the app layer owns the Registry behind ``library``."""
        self.library = library
        library.setParent(self)
        self.models_view = ModelsView(library)
        self.models_view.hide()
        self._chat_column.insertWidget(self._chat_column.indexOf(self.chat_view) + 1, self.models_view, 1)
        self.download_bar = DownloadBar(library)
        self._top.addWidget(self.download_bar)
        self.picker.models_button.show()
        self.picker.models_requested.connect(lambda: self.show_models(True))
        browse = QPushButton("Browse models…")
        browse.clicked.connect(lambda: self.show_models(True))
        welcome = self.chat_view.welcome
        welcome.add_action(browse)
        welcome.download_requested.connect(lambda pick: library.download_catalog(pick.model, pick.variant))
        welcome.model_open_requested.connect(self.open_installed)
        self.models_view.open_requested.connect(self.open_installed)
        self.models_view.back_requested.connect(lambda: self.show_models(False))
        for change in (library.download_started, library.download_cancelled, library.failed):
            change.connect(lambda *_: welcome.set_download_enabled(library.downloading is None))
        library.download_finished.connect(self._on_download_finished)
        library.download_cancelled.connect(lambda: self.status.show_idle("Download cancelled"))
        library.installed_changed.connect(self._refresh_welcome)
        library.failed.connect(self._on_failed)
        self._refresh_welcome()

    def show_models(self, show: bool) -> None:
        if self.models_view is None:
            return
        self.models_view.setVisible(show)
        self.chat_view.setVisible(not show)
        self.composer.setVisible(not show)
        self.picker.models_button.setEnabled(not show)

    def open_installed(self, model: InstalledModel) -> None:
        self.picker.request_load(str(model.path), model.provider)

    def _refresh_welcome(self) -> None:
        library = self.library
        recommendation = library.recommendation()
        fit_label = library.fit_label(recommendation.variant) if recommendation else ""
        self.chat_view.welcome.show_models(library.installed(), recommendation, fit_label)
        self.chat_view.welcome.set_download_enabled(library.downloading is None)

    def _on_download_finished(self, model: InstalledModel) -> None:
        self.status.show_idle(f"Downloaded {model.id}")
        if self.controller.model is None:  # first run: straight into a chat
            self.open_installed(model)

    def _on_load_requested(self, path: str, provider: str) -> None:
        self.banner.hide()
        self.show_models(False)
        self.controller.load_model(path, provider)

    def _on_model_changed(self, info: ModelInfo | None) -> None:
        self.setWindowTitle(f"LocalChat — {info.name}" if info else "LocalChat")
        if info is not None:
            self.settings_panel.set_context_length(info.context_length)
            if info.fallback_reason:  # the user asked for a GPU (or Auto found one built in) and did not get it
                self.banner.show_error(ProviderUnavailable(info.fallback_reason, info.fallback_detail))

    def _on_generating_changed(self, generating: bool) -> None:
        self.picker.setEnabled(not generating)
        self.sidebar.set_busy(generating)
        if generating:
            self.banner.hide()

    def _on_failed(self, error: LocalChatError) -> None:
        self.banner.show_error(error)

    def _on_copy_last_reply(self) -> None:
        text = self.controller.last_reply_text()
        if text:
            QApplication.clipboard().setText(text)
            self.status.show_idle("Copied the last reply")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.client.close()
        if self.library is not None:
            self.library.close()
        super().closeEvent(event)
