"""Where replies come from: this computer, or a server that speaks the OpenAI API.

The panel only collects a choice and shows what the app layer found out (the server's models, or why it
could not be reached); it never talks to a server itself.  "Test connection" lists the server's models;
when that fails the model box stays open for a typed name, because some servers cannot list theirs.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QFormLayout, QHBoxLayout, QLabel, QLayout, QLineEdit,
                               QPushButton, QRadioButton, QToolButton, QVBoxLayout, QWidget)

from engine.errors import InvalidServerAddress, LocalChatError
from engine.remote.address import normalise_base_url, path_hint
from ui.shell.error_banner import ErrorBanner

EXAMPLES = "Ports: Ollama 11434 · LM Studio 1234 · vLLM 8000 · LocalChat 8080"
# Lines broken by hand: a word-wrapped label in a form is given too little height by Qt and gets clipped.
KEY_WARNING = ("⚠ No system keyring works on this computer: the key is kept in\n"
               "LocalChat's settings file, in plain text only your account can read.")


@dataclass(frozen=True)
class EngineChoice:
    """``server`` False: this computer's engine (the other fields are kept for next time)."""

    server: bool
    url: str = ""
    key: str = ""
    model: str = ""


class EnginePanel(QWidget):
    test_requested = Signal(str, str)  # normalised base URL, key
    apply_requested = Signal(object)   # EngineChoice
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Engine")
        heading = QLabel("Where replies come from")
        heading.setObjectName("panelHeading")
        self.local_radio = QRadioButton("This computer")
        self.local_radio.setToolTip("Models in ONNX Runtime GenAI format, run here on the CPU or a GPU")
        self.server_radio = QRadioButton("A server with an OpenAI-compatible API")
        self.server_radio.setToolTip("vLLM on a GPU cluster, Ollama or LM Studio on another machine, "
                                     "another LocalChat: anything that serves /v1/chat/completions")
        group = QButtonGroup(self)
        for button in (self.local_radio, self.server_radio):
            group.addButton(button)
        self.local_radio.setChecked(True)
        self.server_box = self._build_server_box()
        self.cancel_button, self.use_button = QPushButton("Cancel"), QPushButton("Use")
        self.use_button.setDefault(True)
        self.use_button.setAccessibleName("Use this engine")
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.use_button)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.local_radio)
        layout.addWidget(self.server_radio)
        layout.addWidget(self.server_box)
        layout.addWidget(self.failure)  # full width, outside the form, which would clip a wrapped sentence
        layout.addStretch()
        layout.addLayout(buttons)
        self.server_radio.toggled.connect(self._on_kind_toggled)
        self.use_button.clicked.connect(self._on_use_clicked)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self._on_kind_toggled(False)

    def _build_server_box(self) -> QWidget:
        box = QWidget()
        self.url_edit = QLineEdit()
        self.url_edit.setAccessibleName("Server address")
        self.url_edit.setPlaceholderText("http://localhost:11434/v1")
        self.url_hint = self._hint(EXAMPLES)
        self.key_edit = QLineEdit()
        self.key_edit.setAccessibleName("API key")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText("none (Ollama and LM Studio need none)")
        self.show_key_button = QToolButton()
        self.show_key_button.setText("Show")
        self.show_key_button.setCheckable(True)
        self.show_key_button.setAccessibleName("Show the API key")
        self.show_key_button.toggled.connect(lambda shown: self.key_edit.setEchoMode(
            QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password))
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.show_key_button)
        self.key_warning = self._hint(KEY_WARNING)
        self.key_warning.setObjectName("keyWarning")
        self.key_warning.hide()
        self.test_button = QPushButton("Test connection")
        self.test_button.setToolTip("Ask the server for its models (GET /v1/models)")
        self.test_status = QLabel()
        self.test_status.setAccessibleName("Connection status")
        self.test_status.setWordWrap(True)
        test_row = QHBoxLayout()
        test_row.setSpacing(10)
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_status, 1)
        self.failure = ErrorBanner()
        self.model_combo = QComboBox()
        self.model_combo.setEditable(True)
        self.model_combo.setAccessibleName("Server model")
        self.model_combo.lineEdit().setPlaceholderText("Test the connection, or type the model's name")
        form = QFormLayout(box)
        form.setContentsMargins(24, 4, 0, 8)
        form.setVerticalSpacing(10)
        form.addRow("Address", _stacked(self.url_edit, self.url_hint))
        form.addRow("API key", _stacked(key_row, self.key_warning))
        form.addRow("", test_row)
        form.addRow("Model", self.model_combo)
        self.url_edit.editingFinished.connect(self._on_url_edited)
        self.url_edit.textEdited.connect(lambda _text: self._clear_test())
        self.key_edit.textEdited.connect(lambda _text: self._clear_test())
        self.test_button.clicked.connect(self._on_test_clicked)
        return box

    def _hint(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setObjectName("emptyHint")
        return label

    # --- what the app layer tells the panel ---------------------------------------------------------------

    def set_choice(self, choice: EngineChoice) -> None:
        (self.server_radio if choice.server else self.local_radio).setChecked(True)
        self.url_edit.setText(choice.url)
        self.key_edit.setText(choice.key)
        self.model_combo.setEditText(choice.model)
        self._clear_test()

    def set_key_warning(self, shown: bool) -> None:
        """Shown when keys cannot go to an OS keyring and would be written to the settings file."""
        self._key_warning_wanted = shown
        self.key_warning.setVisible(shown and self.server_radio.isChecked())

    def show_models(self, names: list[str]) -> None:
        typed = self.model_combo.currentText().strip()
        self.model_combo.clear()
        self.model_combo.addItems(names)
        self.model_combo.setEditText(typed if typed in names or not names else names[0])
        count = len(names)
        self.test_status.setText(f"✓ Connected: {count} model{'s' if count != 1 else ''}" if count
                                 else "Connected, but the server lists no models: type the model's name")
        self.test_button.setEnabled(True)
        self.failure.hide()

    def show_test_failed(self, error: LocalChatError) -> None:
        self.test_status.setText("Type the model's name if you know it")
        self.failure.show_error(error)
        self.test_button.setEnabled(True)

    def choice(self) -> EngineChoice:
        return EngineChoice(self.server_radio.isChecked(), self.url_edit.text().strip(), self.key_edit.text().strip(),
                            self.model_combo.currentText().strip())

    # --- the user's actions -------------------------------------------------------------------------------

    def _on_kind_toggled(self, server: bool) -> None:
        self.server_box.setEnabled(server)
        self.key_warning.setVisible(server and getattr(self, "_key_warning_wanted", False))

    def _normalised_url(self) -> str | None:
        try:
            url = normalise_base_url(self.url_edit.text())
        except InvalidServerAddress as error:
            self.show_test_failed(error)
            return None
        self.url_edit.setText(url)
        self.url_hint.setText(path_hint(url) or EXAMPLES)
        return url

    def _on_url_edited(self) -> None:
        if self.url_edit.text().strip():
            self._normalised_url()

    def _on_test_clicked(self) -> None:
        url = self._normalised_url()
        if url is None:
            return
        self.failure.hide()
        self.test_button.setEnabled(False)
        self.test_status.setText(f"Asking {url}/models…")
        self.test_requested.emit(url, self.key_edit.text().strip())

    def _on_use_clicked(self) -> None:
        choice = self.choice()
        if choice.server:
            url = self._normalised_url()
            if url is None:
                return
            choice = EngineChoice(True, url, choice.key, choice.model)
        self.apply_requested.emit(choice)

    def _clear_test(self) -> None:
        self.test_status.clear()
        self.failure.hide()
        self.test_button.setEnabled(True)


def _stacked(top: QWidget | QLayout, below: QWidget) -> QVBoxLayout:
    """A field with its hint right under it."""
    column = QVBoxLayout()
    column.setSpacing(3)
    if isinstance(top, QLayout):
        column.addLayout(top)
    else:
        column.addWidget(top)
    column.addWidget(below)
    return column
