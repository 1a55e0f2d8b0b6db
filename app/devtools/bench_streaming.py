"""What showing a streaming reply costs, a chunk at a time: ``python -m app.devtools.bench_streaming``.

The same chunks (``streamed_reply``: prose, lists and fenced code, ~40 characters each, cut
anywhere) go, in lockstep (each chunk into one side, then into the other), into

- LocalChat: a chat view the size of the window's chat area at its default size, holding a
  question and the reply being written, through the path the window's controller takes on each
  flush (``ChatController._flush``: the reply's text grows, ``MessageWidget.append_text``), with
  the window's style sheet; after each chunk the events the window's loop would run before the
  next flush (the streaming view's new height, the column's layout, following the end, the
  paint);
- the baseline: the cheapest Qt way to show the same text as it grows, a ``QTextCursor.insertText``
  of each chunk at the end of a plain document in a ``QTextBrowser`` of the same size, scrolled to
  its end, with the same event processing.

The time-driven parts of a flush (the status bar five times a second, saving the reply once a
second) run by the clock, not per chunk, and are left out.  Printed: the cost of a chunk for
each length of reply (the median of the runs), LocalChat / baseline, and the growth from the
shortest reply to the longest, which should stay near 1: a chunk costs what its own text costs.
Then the one Markdown render when the reply ends (``render_final``, with its layout and paint)
against Qt's own ``QTextDocument.setMarkdown`` of the same text in the baseline's view.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from dataclasses import dataclass, field

from app.devtools.streamed_reply import ReplyShape, make_chunks, shape

CHUNKS = (350, 1400, 5600)
REPEATS = 5
VIEW_SIZE = (620, 616)  # the chat area of the window at its default 1,180 × 760
QUESTION = "How do I write a function that cleans up a list in Python? Show me a few ways."
GROWTH_TARGET = 1.5
RATIO_TARGET = 4.0  # measured 3.8 on 12-02; README says where the rest goes
US, MS = 1e6, 1e3
MAX_PASSES = 50  # of the event loop per settle; a chunk needs up to seven


@dataclass
class Run:
    """One reply streamed once into one side: seconds for all its chunks, seconds for the final render,
    and the text the view showed when the last chunk was in."""

    streaming_s: float
    final_s: float
    shown: str


@dataclass
class Length:
    shape: ReplyShape
    localchat: list[Run] = field(default_factory=list)
    baseline: list[Run] = field(default_factory=list)

    def per_chunk_us(self, side: str) -> float:
        return statistics.median(run.streaming_s for run in getattr(self, side)) / self.shape.chunks * US

    def final_ms(self, side: str) -> float:
        return statistics.median(run.final_s for run in getattr(self, side)) * MS

    def ratios(self, what: str) -> list[float]:
        """LocalChat / baseline for each run (both sides ran in it)."""
        return [getattr(mine, what) / getattr(theirs, what) for mine, theirs in zip(self.localchat, self.baseline)]


def settle() -> None:
    """Run what the event loop would run before the next flush, to the end: the posted layout requests, the
    resizes and scrolls they cause, the queued calls and the paints.  A fixed number of passes is not enough:
    the chat's chain of layouts needs up to seven, and what is left over would be timed on the other side."""
    from PySide6.QtCore import QAbstractEventDispatcher, QEventLoop

    dispatcher = QAbstractEventDispatcher.instance()
    for _ in range(MAX_PASSES):
        if not dispatcher.processEvents(QEventLoop.ProcessEventsFlag.AllEvents):
            return


class ChatSide:
    """LocalChat: the reply's widget in a chat view, fed as the controller's flush feeds it."""

    def __init__(self) -> None:
        from ui.chat.chat_view import ChatView
        from ui.chat.conversation_model import ConversationTree

        tree = ConversationTree()
        tree.append("user", QUESTION)
        self.reply = tree.append("assistant")
        self.view = ChatView()
        self.view.resize(*VIEW_SIZE)
        self.view.show_welcome(False)
        self.view.show_path(tree.active_path())
        self.view.show()
        self.widget = self.view.messages[-1]

    def append(self, chunk: str) -> None:
        self.reply.content += chunk
        self.widget.append_text(chunk)

    def shown(self) -> str:
        return self.widget.body.shown_text()

    def render_final(self) -> None:
        from engine.runtime.record import ReplyRecord

        self.reply.record = ReplyRecord(finish_reason="eos")
        self.widget.render_final()


