"""How the window holds up while the engine works: ``python -m app.devtools.bench_ui``.

1. GUI stall: a 10 ms QTimer ticks on the GUI thread while the window loads a model,
   prefills a long prompt and streams a reply; the largest gap between ticks, minus
   10 ms, is the longest the window could not respond (target: under 20 ms).
2. Streaming throughput against the engine alone (ChatSession in this process) on the
   same model and settings, greedy; the ratio should be at least 0.95.  Two figures:
   while streaming (tokens arriving on the GUI thread, from the first chunk to the last,
   against the engine's decode rate), and end to end (send to reply_finished, which adds
   the window's fixed cost per reply: saving the message, building its widgets, the
   final Markdown render).
3. Opening history: the window starting on (reopening) a stored conversation of 1,000
   messages, against starting with no history, in a temporary LOCALCHAT_HOME; target
   under 300 ms more than the empty start.
4. One long reply (``app/devtools/bench_render.py``): opening a 2 MB reply (target under
   1 s more than a one-line reply) and scrolling through a 10,000-line one (frame times).
   ``--render`` runs only this part.

Uses ../shared/models/stories260k(-slow) when present, else synthetic models.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from app.devtools import bench_render
from app.devtools.dev_models import shared_model, synthetic_builder
from app.gui import StartOptions, build_window
from engine.runtime.conversation import Message
from engine.runtime.settings import SamplingSettings

TICK_MS = 10
RUNS = 9


def model_or_synthetic(name: str, workdir: str, slow: bool) -> Path:
    return shared_model(name) or synthetic_builder()(Path(workdir) / name, chat=False, context_length=4096,
                                                     slow_matmuls=6 if slow else 0)


def wait_for(window, signal, timeout_s: float = 120) -> list:
    """Run the event loop until ``signal`` fires and return its arguments; raise if the window shows an error."""
    loop, got, errors = QEventLoop(), [], []

    def on_signal(*args) -> None:
        got.extend(args)
        loop.quit()

    def on_failed(error) -> None:
        errors.append(error)
        loop.quit()

    signal.connect(on_signal)
    window.controller.failed.connect(on_failed)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    signal.disconnect(on_signal)
    window.controller.failed.disconnect(on_failed)
    if errors:
        raise RuntimeError(errors[0].user_message)
    if not got:
        raise TimeoutError(f"timed out after {timeout_s} s")
    return got


def measure_stall(window, model: Path) -> dict:
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(TICK_MS)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    controller = window.controller
    timer.start()
    phases = {}
    for phase, action, signal in (
            ("load", lambda: window.load_model(str(model)), controller.model_changed),
            ("prefill + stream", lambda: controller.send("Once upon a time there was a big dog. " * 25),
             controller.reply_finished)):
        start = len(ticks)
        action()
        got = wait_for(window, signal)
        gaps = [b - a for a, b in zip(ticks[start:], ticks[start + 1:])]
        phases[phase] = (max(gaps) * 1000 - TICK_MS if gaps else float("nan"), len(gaps))
        if phase != "load":
            phases["record"] = got[1]
    timer.stop()
    return phases


def ui_throughput(window, model: Path, settings: SamplingSettings, prompt: str,
                  runs: int) -> tuple[list[tuple[int, float]], list[float]]:
    """(tokens, seconds) from send to reply_finished, and tokens/s from the first chunk to the last, per run."""
    controller = window.controller
    window.load_model(str(model))
    wait_for(window, controller.model_changed)
    window.settings_panel.apply(settings)
    arrivals: list[tuple[float, int]] = []
    window.client.tokens_counted.connect(lambda _prompt, generated: arrivals.append((time.perf_counter(), generated)))
    totals, streaming = [], []
    for _ in range(runs + 1):  # the first run warms up the engine process
        controller.new_chat()
        arrivals.clear()
        started = time.perf_counter()
        controller.send(prompt)
        _node, record = wait_for(window, controller.reply_finished)
        finished = time.perf_counter()
        totals.append((record.generated_tokens, finished - started))
        (first_at, first_tokens), (last_at, last_tokens) = arrivals[0], arrivals[-1]
        streaming.append((last_tokens - first_tokens) / (last_at - first_at))
    return totals[1:], streaming[1:]


def engine_throughput(model: Path, settings: SamplingSettings, prompt: str,
                      runs: int) -> tuple[list[tuple[int, float]], list[float]]:
    from engine.runtime.model import load_model
    from engine.runtime.session import ChatSession

    session = ChatSession(load_model(model))
    totals, decode = [], []
    for _ in range(runs + 1):
        started = time.perf_counter()
        reply = session.reply([Message("user", prompt)], settings)
        for _text in reply:
            pass
        totals.append((reply.record.generated_tokens, time.perf_counter() - started))
        decode.append(reply.record.decode_tokens_per_s)
    return totals[1:], decode[1:]


def compare(window, model: Path, settings: SamplingSettings, prompt: str, runs: int) -> None:
    ui, ui_streaming = ui_throughput(window, model, settings, prompt, runs)
    engine, engine_decode = engine_throughput(model, settings, prompt, runs)
    ui_rate = statistics.median(tokens / seconds for tokens, seconds in ui)
    engine_rate = statistics.median(tokens / seconds for tokens, seconds in engine)
    streaming, decode = statistics.median(ui_streaming), statistics.median(engine_decode)
    overhead_ms = (statistics.median(s for _, s in ui) - statistics.median(s for _, s in engine)) * 1000
    print(f"Streaming throughput on {model.name}, greedy, max {settings.max_new_tokens} tokens, "
          f"{ui[0][0]} tokens a reply, median of {runs}:")
    print(f"  while streaming: window {streaming:8.1f} tokens/s, engine decode {decode:8.1f} tokens/s, "
          f"ratio {streaming / decode:.3f}")
    print(f"  end to end:      window {ui_rate:8.1f} tokens/s, engine alone  {engine_rate:8.1f} tokens/s, "
          f"ratio {ui_rate / engine_rate:.3f}; the window adds {overhead_ms:.1f} ms a reply")


def window_start_ms(app: QApplication) -> float:
    started = time.perf_counter()
    window = build_window(StartOptions())
    window.show()
    app.processEvents()
    elapsed = (time.perf_counter() - started) * 1000
    window.close()
    return elapsed


def measure_history_open(app: QApplication, messages: int = 1000, runs: int = 5) -> None:
    from app.devtools.bench_store import build_long_conversation
    from app.storage.store import ConversationStore, default_path

    with tempfile.TemporaryDirectory() as home:
        os.environ["LOCALCHAT_HOME"] = home
        empty = statistics.median(window_start_ms(app) for _ in range(runs))
    with tempfile.TemporaryDirectory() as home:
        os.environ["LOCALCHAT_HOME"] = home
        with ConversationStore(default_path()) as store:
            build_long_conversation(store, messages)
        long = statistics.median(window_start_ms(app) for _ in range(runs))
    print(f"Window start, median of {runs}: {empty:.0f} ms with no history, {long:.0f} ms reopening a "
          f"{messages}-message conversation: {long - empty:.0f} ms for the conversation (target < 300 ms)")


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication([])  # noqa: F841 - must outlive the window
    if "--render" in sys.argv[1:]:
        return bench_render.main()
    prompt = "Once upon a time"
    with tempfile.TemporaryDirectory() as workdir:
        os.environ["LOCALCHAT_HOME"] = str(Path(workdir) / "home")  # never the user's own history or settings
        slow = model_or_synthetic("stories260k-slow", workdir, slow=True)
        fast = model_or_synthetic("stories260k", workdir, slow=False)
        window = build_window(StartOptions(temperature=0.0, max_tokens=200))
        window.show()
        try:
            phases = measure_stall(window, slow)
            record = phases.pop("record")
            print(f"GUI stall on {slow.name} (largest gap between {TICK_MS} ms ticks, minus {TICK_MS} ms):")
            for phase, (stall, ticks) in phases.items():
                print(f"  {phase:<17} {stall:6.1f} ms over {ticks} ticks")
            print(f"  (prompt {record.prompt_tokens} tokens, reply {record.generated_tokens} tokens, "
                  f"{record.decode_tokens_per_s:.0f} tokens/s)")
            compare(window, fast, SamplingSettings(temperature=0.0, max_new_tokens=400), prompt, RUNS)
            compare(window, slow, SamplingSettings(temperature=0.0, max_new_tokens=100), prompt, 2)
        finally:
            window.close()
    measure_history_open(app)
    bench_render.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
