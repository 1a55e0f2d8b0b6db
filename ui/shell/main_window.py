"""The main window: the conversation sidebar, the chat (top bar, centred column, composer) and Reply settings.

    ┌─────────┬──────────────────────────────────────────────────────┐
    │ sidebar │ top bar: model ▾ on provider ▾ … [slots] [↔] [settings] │
    │ (260 px ├───────────────────────────────────────────┬──────────┤
    │ or rail)│ banner                                    │  Reply   │
    │         │   centred column of messages (≤ 760 px)   │ settings │
    │         │   ( rounded composer with Send/Stop )     │ (300 px, │
    │         │                                           │ hideable)│
    └─────────┴───────────────────────────────────────────┴──────────┘
    status bar: reply figures · model · context meter

Other parts slot in with ``add_top_bar_widget`` (switches, indicators), ``add_status_widget``,
``settings_panel.add_section`` and ``add_page`` (a page shown instead of the chat, like Models).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import QApplication, QMainWindow, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from engine.errors import LocalChatError
from engine.models.registry import InstalledModel
from engine.remote.address import host_of
from engine.runtime.model import ModelInfo
from ui.backend.engine_dialog import EngineButton, EngineDialog
from ui.backend.engine_panel import EnginePanel
from ui.chat.chat_view import ChatView, centred, set_column_width
from ui.chat.composer import Composer
from ui.chat.controller import ChatController
from ui.chat.settings_panel import DEFAULT_CONTEXT, SettingsPanel, default_text_size
from ui.engine_client import EngineClient
from ui.history.sidebar import Sidebar
from ui.inert_text import inert_text
from ui.models.download_bar import DownloadBar
from ui.models.model_library import ModelLibrary
from ui.models.model_picker import ModelPicker
from ui.models.models_view import ModelsView
from ui.shell import tooltips
from ui.shell.error_banner import ErrorBanner
from ui.shell.storage_indicator import StorageIndicator
from ui.shell.focus import chain
from ui.shell.layout import COLUMN, ROW, joined, scrolling_panel
from ui.shell.panels import CHAT_MIN, MIN_WINDOW_HEIGHT, MIN_WINDOW_WIDTH, SETTINGS_WIDTH, fit_panels
from ui.shell.shortcuts import SHORTCUTS, ShortcutSheet
from ui.shell.status_panel import StatusPanel
from ui.shell.theme import apply_scheme, scheme_for, style_sheet
from ui.shell.top_bar import TopBar

SIDEBAR_WIDTH = 260  # kept for callers that size the window around the panels


class MainWindow(QMainWindow):
    local_model_requested = Signal(str, str)  # path, provider: a model on this computer, while a server is in use

    def __init__(self, client: EngineClient) -> None:
        super().__init__()
        self.engine_panel: EnginePanel | None = None
        self.engine_button: EngineButton | None = None
        self._server: str | None = None
        self.client = client
        client.setParent(self)
        self.setWindowTitle("LocalChat")
        self.setMinimumSize(MIN_WINDOW_WIDTH, MIN_WINDOW_HEIGHT)
        self.resize(1180, 760)
        tooltips.install(QApplication.instance())
        self.picker = ModelPicker()
        self.top_bar = TopBar(self.picker)
        self.banner = ErrorBanner()
        self.storage_indicator = StorageIndicator()  # storage trouble, for as long as it is true
        self.chat_view = ChatView()
        self.composer = Composer()
        self.settings_panel = SettingsPanel()
        self.sidebar = Sidebar()
        self.status = StatusPanel()
        self.library: ModelLibrary | None = None
        self.models_view: ModelsView | None = None
        self.download_bar: DownloadBar | None = None
        self._sidebar_wish, self._settings_wish, self._settings_last = True, True, False
        self.setStatusBar(self.status)
        self.setCentralWidget(self._build_body())
        self.controller = ChatController(client, self.chat_view, self.composer, self.status,
                                         self.settings_panel.next_reply, parent=self,
                                         choices_source=self.settings_panel.token_choices)
        self.picker.load_requested.connect(self._on_load_requested)
        self.sidebar.new_chat_requested.connect(self.controller.new_chat)
        self.sidebar.collapse_requested.connect(lambda folded: self.set_sidebar_open(not folded))
        self.chat_view.welcome.open_requested.connect(self.picker.choose_folder)
        self.chat_view.seed_requested.connect(self.settings_panel.use_seed)
        self.chat_view.copied.connect(lambda: self.status.show_idle("Copied to the clipboard"))
        self.chat_view.messages_changed.connect(self._order_focus)
        self.composer.edit_last_requested.connect(self._on_edit_last_requested)
        self.top_bar.settings_button.toggled.connect(self.set_settings_open)
        self.top_bar.wide_button.toggled.connect(self.set_wide)
        self.controller.failed.connect(self._on_failed)
        self.controller.model_changed.connect(self._on_model_changed)
        self.controller.generating_changed.connect(self._on_generating_changed)
        self.controller.conversation_shown.connect(self._on_conversation_shown)
        self.controller.notice.connect(self.banner.show_notice)
        self._add_shortcuts()
        self.settings_panel.theme_changed.connect(self.apply_theme)
        self.settings_panel.text_size_changed.connect(self.apply_theme)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self.apply_theme)
        self.apply_theme()
        self._fit_panels()
        self._order_focus()

    # --- building ----------------------------------------------------------------------------------------------

    def _build_body(self) -> QWidget:
        self._composer_row_widget, self._composer_row = centred(self.composer, "composerArea")
        chat_page = joined(COLUMN, (self.chat_view, 1), self._composer_row_widget, name="chatPage")
        self.pages = QStackedWidget()
        self.pages.addWidget(chat_page)
        self._chat_page = chat_page
        self._top_widgets = QWidget()
        self._top = QVBoxLayout(self._top_widgets)
        self._top.setContentsMargins(0, 6, 0, 0)
        self._top.setSpacing(6)
        self._top.addWidget(self.storage_indicator)
        self._top.addWidget(self.banner)
        self._top_row_widget, self._top_row = centred(self._top_widgets)
        center = joined(COLUMN, self._top_row_widget, (self.pages, 1), name="chatPage")
        self.settings_scroll = scrolling_panel(self.settings_panel, SETTINGS_WIDTH, "Reply settings panel")
        panes = joined(ROW, (center, 1), self.settings_scroll)  # under the top bar, as in LM Studio
        body = joined(ROW, self.sidebar, (joined(COLUMN, self.top_bar, (panes, 1)), 1))
        self._update_column_widths()
        return body

    def _add_shortcuts(self) -> None:
        self._shortcuts: dict[str, QShortcut] = {}
        extra = {"larger_text": ("Ctrl+=",)}
        for shortcut in SHORTCUTS:
            if not shortcut.action:
                continue
            for keys in (shortcut.keys, *extra.get(shortcut.action, ())):
                registered = QShortcut(QKeySequence(keys), self)
                registered.setContext(Qt.ShortcutContext.WindowShortcut)
                registered.activated.connect(getattr(self, shortcut.action))
                self._shortcuts.setdefault(shortcut.action, registered)

    # --- slots other parts use ---------------------------------------------------------------------------------

    def add_top_bar_widget(self, widget: QWidget) -> None:
        """A switch or indicator in the top bar, left of the view buttons."""
        self.top_bar.add_widget(widget)
        self._order_focus()

    def add_status_widget(self, widget: QWidget) -> None:
        """A permanent indicator in the status bar, left of the model and context meter."""
        self.status.insertPermanentWidget(0, widget)

    def add_page(self, widget: QWidget) -> None:
        """A page shown instead of the chat with ``show_page`` (the Models page is one)."""
        self.pages.addWidget(widget)

    def show_page(self, widget: QWidget | None) -> None:
        """Show ``widget`` (added with ``add_page``), or the chat for None."""
        self.pages.setCurrentWidget(widget if widget is not None else self._chat_page)
        self.picker.models_button.setEnabled(widget is not self.models_view or widget is None)
        self._fit_panels()  # a page may need more room than the chat column

    # --- shortcuts (names from ui/shell/shortcuts.py) ----------------------------------------------------------

    def new_chat(self) -> None:
        self.sidebar.new_chat_requested.emit()

    def search_conversations(self) -> None:
        self._sidebar_wish = True
        self.sidebar.focus_search()

    def toggle_sidebar(self) -> None:
        self.set_sidebar_open(self.sidebar.collapsed)

    def focus_composer(self) -> None:
        self.show_page(None)
        self.composer.input.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def stop(self) -> None:
        self.controller.stop()

    def copy_last_reply(self) -> None:
        text = self.controller.last_reply_text()
        if text:
            QApplication.clipboard().setText(text)
            self.status.show_idle("Copied the last reply")

    def open_model_folder(self) -> None:
        if self.controller.generating:
            self.banner.show_notice("A reply is being written; stop it (Esc) or let it finish before opening "
                                    "another model.")
            return
        self.picker.choose_folder()

    def toggle_settings(self) -> None:
        self.set_settings_open(not self.settings_scroll.isVisible())

    def toggle_wide(self) -> None:
        self.set_wide(not self.chat_view.wide)

    def larger_text(self) -> None:
        self.settings_panel.set_text_size(self.settings_panel.text_size() + 1)

    def smaller_text(self) -> None:
        self.settings_panel.set_text_size(self.settings_panel.text_size() - 1)

    def default_text(self) -> None:
        self.settings_panel.set_text_size(default_text_size())

    def show_shortcuts(self) -> None:
        self.shortcut_sheet = ShortcutSheet(self)
        self.shortcut_sheet.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.shortcut_sheet.open()

    # --- panels and column -------------------------------------------------------------------------------------

    def set_sidebar_open(self, open_: bool) -> None:
        self._sidebar_wish = open_
        if open_:
            self._settings_last = False
        self._fit_panels()

    def set_settings_open(self, open_: bool) -> None:
        self._settings_wish = open_
        if open_:
            self._settings_last = True
        self._fit_panels()

    def set_wide(self, wide: bool) -> None:
        self.chat_view.set_wide(wide)
        self._update_column_widths()
        self.top_bar.wide_button.blockSignals(True)
        self.top_bar.wide_button.setChecked(wide)
        self.top_bar.wide_button.blockSignals(False)

    def panel_wishes(self) -> tuple[bool, bool, bool]:
        """(sidebar unfolded, settings shown, wide column) as the user chose them, for saving."""
        return self._sidebar_wish, self._settings_wish, self.chat_view.wide

    def _update_column_widths(self) -> None:
        wide = self.chat_view.wide
        set_column_width(self.composer, self._composer_row, wide)
        set_column_width(self._top_widgets, self._top_row, wide)

    def _fit_panels(self) -> None:
        needed = CHAT_MIN
        page = self.pages.currentWidget()
        if page is not None and page is not self._chat_page:
            needed = max(needed, page.minimumSizeHint().width())
        panels = fit_panels(self.width(), self._sidebar_wish, self._settings_wish, self._settings_last, needed,
                            bar_min=self.top_bar.minimum_width())
        self.sidebar.set_collapsed(not panels.sidebar_full)
        self.settings_scroll.setVisible(panels.settings_shown)
        self.top_bar.settings_button.blockSignals(True)
        self.top_bar.settings_button.setChecked(panels.settings_shown)
        self.top_bar.settings_button.blockSignals(False)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if QApplication.focusWidget() is None:
            self.composer.input.setFocus(Qt.FocusReason.OtherFocusReason)  # ready to type, as in any chat app

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit_panels()

    def _order_focus(self) -> None:
        """Tab goes sidebar → top bar → messages → composer → settings, whatever order they were made in."""
        chain([self.sidebar, self.top_bar, *self.chat_view.focus_order(), self.chat_view.welcome, self.composer,
               self.settings_panel])

    # --- theme and text ----------------------------------------------------------------------------------------

    def apply_theme(self, *_: object) -> None:
        """Light, dark or high contrast (or the OS's light/dark) and the text size; every colour comes from
        the scheme."""
        app = QApplication.instance()
        scheme = scheme_for(self.settings_panel.theme(), app)
        apply_scheme(app, scheme)
        self.setStyleSheet(style_sheet(scheme, self.settings_panel.text_size()))
        self.chat_view.rerender()  # rendered text keeps no colour of the old theme (links)

    # --- models ------------------------------------------------------------------------------------------------

    def load_model(self, path: str, provider: str | None = None) -> None:
        if provider is not None:
            self.picker.set_provider(provider)
        self.picker.request_load(path)

    def attach_models(self, library: ModelLibrary) -> None:
        """Catalog, downloads and installed models; the app layer owns the Registry behind ``library``."""
        self.library = library
        library.setParent(self)
        self.models_view = ModelsView(library)
        self.add_page(self.models_view)
        self.download_bar = DownloadBar(library)
        self._top.addWidget(self.download_bar)
        self.top_bar.show_models_button(True)
        self.picker.models_requested.connect(lambda: self.show_models(True))
        welcome = self.chat_view.welcome
        browse = QPushButton("Browse models…")
        browse.clicked.connect(lambda: self.show_models(True))
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
        self._order_focus()

    def attach_engine_choice(self, panel: EnginePanel) -> None:
        """The choice between this computer and a server; the app layer builds the backend it names."""
        self.engine_panel = panel
        self.engine_dialog = EngineDialog(panel, self)
        self.engine_button = EngineButton()
        self.engine_button.clicked.connect(self.engine_dialog.open)
        self.add_top_bar_widget(self.engine_button)
        self.picker.load_requested.disconnect(self._on_load_requested)
        self.picker.load_requested.connect(self._on_picker_load_requested)

    def show_engine(self, server: str | None, model: str = "") -> None:
        """Say which engine is in use (``server`` is a base URL, None for this computer)."""
        self._server = server
        if self.engine_button is not None:
            self.engine_button.show_engine(host_of(server) if server else None, model)
        self.picker.show_local_controls(server is None)

    def load_directly(self, path: str, provider: str = "auto") -> None:
        """Load without the picker: a server's model name ("" = the first it lists), or a folder whose
        provider is already decided."""
        self._on_load_requested(path, provider)

    def _on_picker_load_requested(self, path: str, provider: str) -> None:
        if self._server is not None:  # a model folder or download: this computer becomes the engine
            self.local_model_requested.emit(path, provider)
        else:
            self._on_load_requested(path, provider)

    def show_models(self, show: bool) -> None:
        if self.models_view is not None:
            self.show_page(self.models_view if show else None)

    def open_installed(self, model: InstalledModel) -> None:
        self.picker.request_load(str(model.path), model.provider)

    def _refresh_welcome(self) -> None:
        library = self.library
        recommendation = library.recommendation()
        fit_label = library.fit_label(recommendation.variant) if recommendation else ""
        installed = library.installed()
        self.chat_view.welcome.show_models(installed, recommendation, fit_label)
        self.chat_view.welcome.set_download_enabled(library.downloading is None)
        self.picker.set_installed([(model.id, str(model.path), model.provider) for model in installed])

    def _on_download_finished(self, model: InstalledModel) -> None:
        self.status.show_idle(f"Downloaded {model.id}")
        if self.controller.model is None:  # first run: straight into a chat
            self.open_installed(model)

    def _on_load_requested(self, path: str, provider: str) -> None:
        if self.controller.generating:
            self.banner.show_notice("A reply is being written; stop it (Esc) or let it finish before loading "
                                    "another model.")
            return
        self.banner.hide()
        self.show_models(False)
        self.controller.load_model(path, provider)

    def _on_model_changed(self, info: ModelInfo | None) -> None:
        self.setWindowTitle(f"LocalChat — {inert_text(info.name)}" if info else "LocalChat")
        self.picker.show_model(info.name if info else None)
        if info is not None:  # a server that does not say its context gets the panel's default range
            self.settings_panel.set_context_length(info.context_length or DEFAULT_CONTEXT)
            if info.fallback_reason:  # a GPU was wanted and the CPU stands in: the model works, so a notice
                self.banner.show_notice(info.fallback_reason, info.fallback_detail)

    def _on_generating_changed(self, generating: bool) -> None:
        self.picker.model_button.setEnabled(not generating)
        self.picker.provider_combo.setEnabled(not generating)
        tip = "Wait for the reply to finish (or stop it with Esc) to change the model" if generating else ""
        self.picker.model_button.setToolTip(tip or self.picker.model_tip())
        if generating:
            self.banner.hide()

    def _on_conversation_shown(self) -> None:
        """Another conversation: nothing said about the previous one stays on screen."""
        self.banner.hide()

    def _on_edit_last_requested(self) -> None:
        mine = [widget for widget in self.chat_view.messages if widget.node.role == "user"]
        if mine and not self.controller.generating:
            mine[-1].start_edit()

    def _on_failed(self, error: LocalChatError) -> None:
        self.banner.show_error(error)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.client.close()
        if self.library is not None:
            self.library.close()
        super().closeEvent(event)
