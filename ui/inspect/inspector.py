"""Wires "inference made visible" into the window: tokens on replies, the next-token chart, the Inspect dialog.

It only uses the window's public parts (the chat view's message widgets, the composer, the settings panel,
the top bar's slot, the engine client's ``inspect`` calls and the chat controller's ``continue_from``), so
the shell and the message card know nothing about it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel, QToolButton

from engine.errors import LocalChatError
from engine.runtime.conversation import Message
from engine.runtime.settings import SamplingSettings
from ui.chat.conversation_model import Node
from ui.chat.message_widget import MessageWidget
from ui.inspect.inspect_dialog import InspectDialog
from ui.inspect.next_token_chart import NextTokenPanel
from ui.inspect.token_view import TokenView
from ui.shell.bar_button import BarButton

PREVIEW_DEBOUNCE_MS = 350
CHOICES = 5


def reply_settings(node: Node, fallback: SamplingSettings) -> SamplingSettings:
    """The settings a reply was written with (from its provenance), else ``fallback``."""
    return node.provenance.sampling() if node.provenance is not None else fallback


class Inspector(QObject):
    def __init__(self, window) -> None:  # noqa: ANN001 - the MainWindow (ui.shell imports nothing from here)
        super().__init__(window)
        self.window = window
        self.controller, self.client, self.view = window.controller, window.client, window.chat_view
        self.settings_panel, self.composer = window.settings_panel, window.composer
        self.panel = NextTokenPanel()
        self.settings_panel.add_section("Next token", self.panel)
        self.show_tokens = BarButton("tokens", "Show tokens")
        self.show_tokens.setCheckable(True)
        self.show_tokens.setAccessibleName("Show tokens on every reply")
        self.show_tokens.setToolTip("Show every reply as the tokens the model wrote, shaded by how sure it was; "
                                    "new replies keep the choices the model weighed at each token")
        window.add_top_bar_widget(self.show_tokens)
        self.show_tokens.toggled.connect(self._on_show_tokens_toggled)
        self.settings_panel.choices_check.toggled.connect(self.show_tokens.setChecked)
        self._decorated: dict[MessageWidget, tuple[QToolButton, QToolButton]] = {}  # its Tokens and Inspect
        self._explaining: dict[int, Node] = {}
        self._dialogs: dict[int, InspectDialog] = {}
        self._preview_id = 0
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DEBOUNCE_MS)
        self._preview_timer.timeout.connect(self._request_preview)
        self.composer.input.textChanged.connect(self._preview_timer.start)
        self.settings_panel.changed.connect(self._on_settings_changed)
        self.view.messages_changed.connect(self._decorate)
        self.controller.reply_finished.connect(self._on_reply_finished)
        self.controller.conversation_shown.connect(self._preview_timer.start)
        self.controller.model_changed.connect(lambda _info: self._preview_timer.start())
        self.controller.generating_changed.connect(self._on_generating_changed)
        self.client.inspected.connect(self._on_inspected)
        self.client.inspect_failed.connect(self._on_inspect_failed)

    # --- tokens on replies -------------------------------------------------------------------------------------

    def _decorate(self) -> None:
        for widget in self.view.messages:
            if widget.node.role != "assistant" or widget in self._decorated:
                continue
            button = BarButton("tokens", "Tokens", labelled_icon=False)
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.setAccessibleName("Show this reply's tokens")
            button.setToolTip("See this reply as tokens, shaded by how sure the model was of each; click one "
                              "for what else it could have written there")
            button.toggled.connect(lambda on, w=widget: self._show_tokens_of(w, on))
            inspect = BarButton("inspect", "Inspect", labelled_icon=False)
            inspect.setAutoRaise(True)
            inspect.setAccessibleName("Inspect this reply")
            inspect.setToolTip("The exact prompt the model read (the X-ray), what the reply cost, and the "
                               "model and settings that wrote it, with Replay")
            inspect.clicked.connect(lambda _=False, w=widget: self.open_inspector(w.node))
            widget.add_action(button)
            widget.add_action(inspect)
            widget.destroyed.connect(lambda _=None, w=widget: self._decorated.pop(w, None))
            self._decorated[widget] = (button, inspect)
            self._show_buttons(widget)

    def _show_buttons(self, widget: MessageWidget) -> None:
        """A reply's buttons appear once it is finished; with Show tokens on, so do its tokens."""
        button, inspect = self._decorated[widget]
        finished = widget.node.record is not None
        button.setVisible(finished)
        inspect.setVisible(finished)
        if finished and self.show_tokens.isChecked():
            button.setChecked(True)

    def _on_show_tokens_toggled(self, on: bool) -> None:
        self.settings_panel.choices_check.setChecked(on)  # new replies keep their choices while tokens show
        for widget, (button, _inspect) in list(self._decorated.items()):
            if widget.node.record is not None:
                button.setChecked(on)

    def _on_reply_finished(self, node: Node, _record: object) -> None:
        widget = self.view.widget_for(node)
        if widget is not None:
            self._decorate()
            self._show_buttons(widget)
        self._preview_timer.start()

    def _show_tokens_of(self, widget: MessageWidget, on: bool) -> None:
        node = widget.node
        if not on:
            widget.show_instead_of_text(None)
            return
        if node.steps and len(node.steps) == len(node.token_ids or node.steps):
            view = TokenView(node.content, node.steps)
            view.can_continue = bool(node.token_ids) and not self.controller.generating
            view.continue_requested.connect(lambda step, token, n=node: self.controller.continue_from(n, step, token))
            widget.show_instead_of_text(view)
        elif not node.token_ids:
            widget.show_instead_of_text(QLabel("This reply was written before LocalChat kept its tokens; "
                                               "Regenerate it to see them."))
        else:
            widget.show_instead_of_text(QLabel("Reading what the model weighed at each token…"))
            settings = reply_settings(node, self.settings_panel.settings())
            request = self.client.inspect("explain_reply", self._messages_before(node), settings,
                                          list(node.token_ids), CHOICES)
            self._explaining[request] = node

    def _messages_before(self, node: Node) -> list[Message]:
        return self.controller.tree.messages_until(node.parent, node.system_prompt)

    # --- the next-token chart ----------------------------------------------------------------------------------

    def _on_settings_changed(self) -> None:
        self.panel.reshape(self.settings_panel.settings())

    def _on_generating_changed(self, generating: bool) -> None:
        if generating:
            self._preview_timer.stop()
            self.panel.show_pending("Waiting for the reply being written…")

    def preview_messages(self) -> list[Message] | None:
        """The conversation on screen plus what is typed, as the engine would read it if sent now."""
        text = self.composer.input.toPlainText()
        path = self.controller.tree.active_path()
        system = self.settings_panel.system_prompt()
        messages = self.controller.tree.messages_until(path[-1], system) if path else (
            [Message("system", system.strip())] if system.strip() else [])
        if text.strip():
            return messages + [Message("user", text)]
        return messages if messages and messages[-1].role == "user" else None

    def _request_preview(self) -> None:
        if self.controller.model is None or self.controller.generating:
            return
        messages = self.preview_messages()
        if messages is None:
            self.panel.show_distribution(None, self.settings_panel.settings())
            return
        self._preview_id = self.client.inspect("next_token", messages, self.settings_panel.settings().max_new_tokens)

    # --- the Inspect dialog ------------------------------------------------------------------------------------

    def open_inspector(self, node: Node) -> InspectDialog:
        dialog = InspectDialog(node, self.controller.tree, self.window)
        dialog.replay_requested.connect(lambda n=node, d=dialog: self._replay(n, d))
        messages = self._messages_before(node)
        settings = reply_settings(node, self.settings_panel.settings())
        self._dialogs[self.client.inspect("prompt_xray", messages, settings.max_new_tokens)] = dialog
        self._dialogs[self.client.inspect("model_hash", True)] = dialog
        dialog.show()
        return dialog

    def _replay(self, node: Node, dialog: InspectDialog) -> None:
        if node.provenance is None:
            dialog.show_replay_error("This reply was written before LocalChat kept what it needs to replay it.")
            return
        if self.controller.generating:
            dialog.show_replay_error("Wait for the reply being written to finish.")
            return
        self._dialogs[self.client.inspect("replay", self._messages_before(node), node.provenance, node.content,
                                          list(node.token_ids))] = dialog

    # --- answers -----------------------------------------------------------------------------------------------

    def _on_inspected(self, kind: str, request_id: int, result: object) -> None:
        if kind == "next_token":
            if request_id == self._preview_id:
                self.panel.show_distribution(result, self.settings_panel.settings())
        elif kind == "explain_reply":
            node = self._explaining.pop(request_id, None)
            if node is not None:
                node.steps = list(result)
                self._refresh_tokens(node)
        elif request_id in self._dialogs:
            self._dialogs.pop(request_id).show_result(kind, result)

    def _on_inspect_failed(self, kind: str, request_id: int, error: LocalChatError) -> None:
        if kind == "next_token" and request_id == self._preview_id:
            self.panel.show_distribution(None, self.settings_panel.settings())
            self.panel.show_pending(error.user_message)
        elif kind == "explain_reply" and request_id in self._explaining:
            widget = self.view.widget_for(self._explaining.pop(request_id))
            if widget is not None:
                widget.show_instead_of_text(QLabel(error.user_message))
        elif request_id in self._dialogs:
            self._dialogs.pop(request_id).show_error(kind, error.user_message)

    def _refresh_tokens(self, node: Node) -> None:
        widget = self.view.widget_for(node)
        buttons = self._decorated.get(widget) if widget is not None else None
        if buttons is not None and buttons[0].isChecked():
            self._show_tokens_of(widget, True)


def attach_inspector(window) -> Inspector:  # noqa: ANN001 - see Inspector
    return Inspector(window)
