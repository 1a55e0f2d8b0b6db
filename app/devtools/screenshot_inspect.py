"""Render "inference made visible" from a real conversation: ``python -m app.devtools.screenshot_inspect DIR``.

Writes DIR/tokens.png (a reply shown as tokens, with the popover of the step where the model hesitated
most), DIR/tokens-keyboard.png (the same token reached with the arrow keys and its popover opened with Enter),
DIR/next-token-cold.png and DIR/next-token-hot.png (the next-token chart for the same typed text at
temperature 0.3 and 1.5) and DIR/xray.png (the Inspect dialog's prompt X-ray of the second reply).  Uses
../shared/models/smollm2-135m-instruct; LocalChat's home is a temporary folder.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from app.devtools.dev_models import shared_model

FIRST = "What is the capital of France? Answer in one sentence."
SECOND = "Name one famous museum there."
TYPED = "Write a poem about the"


def wait_until(app, condition: Callable[[], bool], timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        app.processEvents()
        time.sleep(0.01)


def with_popup(window_image, window, popup):
    """The window's picture with a popup window drawn where it is on screen (grab() leaves popups out)."""
    from PySide6.QtGui import QPainter

    painter = QPainter(window_image)
    painter.drawPixmap(window.mapFromGlobal(popup.pos()), popup.grab())
    painter.end()
    return window_image


def reach_by_keyboard(app, view, step: int):  # noqa: ANN001, ANN201 - Qt objects imported late
    """Tab into ``view``, move the highlight with Right to ``step``'s token and open its popover with Enter."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    view.setFocus(Qt.FocusReason.TabFocusReason)
    app.processEvents()
    while view.spans[view.current][0] < step:
        QTest.keyClick(view, Qt.Key.Key_Right)
    QTest.keyClick(view, Qt.Key.Key_Return)
    app.processEvents()
    return view.popover


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m app.devtools.screenshot_inspect DIR", file=sys.stderr)
        return 2
    model = shared_model("smollm2-135m-instruct")
    if model is None:
        print("../shared/models/smollm2-135m-instruct is not present", file=sys.stderr)
        return 1
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.gui import StartOptions, build_window
    from ui.inspect.token_view import TokenView

    app = QApplication.instance() or QApplication([])
    app.setStyle("Fusion")
    with tempfile.TemporaryDirectory() as workdir:
        os.environ["LOCALCHAT_HOME"] = str(Path(workdir) / "home")
        window = build_window(StartOptions(temperature=0.8, max_tokens=40, seed=7))
        window.resize(1280, 820)
        window.show()
        controller, inspector = window.controller, window.inspector
        window.load_model(str(model))
        wait_until(app, lambda: controller.model is not None)
        inspector.show_tokens.setChecked(True)
        for text in (FIRST, SECOND):
            controller.send(text)
            wait_until(app, lambda: not controller.generating)
        wait_until(app, lambda: not inspector.panel.summary.text().startswith("Waiting"))  # the chart looked again
        reply_widget = window.chat_view.messages[1]
        wait_until(app, lambda: reply_widget.findChild(TokenView) is not None)
        view = reply_widget.findChild(TokenView)
        hesitant = min(range(len(view.steps)), key=lambda i: view.steps[i].chosen.model_probability)
        cursor = view.textCursor()
        cursor.setPosition(sum(len(p) for p in view.pieces[:hesitant]))
        where = view.viewport().mapToGlobal(view.cursorRect(cursor).bottomLeft())
        popover = view.show_popover(hesitant, where)
        app.processEvents()
        with_popup(window.grab(), window, popover).save(str(out / "tokens.png"))
        popover.close()
        keyboard_popover = reach_by_keyboard(app, view, hesitant)
        with_popup(window.grab(), window, keyboard_popover).save(str(out / "tokens-keyboard.png"))
        keyboard_popover.close()

        window.composer.input.setPlainText(TYPED)
        wait_until(app, lambda: inspector.panel.distribution is not None)
        panel = window.settings_panel
        for name, temperature in (("next-token-cold.png", 0.3), ("next-token-hot.png", 1.5)):
            panel.fields["temperature"].set_value(temperature)
            app.processEvents()
            inspector.panel.grab().save(str(out / name))

        dialog = inspector.open_inspector(window.chat_view.messages[3].node)
        wait_until(app, lambda: dialog.xray is not None and "Checking" not in dialog.hash_now.text())
        dialog.resize(900, 640)
        app.processEvents()
        dialog.grab().save(str(out / "xray.png"))
        dialog.tabs.setCurrentIndex(1)
        app.processEvents()
        dialog.grab().save(str(out / "cost.png"))
        dialog.tabs.setCurrentIndex(2)
        dialog.replay_button.click()
        wait_until(app, lambda: dialog.replay_button.isEnabled())
        app.processEvents()
        dialog.grab().save(str(out / "replay.png"))
        dialog.close()
        window.close()
    print(f"wrote {', '.join(sorted(p.name for p in out.glob('*.png')))} in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
