"""Render the first-run welcome and the Models page to PNGs: ``python -m app.devtools.screenshot_models OUT_DIR``.

The machine is fixed (16 GB of RAM, no GPU, the CPU build) so the pictures do not depend on where
they are taken.  The Models page shows one installed model (a synthetic one added as a folder)
and the download bar as it looks a third of the way through a download (no Hub is contacted).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from app.devtools.dev_models import synthetic_builder
from engine.models.catalog import load_catalog
from engine.models.download import DownloadProgress
from engine.models.hardware import Hardware
from engine.models.registry import Registry

EXAMPLE_HARDWARE = Hardware(ram_bytes=16_000_000_000)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m app.devtools.screenshot_models OUT_DIR", file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.gui import app_icon
    from ui.models.download_worker import DownloadRequest
    from ui.engine_client import EngineClient
    from ui.shell.main_window import MainWindow
    from ui.models.model_library import ModelLibrary

    app = QApplication.instance() or QApplication([])
    app.setStyle("Fusion")
    QApplication.setWindowIcon(app_icon())
    with tempfile.TemporaryDirectory() as workdir:
        registry = Registry(Path(workdir) / "models")
        window = MainWindow(EngineClient())
        window.attach_models(ModelLibrary(registry, load_catalog(), EXAMPLE_HARDWARE, ["cpu"]))
        window.resize(1100, 760)
        window.show()
        app.processEvents()
        window.grab().save(str(out / "welcome.png"))
        window.library.add_local(synthetic_builder()(Path(workdir) / "my-synthetic-model", chat=True))
        window.show_models(True)
        pick = window.library.catalog.get("phi-3.5-mini-instruct")
        window.library.download_started.emit(DownloadRequest(pick.repo, pick.variants[0].subfolder, pick.name))
        window.library.download_progressed.emit(DownloadProgress(930_000_000, 2_790_000_000, 24_500_000, 76.0,
                                                                 "model.onnx.data"))
        app.processEvents()
        window.grab().save(str(out / "models.png"))
        window.close()
    print(f"wrote {out / 'welcome.png'} and {out / 'models.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
