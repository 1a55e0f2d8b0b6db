"""The top bar of the window as the app builds it (Show tokens, Local server, Engine, Models): with Reply settings
open at 800×600 and at the smallest window, every part of it is whole, inside the bar and clear of the others,
and the model's name is at least elided, never cut."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton, QComboBox, QWidget

from layout_check import cut_off, settle, show_conversation
from ui.shell.panels import MIN_WINDOW_HEIGHT, MIN_WINDOW_WIDTH

MODEL = "smollm2-135m-instruct"
SIZES = [(800, 600), (MIN_WINDOW_WIDTH, MIN_WINDOW_HEIGHT)]


def bar_problems(window) -> list[str]:
    """What is wrong with the top bar: the model's name cut, a control narrower than its minimum, outside the
    bar or over another one."""
    bar, button = window.top_bar, window.picker.model_button
    problems = []
    if button.width() < button.minimumSizeHint().width() or not button.text().startswith(MODEL[:10]):
        problems.append(f"the model button is {button.width()} px wide (needs {button.minimumSizeHint().width()}) "
                        f"and shows {button.text()!r}")
    boxes = []
    for part in [*bar.findChildren(QAbstractButton), *bar.findChildren(QComboBox)]:
        if not part.isVisible():
            continue
        name = part.accessibleName()
        box = part.rect().translated(part.mapTo(bar, part.rect().topLeft()))
        if not bar.rect().contains(box):
            problems.append(f"{name} at {box.getRect()} sticks out of the bar {bar.rect().getRect()}")
        if part.width() < part.minimumSizeHint().width():
            problems.append(f"{name} is {part.width()} px wide, needs {part.minimumSizeHint().width()}")
        problems += [f"{name} overlaps {other}" for other, other_box in boxes if box.intersects(other_box)]
        boxes.append((name, box))
    return problems


def open_full_window(open_app, size: tuple[int, int]):
    """The app's own window with every top-bar part, a model name and Reply settings opened at ``size``."""
    window = open_app().window
    slots = window.top_bar.findChildren(QWidget)
    assert window.engine_button in slots and window.inspector.show_tokens in slots
    assert window.server is not None and window.library is not None  # Local server and Models are attached
    show_conversation(window)
    window.picker.show_model(MODEL)
    window.resize(*size)
    settle()
    window.set_settings_open(True)
    settle()
    return window


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_the_top_bar_keeps_every_part_whole_with_settings_open(open_app, size):
    window = open_full_window(open_app, size)
    assert (window.width(), window.height()) == size
    assert window.settings_scroll.isVisible()
    switches = [window.inspector.show_tokens, window.engine_button]
    assert all(switch.isVisible() and switch.accessibleName() and switch.toolTip() for switch in switches)
    assert bar_problems(window) == []
    assert cut_off(window) == []


def test_a_long_model_name_is_elided_and_whole_in_the_tooltip(open_app):
    long_name = "Phi-3.5-mini-instruct-onnx-cpu-int4-rtn-block-32-acc-level-4"
    window = open_full_window(open_app, (800, 600))
    window.picker.show_model(long_name)
    settle()
    button = window.picker.model_button
    assert button.text().startswith(long_name[:10]) and "…" in button.text()
    assert button.width() >= button.minimumSizeHint().width()
    assert long_name in button.toolTip() and long_name in button.accessibleDescription()
    window.resize(1800, 900)
    settle()
    assert button.text() == long_name + "  ▾"  # room again: the whole name


def test_switches_show_only_their_icons_when_narrow_and_their_labels_when_wide(open_app):
    window = open_full_window(open_app, (800, 600))
    engine = window.engine_button
    assert window.top_bar.compacted() >= 1 and engine.toolButtonStyle().name == "ToolButtonIconOnly"
    assert engine.accessibleName() == "Engine" and "this computer" in engine.toolTip()
    window.resize(1800, 900)
    settle()
    assert window.top_bar.compacted() == 0 and window.picker.models_button.isVisible()
    assert engine.toolButtonStyle().name == "ToolButtonTextBesideIcon"
    assert bar_problems(window) == []


SCALED = """
import sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
app.setStyle("Fusion")
sys.path.insert(0, {tests!r})
sys.path.insert(0, {support!r})
from app.gui import StartOptions, build_window
from layout_check import cut_off, settle, show_conversation
from test_top_bar_layout import MODEL, SIZES, bar_problems
window = build_window(StartOptions())
window.show()
show_conversation(window)
window.picker.show_model(MODEL)
problems = []
for size in SIZES:
    window.resize(*size)
    settle()
    window.set_settings_open(True)
    settle()
    problems += [f"{{size}}: {{problem}}" for problem in bar_problems(window) + cut_off(window)]
    if not window.settings_scroll.isVisible():
        problems.append(f"{{size}}: Reply settings folded")
print(app.devicePixelRatio(), problems)
window.close()
sys.exit(1 if problems or app.devicePixelRatio() != 2 else 0)
"""


def test_the_top_bar_keeps_every_part_whole_at_200_percent_scaling(tmp_path: Path):
    """QT_SCALE_FACTOR=2 is set before Qt starts, so this runs in a fresh process (with a home of its own)."""
    env = {**os.environ, "QT_SCALE_FACTOR": "2", "QT_QPA_PLATFORM": "offscreen", "LOCALCHAT_HOME": str(tmp_path)}
    tests = Path(__file__).resolve().parents[1]
    script = SCALED.format(tests=str(tests / "ui"), support=str(tests / "support"))
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120,
                            cwd=tests.parent)
    assert result.returncode == 0, result.stdout + result.stderr
