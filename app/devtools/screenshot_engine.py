"""Render the window with a server as its engine: ``python -m app.devtools.screenshot_engine OUT_DIR``.

Nothing is staged: the script starts a real ``localchat serve`` on the developer model (stories260k when
present, else the synthetic one) on a free port of 127.0.0.1, opens the window with ``--backend`` on it,
sends one message, and grabs the window after the reply and the Engine dialog after a real Test connection.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from app.devtools.dev_models import shared_model, synthetic_builder
from app.devtools.serve_process import READY_S, start_serve

SETTLE_MS = 1000


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m app.devtools.screenshot_engine OUT_DIR", file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as workdir:
        home = Path(workdir)
        os.environ["LOCALCHAT_HOME"] = str(home / "client")
        model = shared_model("stories260k") or synthetic_builder()(home / "synthetic", chat=True)
        server, url = start_serve(str(model), str(home / "server"))
        try:
            shoot(url, out)
        finally:
            server.terminate()
            server.wait(10)
    print(f"wrote {out / 'engine-chat.png'} and {out / 'engine-dialog.png'}")
    return 0


def shoot(url: str, out: Path) -> None:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from app.gui import StartOptions, build_window

    app = QApplication.instance() or QApplication([])
    app.setStyle("Fusion")
    window = build_window(StartOptions(backend=url, temperature=0.0, max_tokens=60, send="Once upon a time"))
    window.resize(1180, 760)
    window.show()
    wait(window.controller.reply_finished, QEventLoop, QTimer)
    settled = QEventLoop()  # the final render's layout and the next-token panel's new look come a moment later
    QTimer.singleShot(SETTLE_MS, settled.quit)
    settled.exec()
    window.grab().save(str(out / "engine-chat.png"))
    window.engine_button.click()
    panel = window.engine_panel
    panel.test_button.click()
    wait(panel.model_combo.model().rowsInserted, QEventLoop, QTimer)
    app.processEvents()
    window.engine_dialog.grab().save(str(out / "engine-dialog.png"))
    window.engine_dialog.reject()
    window.close()


def wait(signal, loop_class, timer_class) -> None:
    loop = loop_class()
    signal.connect(lambda *_: loop.quit())
    timer_class.singleShot(READY_S * 1000, loop.quit)  # only if something is broken
    loop.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
