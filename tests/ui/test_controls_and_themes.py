"""Controls say what they did, fit the window, and stay visible in every colour scheme."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QCheckBox, QWidget

from layout_check import settle, show_conversation
from ui.history.entry_delegate import NEEDLE_ROLE, SNIPPET_ROLE, highlighted_html, near_match
from ui.history.sidebar import SidebarEntry
from ui.shell.theme import DARK, HIGH_CONTRAST, LIGHT


TOOLTIPS = """
import sys
from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QGuiApplication, QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip, QWidget
app = QApplication([])
sys.path.insert(0, {support!r})
from layout_check import settle
from ui.engine_client import EngineClient
from ui.shell.main_window import MainWindow
window = MainWindow(EngineClient())
window.show()
window.resize(800, 600)
window.set_settings_open(True)
settle()
long_tips = [w for w in window.findChildren(QWidget) if len(w.toolTip()) > 100 and w.isVisible()]
widths = []
for widget in long_tips[:4]:
    at = QPoint(4, 4)
    QApplication.sendEvent(widget, QHelpEvent(QEvent.Type.ToolTip, at, widget.mapToGlobal(at)))
    settle()
    tip = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "qtooltip_label" and w.isVisible())
    widths.append(tip.width())
    QToolTip.hideText()
screen = QGuiApplication.primaryScreen().geometry().width()
print(screen, widths)
window.close()
sys.exit(0 if screen == 1920 and len(widths) >= 2 and max(widths) <= 420 else 1)
"""


def test_long_tooltips_wrap_inside_an_800_px_window(tmp_path: Path):
    """On a 1920-px screen (Qt only wraps a plain tooltip wider than the screen, and the offscreen screen is
    800 px unless told otherwise), so this runs in a fresh process."""
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "wide", "x": 0, "y": 0, "width": 1920, "height": 1080,
                                               "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}"}
    support = str(Path(__file__).resolve().parents[1] / "support")
    result = subprocess.run([sys.executable, "-c", TOOLTIPS.format(support=support)], env=env, capture_output=True,
                            text=True, timeout=120, cwd=Path(__file__).resolve().parents[2])
    assert result.returncode == 0, result.stdout + result.stderr  # the provider and settings explain at length


def test_copy_says_it_copied(window):
    show_conversation(window)
    reply = window.chat_view.messages[1]
    reply.copy_button.click()
    assert QGuiApplication.clipboard().text() == reply.node.content
    assert reply.copy_button.text() == "Copied ✓" and reply.copy_button.accessibleName() == "Copied to the clipboard"
    assert window.status.activity.text() == "Copied to the clipboard"
    reply._copied_timer.timeout.emit()  # the label goes back after a moment
    assert reply.copy_button.text() == "Copy"


def test_number_fields_sit_beside_the_sliders_and_agree_with_them(window):
    panel = window.settings_panel
    window.resize(1400, 900)
    window.set_settings_open(True)
    settle()
    for key, field in panel.fields.items():
        assert field.spin.isVisible() and field.slider.isVisible(), key
        spin, slider = (w.mapTo(window, w.rect().center()) for w in (field.spin, field.slider))
        assert abs(spin.y() - slider.y()) <= 2 * field.spin.height(), key  # right by its slider
    temperature = panel.fields["temperature"]
    temperature.spin.setValue(1.25)
    assert panel.settings().temperature == 1.25 and temperature.slider.value() == 25
    temperature.slider.setValue(4)
    assert temperature.spin.value() == 0.2
    tokens = panel.fields["max_new_tokens"]
    panel.set_context_length(4096)
    stops = [tokens._stops[i] for i in range(tokens.slider.maximum() + 1)]
    assert stops[:4] == [16, 32, 64, 128] and stops[-1] == 4096 and len(stops) < 20  # useful steps, not 1..4096
    tokens.spin.setValue(700)  # any value can be typed
    assert panel.settings().max_new_tokens == 700 and tokens._stops[tokens.slider.value()] == 768


def luminance_spread(widget: QWidget) -> float:
    """How different the darkest and lightest pixels of the widget's grab are (0..1)."""
    image = widget.grab().toImage()
    values = [QColor(image.pixel(x, y)).lightnessF() for x in range(0, image.width(), 1)
              for y in (0, image.height() // 2, image.height() - 1)]
    return max(values) - min(values)


def border_contrast(widget: QWidget) -> float:
    """How different the field's left edge is from its inside, halfway down (0..1): its border."""
    image = widget.grab().toImage()
    middle = image.height() // 2
    return abs(QColor(image.pixel(0, middle)).lightnessF() - QColor(image.pixel(4, middle)).lightnessF())


def test_inputs_and_unticked_checkboxes_are_visible_in_dark_and_high_contrast(window):
    panel = window.settings_panel
    fields = (window.sidebar.search_box, panel.fields["temperature"].spin, panel.theme_combo)
    for theme in ("dark", "high_contrast", "light"):
        panel.set_theme(theme)
        settle()
        window.sidebar.search_box.clear()
        for field in fields:
            assert border_contrast(field) > 0.15, (theme, field.accessibleName())  # a border you can see
        box = next(c for c in window.findChildren(QCheckBox) if not c.isChecked() and c.isVisible())
        box.setText("")
        assert luminance_spread(box) > 0.15, theme
        box.setText("Keep token choices")


def test_links_take_the_new_theme_s_colour_after_dark_then_light(window):
    show_conversation(window)
    window.settings_panel.set_theme("dark")
    settle()

    def link_colour() -> str:
        reply = window.chat_view.messages[1]
        reply.node.content = "See [the docs](https://example.org)."
        reply.render_final()
        view = reply.text_widgets()[0]
        block = view.document().begin()
        for fragment in (it.fragment() for it in _fragments(block)):
            if fragment.charFormat().isAnchor():
                brush = fragment.charFormat().foreground()
                return brush.color().name() if brush.style() else view.palette().color(QPalette.ColorRole.Link).name()
        raise AssertionError("no link rendered")

    assert link_colour() == QColor(DARK.link).name()
    window.settings_panel.set_theme("light")
    settle()
    reply = window.chat_view.messages[1]
    view = reply.text_widgets()[0]
    anchors = [it.fragment().charFormat() for it in _fragments(view.document().begin())
               if it.fragment().charFormat().isAnchor()]
    colours = {fmt.foreground().color().name() if fmt.foreground().style() else
               view.palette().color(QPalette.ColorRole.Link).name() for fmt in anchors}
    assert colours == {QColor(LIGHT.link).name()}


def _fragments(block):
    iterator = block.begin()
    while not iterator.atEnd():
        yield iterator
        iterator += 1


def test_high_contrast_is_black_and_white_with_strong_borders(window):
    window.settings_panel.set_theme("high_contrast")
    settle()
    palette = QApplication.palette()
    assert palette.color(QPalette.ColorRole.Base).name() == "#000000"
    assert palette.color(QPalette.ColorRole.Text).name() == "#ffffff"
    assert HIGH_CONTRAST.border_px == 2 and "2px solid #ffffff" in window.styleSheet()


def test_search_results_show_the_matching_text_with_the_match_marked(window):
    sidebar = window.sidebar
    sidebar.search_box.setText("lisbon")
    snippet = "…we could spend the second day in Lisbon's old town and then take the tram up…"
    sidebar.show_entries([SidebarEntry(1, "Trip plans", snippet), SidebarEntry(2, "Other")], current_id=None)
    item = sidebar.list.item(0)
    assert item.data(SNIPPET_ROLE) == snippet and item.data(NEEDLE_ROLE) == "lisbon"
    shown = near_match(snippet, "lisbon")
    assert shown.startswith("…") and shown.index("Lisbon") < 16  # the match is near the start, not cut off
    assert "<b><u>Lisbon</u></b>" in highlighted_html(shown, "lisbon")
    line = sidebar.list.fontMetrics().height()
    with_snippet = sidebar.list.visualItemRect(item).height()
    without = sidebar.list.visualItemRect(sidebar.list.item(1)).height()
    assert with_snippet >= without + line  # a second line for the matching text
    assert "Lisbon" in item.data(Qt.ItemDataRole.AccessibleTextRole)
    window.resize(1200, 800)
    settle()
    lines = ink_lines(window, sidebar.list.viewport(), sidebar.list.visualItemRect(item))
    assert len(lines) == 2, lines  # the title, then the matching text
    underline = 0.8 * sidebar.list.fontMetrics().horizontalAdvance("Lisbon")
    assert max(lines[1]) >= underline, lines  # a line under the match: the longest run of ink on any text row


def ink_lines(window, widget: QWidget, rect: QRect) -> list[list[int]]:
    """The lines of text drawn in ``rect`` of ``widget`` as the window shows it: for each, the longest run of
    ink (pixels far from the background) on each of its pixel rows."""
    image = window.grab(QRect(widget.mapTo(window, rect.topLeft()), rect.size())).toImage()
    background = QColor(image.pixel(1, 1)).lightnessF()
    lines, current = [], []
    for y in range(image.height()):
        longest = run = 0
        for x in range(image.width()):
            run = run + 1 if abs(QColor(image.pixel(x, y)).lightnessF() - background) > 0.25 else 0
            longest = max(longest, run)
        if longest:
            current.append(longest)
        elif current:
            lines.append(current)
            current = []
    return lines + ([current] if current else [])
