"""The window's process never loads onnxruntime-genai: the engine runs in its own process."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication
    from app.gui import StartOptions, build_window

    if __name__ == "__main__":
        app = QApplication([])
        window = build_window(StartOptions(model=sys.argv[1], temperature=0.0))
        loop = QEventLoop()
        window.controller.model_changed.connect(lambda info: window.controller.send("Hi"))
        window.controller.reply_finished.connect(lambda *_: loop.quit())
        window.controller.failed.connect(lambda error: loop.quit())
        QTimer.singleShot(20000, loop.quit)
        loop.exec()
        print(window.controller.last_reply_text())
        print("onnxruntime_genai" in sys.modules)
        window.close()
""")


def test_the_gui_process_never_imports_onnxruntime_genai(chat_model, tmp_path):
    script = tmp_path / "gui_boundary.py"
    script.write_text(SCRIPT, encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, str(script), str(chat_model)], capture_output=True, text=True,
                            env=env, timeout=60, cwd=ROOT)
    reply, imported = result.stdout.strip().splitlines()[-2:]
    assert reply == "Hello café costs 5€ 😀"
    assert imported == "False"
