"""Render the Local server page: ``python -m app.devtools.screenshot_server OUT.png``.

The top bar's "Local server" switch is turned on (127.0.0.1, a free port, a fresh key) and two real API
requests (one streamed) go through it while the window sends a message of its own, which waits its turn;
then the page with the URL, key and live request log is shown.  Uses ../shared/models/smollm2-135m-instruct when present, else a synthetic
model.  LocalChat's home is a temporary folder.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from pathlib import Path

import httpx

from app.devtools.dev_models import shared_model, synthetic_builder


def _api_requests(url: str, key: str, done: threading.Event) -> None:
    headers = {"Authorization": f"Bearer {key}"}
    body = {"messages": [{"role": "user", "content": "Name three colours."}], "temperature": 0, "max_tokens": 24}
    httpx.post(f"{url}/chat/completions", json=body, headers=headers, timeout=120)
    with httpx.stream("POST", f"{url}/chat/completions", json={**body, "stream": True, "seed": 7, "temperature": 0.7},
                      headers=headers, timeout=120) as response:
        for _ in response.iter_lines():
            pass
    done.set()


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m app.devtools.screenshot_server OUT.png", file=sys.stderr)
        return 2
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.gui import StartOptions, build_window
    from app.server.security import new_api_key

    app = QApplication.instance() or QApplication([])
    app.setStyle("Fusion")
    with tempfile.TemporaryDirectory() as workdir:
        os.environ["LOCALCHAT_HOME"] = str(Path(workdir) / "home")
        model = shared_model("smollm2-135m-instruct") or synthetic_builder()(Path(workdir) / "synthetic-chat",
                                                                              chat=True)
        window = build_window(StartOptions(temperature=0.0, max_tokens=40))
        window.resize(1200, 800)
        window.show()
        server, controller = window.server, window.controller
        panel = server._panel
        done = threading.Event()

        def on_model(info: object) -> None:
            if info is None or server.running:
                return
            panel.port.setValue(0)
            panel.key.setText(new_api_key())
            panel.switch.click()
            threading.Thread(target=_api_requests, args=(server.url, panel.key.text(), done), daemon=True).start()
            controller.send("Say hello in French.")

        def finish_when_done() -> None:
            if done.is_set() and not controller.generating and panel.log.blockCount() >= 2:
                window.show_page(panel)
                QTimer.singleShot(200, app.quit)
            else:
                QTimer.singleShot(50, finish_when_done)

        controller.model_changed.connect(on_model)
        controller.failed.connect(lambda error: (print(error.user_message, file=sys.stderr), app.quit()))
        window.load_model(str(model))
        QTimer.singleShot(100, finish_when_done)
        QTimer.singleShot(60000, app.quit)
        app.exec()
        window.grab().save(argv[0])
        server.stop()
        window.close()
    print(f"wrote {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