class PlainSide:
    """The baseline: each chunk inserted at the end of a plain document in a QTextBrowser that follows the end."""

    def __init__(self) -> None:
        from PySide6.QtGui import QTextCursor
        from PySide6.QtWidgets import QTextBrowser

        self.view = QTextBrowser()
        self.view.resize(*VIEW_SIZE)
        self.document = self.view.document()
        self.document.setUndoRedoEnabled(False)
        self.view.show()
        self.cursor = QTextCursor(self.document)
        self.bar = self.view.verticalScrollBar()

    def append(self, chunk: str) -> None:
        self.cursor.insertText(chunk)
        self.bar.setValue(self.bar.maximum())

    def shown(self) -> str:
        return self.view.toPlainText()

    def render_final(self) -> None:
        from PySide6.QtGui import QTextDocument

        self.document.setMarkdown(self.shown(), QTextDocument.MarkdownFeature.MarkdownDialectGitHub)
        self.document.size()  # laid out to its end, as the chat's views are (each is as tall as its text)


def stream(chunks: list[str]) -> tuple[Run, Run]:
    """The reply streamed into both sides in lockstep (each chunk into one, then the other, each side's time
    summed), so a burst of load from elsewhere on the machine falls on both; then each side's final render."""
    sides = [ChatSide(), PlainSide()]
    settle()
    gc.collect()
    streaming = [0.0, 0.0]
    for chunk in chunks:
        for index, side in enumerate(sides):
            started = time.perf_counter()
            side.append(chunk)
            settle()
            streaming[index] += time.perf_counter() - started
    runs = []
    for side, seconds in zip(sides, streaming):
        shown = side.shown()
        started = time.perf_counter()
        side.render_final()
        settle()
        runs.append(Run(seconds, time.perf_counter() - started, shown))
        close(side.view)
    return runs[0], runs[1]


def close(widget) -> None:
    from PySide6.QtCore import QCoreApplication, QEvent

    widget.close()
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    settle()


def measure(counts: tuple[int, ...], repeats: int) -> list[Length]:
    """Every length, ``repeats`` times (after a short run to warm up); each round runs every length, so a change
    of load on the machine during the run falls on all of them and not only on the longest (the growth)."""
    replies = [make_chunks(count) for count in counts]
    lengths = [Length(shape(chunks)) for chunks in replies]
    stream(replies[0][:50])
    for _ in range(repeats):
        for length, chunks in zip(lengths, replies):
            localchat, baseline = stream(chunks)
            length.localchat.append(localchat)
            length.baseline.append(baseline)
    return lengths


def _spread(ratios: list[float]) -> str:
    return f"{statistics.median(ratios):6.2f} ({min(ratios):.2f}-{max(ratios):.2f})"


def report(lengths: list[Length], repeats: int) -> list[str]:
    lines = [f"Streaming a reply into the chat view ({VIEW_SIZE[0]} × {VIEW_SIZE[1]}) and into a plain QTextBrowser "
             f"of the same size; chunks of 20-60 characters; medians of {repeats} runs, ratios against the baseline "
             "measured in this run (lowest-highest of the runs in brackets)"]
    for length in lengths:
        reply = length.shape
        lines += [f"  reply of {reply.chunks:,} chunks ({reply.characters:,} characters, {reply.code_blocks} code "
                  f"blocks; {reply.split_lines:,} chunks end inside a line, {reply.split_fences} inside a fence line)",
                  f"    LocalChat                          {length.per_chunk_us('localchat'):9.1f} µs a chunk",
                  f"    QTextCursor.insertText             {length.per_chunk_us('baseline'):9.1f} µs a chunk",
                  f"    LocalChat / baseline (<= {RATIO_TARGET:g})       {_spread(length.ratios('streaming_s'))}"]
    shortest, longest = lengths[0], lengths[-1]
    lines.append(f"  growth, per-chunk cost of the {longest.shape.chunks:,}-chunk reply / the "
                 f"{shortest.shape.chunks:,}-chunk one (target <= {GROWTH_TARGET:g})")
    for side, name in (("localchat", "LocalChat"), ("baseline", "baseline")):
        growth = longest.per_chunk_us(side) / shortest.per_chunk_us(side)
        lines.append(f"    {name:<34} {growth:6.2f}")
    lines.append("  the final render, once, when the reply ends (Markdown, layout, paint)")
    for length in lengths:
        lines += [f"    {length.shape.chunks:,} chunks: LocalChat {length.final_ms('localchat'):8.1f} ms, "
                  f"Qt's setMarkdown {length.final_ms('baseline'):8.1f} ms, ratio {_spread(length.ratios('final_s'))}"]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chunks", type=int, nargs="+", default=list(CHUNKS), help="reply lengths, in chunks")
    parser.add_argument("--repeats", type=int, default=REPEATS, help="runs per length and side (the median is shown)")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from ui.shell.theme import LIGHT, apply_scheme, style_sheet

    app = QApplication.instance() or QApplication([])
    app.setStyle("Fusion")
    apply_scheme(app, LIGHT)
    app.setStyleSheet(style_sheet(LIGHT))
    print("\n".join(report(measure(tuple(args.chunks), args.repeats), args.repeats)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
