"""What one long reply costs the window: opening it, and scrolling through it (part of ``app.devtools.bench_ui``).

1. Open: the window starting on (reopening) a conversation whose reply is 2 MB, against the
   same start with a one-line reply, measured in the same run; until the window is painted.
   Four kinds of 2 MB text: prose paragraphs, a log (one entry a line), one fenced code
   block, and one unbroken "word" (a hash, base64): the case that was quadratic.
   For reference, Qt's own ``QTextDocument.setMarkdown`` + layout on the same texts (what
   replies used before), at 200 kB, which is the most it does in a reasonable time.
2. Scroll: a 10,000-line reply scrolled through a page at a time, each step painted at once
   (``repaint``); per-frame time against the same for a one-screen reply.  Smooth means
   every frame well under 16 ms.

Run alone: ``python -m app.devtools.bench_render``.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from typing import Iterator

from PySide6.QtWidgets import QApplication

SIZE = 2_000_000
LINES = 10_000

KINDS = {
    "prose": "A model writes paragraphs like this one, with **bold** words, `inline code` and a [link](https://e.x)"
             " now and then; each runs for a few lines before a blank line.\n\n",
    "log lines": "2026-12-01 21:40:07.123 INFO engine.session step=1234 tokens=56 elapsed_ms=7.8 ok\n",
    "code block": None,  # one fence around log lines
    "one long word": "x",
}


def make_text(kind: str, size: int = SIZE) -> str:
    if kind == "code block":
        body = make_text("log lines", size - 8)
        return f"```\n{body}\n```"
    unit = KINDS[kind]
    return (unit * (size // len(unit) + 1))[:size]


def store_reply(text: str) -> None:
    from app.storage.store import ConversationStore, default_path

    with ConversationStore(default_path()) as store:
        conversation = store.create_conversation().id
        store.add_user_message(conversation, "Show me the whole thing.")
        reply = store.start_reply(conversation, model="bench", provider="cpu", settings={})
        store.finish_reply(reply.id, status="done", content=text, stats={"finish_reason": "eos"})


@contextmanager
def reopened(app: QApplication, text: str) -> Iterator:
    """A window started on a stored conversation whose reply is ``text``, painted once; closed afterwards."""
    from app.gui import StartOptions, build_window

    with tempfile.TemporaryDirectory() as home:
        os.environ["LOCALCHAT_HOME"] = home
        store_reply(text)
        window = build_window(StartOptions())
        window.resize(1100, 760)
        window.show()
        window.chat_view.show_welcome(False)
        for _ in range(3):
            app.processEvents()
        window.grab()
        try:
            yield window
        finally:
            window.close()
            window.deleteLater()
            app.processEvents()


def open_ms(app: QApplication, text: str) -> float:
    """Milliseconds from building the window (which reopens the stored reply) to its first full paint."""
    started = time.perf_counter()
    with reopened(app, text):
        elapsed = (time.perf_counter() - started) * 1000
    return elapsed


def qt_markdown_ms(text: str) -> float:
    """The previous way: Qt's Markdown importer and layout at the chat's width."""
    from PySide6.QtGui import QTextDocument

    document = QTextDocument()
    document.setTextWidth(720)
    started = time.perf_counter()
    document.setMarkdown(text, QTextDocument.MarkdownFeature.MarkdownDialectGitHub)
    document.size()
    return (time.perf_counter() - started) * 1000


def measure_open(app: QApplication, runs: int = 3) -> None:
    baseline = statistics.median(open_ms(app, "A short reply.") for _ in range(runs))
    print(f"Opening a conversation with one long reply (window start to first paint; a one-line reply: "
          f"{baseline:.0f} ms; median of {runs}):")
    for kind in KINDS:
        text = make_text(kind)
        opened = statistics.median(open_ms(app, text) for _ in range(runs))
        before = qt_markdown_ms(make_text(kind, 200_000))
        print(f"  {kind:<14} {len(text) / 1e6:.1f} MB: {opened - baseline:6.0f} ms more than the one-line reply "
              f"(target < 1000); Qt's setMarkdown on 200 kB of it: {before:6.0f} ms")


def frame_times(app: QApplication, text: str) -> list[float]:
    """Scroll from top to bottom a page at a time; milliseconds each step takes to paint."""
    with reopened(app, text) as window:
        scroll = window.chat_view.scroll
        bar, viewport = scroll.verticalScrollBar(), scroll.viewport()
        times, value = [], 0
        bar.setValue(0)
        viewport.repaint()
        while True:
            value = min(value + viewport.height() // 2, bar.maximum())
            started = time.perf_counter()
            bar.setValue(value)
            viewport.repaint()
            times.append((time.perf_counter() - started) * 1000)
            if value >= bar.maximum():
                break
    return times


def measure_scroll(app: QApplication) -> None:
    short = frame_times(app, "\n".join(f"line {i}" for i in range(20)))
    print(f"Scrolling a {LINES:,}-line reply half a page a step, each step painted at once "
          f"(a one-screen reply: {statistics.median(short):.1f} ms a frame):")
    for kind, text in (("log lines", "\n".join(f"12:00:{i % 60:02d} INFO step {i} of the run" for i in range(LINES))),
                       ("code block", "```text\n" + "\n".join(f"line {i} = value({i})" for i in range(LINES)) +
                        "\n```")):
        times = frame_times(app, text)
        print(f"  {kind:<11} {len(times)} frames: median {statistics.median(times):.1f} ms, "
              f"slowest {max(times):.1f} ms (smooth: under 16 ms)")


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication([])
    app.setStyle("Fusion")
    measure_open(app)
    measure_scroll(app)
    return 0


if __name__ == "__main__":
    sys.exit(main())
