"""The Models page: the catalog with a fit hint for this computer, the installed models, and ways to add one.

It is a page of the window rather than a dialog so a download's progress, and any error, show in
the window's one download bar and error banner above it.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFileDialog, QFrame, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QMessageBox,
                               QPushButton, QScrollArea, QSizePolicy, QVBoxLayout, QWidget)

from engine.models.catalog import CatalogModel, Variant
from engine.runtime.providers import LABELS
from engine.models.registry import InstalledModel
from ui.models.download_worker import DownloadRequest
from ui.models.model_library import ModelLibrary
from ui.shell.units import human_bytes


@dataclass
class VariantRow:
    variant: Variant
    fit_label: QLabel
    download_button: QPushButton


@dataclass
class InstalledRow:
    size_label: QLabel
    open_button: QPushButton
    remove_button: QPushButton


class ModelsView(QWidget):
    open_requested = Signal(object)  # InstalledModel
    back_requested = Signal()

    def __init__(self, library: ModelLibrary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Models")
        self.library = library
        self.variant_rows: dict[tuple[str, str], VariantRow] = {}
        self.installed_rows: dict[str, InstalledRow] = {}
        back = QPushButton("← Back to chat")
        back.clicked.connect(self.back_requested)
        title = QLabel("Models")
        title.setObjectName("welcomeTitle")
        machine = QLabel(f"This computer: {library.describe_hardware()}")
        machine.setAccessibleName("This computer")
        header = QHBoxLayout()
        header.addWidget(back)
        header.addSpacing(12)
        header.addWidget(title)
        header.addStretch()
        header.addWidget(machine)
        column = QWidget()
        self.column = QVBoxLayout(column)
        self.column.setContentsMargins(0, 0, 8, 0)
        self.column.addWidget(_heading("Installed"))
        self.installed_box = QGridLayout()
        self.installed_box.setColumnStretch(1, 1)
        self.column.addLayout(self.installed_box)
        self.column.addSpacing(8)
        self.column.addLayout(self._add_row())
        self.column.addWidget(_heading("Download"))
        for model in library.catalog.models:
            self.column.addWidget(self._catalog_card(model))
        self.column.addStretch()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(column)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 8, 16, 8)
        layout.addLayout(header)
        layout.addWidget(scroll, 1)
        library.installed_changed.connect(self.refresh)
        library.download_started.connect(lambda _request: self._set_downloads_enabled(False))
        for ended in (library.download_finished, library.download_cancelled, library.failed):
            ended.connect(lambda *_: self._set_downloads_enabled(library.downloading is None))
        self.refresh()

    def refresh(self) -> None:
        """Rebuild the installed list (after a download, an add or a removal)."""
        while self.installed_box.count():
            widget = self.installed_box.takeAt(0).widget()
            widget.hide()
            widget.deleteLater()
        self.installed_rows.clear()
        installed = self.library.installed()
        if not installed:
            self.installed_box.addWidget(QLabel("No models yet: download one below, or add a folder you have."),
                                         0, 0, 1, 5)
        for row, model in enumerate(installed):
            self._installed_row(row, model)

    def _installed_row(self, row: int, model: InstalledModel) -> None:
        name = QLabel(f"<b>{model.id}</b>")
        where = QLabel(f"{model.repo_id}/{model.subfolder}" if model.source == "hub" else str(model.path))
        where.setToolTip(str(model.path))
        where.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # long paths are cut, not the buttons
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        size = QLabel(human_bytes(model.size_bytes))
        size.setAccessibleName(f"Size of {model.id}")
        size.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        open_button = QPushButton("Open")
        open_button.setAccessibleName(f"Open {model.id}")
        open_button.clicked.connect(lambda: self.open_requested.emit(model))
        remove = QPushButton("Remove…")
        remove.setAccessibleName(f"Remove {model.id}")
        remove.clicked.connect(lambda: self._on_remove_clicked(model))
        for column, widget in enumerate((name, where, size, open_button, remove)):
            self.installed_box.addWidget(widget, row, column)
        self.installed_rows[model.id] = InstalledRow(size, open_button, remove)

    def _add_row(self) -> QVBoxLayout:
        self.folder_button = folder = QPushButton("Add from folder…")
        folder.setToolTip("Add an ONNX Runtime GenAI model folder you already have; it stays where it is")
        folder.clicked.connect(self._on_add_folder_clicked)
        self.repo_field = QLineEdit()
        self.repo_field.setAccessibleName("Hub repository id")
        self.repo_field.setPlaceholderText("Hub repository, e.g. microsoft/Phi-3.5-mini-instruct-onnx")
        self.subfolder_field = QLineEdit()
        self.subfolder_field.setAccessibleName("Subfolder in the repository")
        self.subfolder_field.setPlaceholderText("subfolder (optional)")
        self.hub_button = QPushButton("Add from Hub")
        self.hub_button.setToolTip("Download the ONNX Runtime GenAI model in that repository (and subfolder)")
        self.hub_button.clicked.connect(self._on_add_from_hub_clicked)
        self.repo_field.returnPressed.connect(self.hub_button.click)
        self.subfolder_field.returnPressed.connect(self.hub_button.click)
        hub = QHBoxLayout()
        hub.addWidget(self.repo_field, 3)
        hub.addWidget(self.subfolder_field, 2)
        hub.addWidget(self.hub_button)
        rows = QVBoxLayout()
        rows.addWidget(folder, 0, Qt.AlignmentFlag.AlignLeft)
        rows.addLayout(hub)
        return rows

    def _catalog_card(self, model: CatalogModel) -> QFrame:
        card = QFrame()
        card.setObjectName("catalogCard")
        card.setFrameShape(QFrame.Shape.StyledPanel)
        name = QLabel(f"<b>{model.name}</b> &nbsp; <span>{model.license} licence · "
                      f"{model.context_length // 1024}K context</span>")
        description = QLabel(model.description)
        description.setWordWrap(True)
        grid = QGridLayout()
        grid.setColumnStretch(2, 1)
        for row, variant in enumerate(model.variants):
            self._variant_row(grid, row, model, variant)
        layout = QVBoxLayout(card)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(name)
        layout.addWidget(description)
        layout.addLayout(grid)
        return card

    def _variant_row(self, grid: QGridLayout, row: int, model: CatalogModel, variant: Variant) -> None:
        provider = QLabel(f"for {LABELS[variant.provider]}")
        provider.setMinimumWidth(110)
        size = QLabel(f"{'about ' if not variant.download_bytes_exact else ''}{human_bytes(variant.download_bytes)}")
        size.setMinimumWidth(90)
        fit = QLabel(self.library.fit_label(variant))
        fit.setAccessibleName(f"Fit of {model.id} for {variant.provider}")
        fit.setToolTip(self.library.fit_details(variant))
        button = QPushButton("Download")
        button.setAccessibleName(f"Download {model.id} for {variant.provider}")
        button.setEnabled(self.library.can_run(variant))
        button.clicked.connect(lambda: self.library.download_catalog(model, variant))
        for column, widget in enumerate((provider, size, fit, button)):
            grid.addWidget(widget, row, column)
        self.variant_rows[(model.id, variant.provider)] = VariantRow(variant, fit, button)

    def _set_downloads_enabled(self, enabled: bool) -> None:
        for row in self.variant_rows.values():
            row.download_button.setEnabled(enabled and self.library.can_run(row.variant))
        self.hub_button.setEnabled(enabled)

    def _on_remove_clicked(self, model: InstalledModel) -> None:
        if model.source == "local":
            question = f"Forget {model.id}? Its folder {model.path} stays where it is."
        else:
            question = f"Delete {model.id} ({human_bytes(model.size_bytes)}) from this computer?"
        answer = QMessageBox.question(self, "Remove model", question)
        if answer == QMessageBox.StandardButton.Yes:
            self.library.remove(model.id)

    def _on_add_folder_clicked(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Add model folder")
        if path:
            self.library.add_local(path)

    def _on_add_from_hub_clicked(self) -> None:
        repo = self.repo_field.text().strip()
        if repo:
            subfolder = self.subfolder_field.text().strip().strip("/")
            self.library.download(DownloadRequest(repo, subfolder, f"{repo}/{subfolder}" if subfolder else repo))


def _heading(text: str) -> QLabel:
    label = QLabel(f"<b>{text}</b>")
    label.setContentsMargins(0, 12, 0, 4)
    return label
