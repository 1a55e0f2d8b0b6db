"""Render the window with a server as its engine: ``python -m app.devtools.screenshot_engine OUT_DIR``.

Nothing is staged: the script starts a real ``localchat serve`` on the developer model (stories260k when
present, else the synthetic one) on a free port of 127.0.0.1, opens the window with ``--backend`` on it,
sends one message, and grabs the window after the reply and the Engine dialog after a real Test connection.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from app.devtools.dev_models import ROOT, shared_model, synthetic_builder

READY_S = 120
SETTLE_MS = 1000


def start_server(model: Path, home: Path) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "LOCALCHAT_HOME": str(home / "server")}
    process = subprocess.Popen([sys.executable, "-m", "app", "serve", "--model", str(model), "--port", "0"],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    url = next(word for word in process.stdout.readline().split() if word.startswith("http://"))
    deadline = time.monotonic() + READY_S
    while time.monotonic() < deadline:
        try:
            if httpx.get(url.removesuffix("/v1") + "/health").status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    process.kill()
    raise RuntimeError("the server did not become ready")


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
        server, url = start_server(model, home)
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
