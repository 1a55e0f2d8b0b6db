"""Render the window in each state worth a look: ``python -m app.devtools.screenshot [OUT_DIR]``.

Writes into OUT_DIR (default ``resources/``):

* ``screenshot.png`` — light, 1280×800, mid-conversation;
* ``screenshot-dark.png`` and ``screenshot-high-contrast.png`` — the same in the other schemes;
* ``screenshot-800x600.png`` — the smallest common window (the settings panel folds away);
* ``screenshot-markdown.png`` — a Markdown showcase: a table, a Thinking section, a nested list, code and a quote
  in five replies smollm2 writes live (app/devtools/screenshot_showcase.py has the prompts, settings and seeds); skipped,
  with a sentence saying so, when ../shared/models/smollm2-135m-instruct is absent.

``--choices OUT.png`` renders instead the Token choices of a sampled reply (temperature 0.9, seed 11).

The live replies come from ../shared/models/smollm2-135m-instruct (greedy, so the same every run), else
stories260k, else a synthetic model built in a temporary folder.  LocalChat's home is a temporary folder,
so the user's own history and settings are never touched.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from app.devtools.dev_models import shared_model, synthetic_builder
from app.devtools.screenshot_showcase import store_showcase
from app.storage.store import ConversationStore, default_path

LIVE_PROMPT = "List three benefits of running AI models on your own computer, as a short numbered list."
SHOWCASE_SIZE = (1280, 1700)  # tall enough for the showcase's five questions and replies
OLDER_CHATS = ("What is a context window?", "Write a haiku about autumn rain",
               "Plan a three-day trip to Lisbon", "Explain top-p sampling simply")


def pick_model(name: str, workdir: str) -> tuple[str, str]:
    """A shared model and a prompt for it, or a synthetic one built in ``workdir``."""
    shared = shared_model(name)
    if shared is not None:
        return str(shared), "Once upon a time"
    return str(synthetic_builder()(Path(workdir) / "synthetic-chat", chat=True)), "Hi there"


def chat_model(workdir: str) -> tuple[str, str]:
    """(model folder, prompt): smollm2 when present, else what exists."""
    smollm2 = shared_model("smollm2-135m-instruct")
    if smollm2 is not None:
        return str(smollm2), LIVE_PROMPT
    return pick_model("stories260k", workdir)


def store_examples() -> int | None:
    """Earlier conversations for the sidebar (titles only), then the Markdown showcase written live by smollm2;
    returns the showcase's id, or None without smollm2."""
    smollm2 = shared_model("smollm2-135m-instruct")
    with ConversationStore(default_path()) as store:
        for question in OLDER_CHATS:
            store.add_user_message(store.create_conversation().id, question)
        return store_showcase(store, str(smollm2)) if smollm2 is not None else None


def render_choices(out: str) -> None:
    from engine.runtime.conversation import Message
    from engine.runtime.model import load_model
    from engine.runtime.session import ChatSession
    from engine.runtime.settings import SamplingSettings
    from ui.chat.token_choices import TokenChoicesDialog

    with tempfile.TemporaryDirectory() as workdir:
        model, prompt = pick_model("stories260k", workdir)
        session = ChatSession(load_model(model, "cpu"))
        reply = session.reply([Message("user", prompt)], SamplingSettings(temperature=0.9, seed=11, max_new_tokens=30),
                              explain=5)
        reply.text()
    dialog = TokenChoicesDialog(reply.steps)
    dialog.show()
    dialog.grab().save(out)


def wait_until(app, done: Callable[[], bool], timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        app.processEvents()
        time.sleep(0.01)


def settle(app) -> None:
    for _ in range(10):
        app.processEvents()
        time.sleep(0.005)


def render_states(out_dir: Path) -> list[Path]:
    from PySide6.QtWidgets import QApplication

    from app.gui import StartOptions, build_window
    from ui.chat.thinking_section import ThinkingSection

    app = QApplication.instance() or QApplication([])
    app.setStyle("Fusion")
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as workdir:
        os.environ["LOCALCHAT_HOME"] = str(Path(workdir) / "home")  # never the user's own history or settings
        showcase = store_examples()
        model, prompt = chat_model(workdir)
        window = build_window(StartOptions(temperature=0.0, max_tokens=200))
        window.resize(1280, 800)
        window.show()
        controller = window.controller
        failures: list[str] = []
        controller.failed.connect(lambda error: failures.append(error.user_message))

        def send(text: str) -> None:
            window.composer.input.setPlainText(text)
            window.composer.button.click()
            wait_until(app, lambda: not controller.generating or failures)

        window.load_model(model)
        wait_until(app, lambda: controller.model is not None or failures)
        window.sidebar.new_chat_requested.emit()
        send(prompt)
        if failures:
            raise RuntimeError(failures[0])

        def grab(name: str, theme: str, size: tuple[int, int], settings: bool = True) -> None:
            window.settings_panel.set_theme(theme)
            window.resize(*size)
            window.set_settings_open(settings)
            settle(app)
            path = out_dir / name
            window.grab().save(str(path))
            written.append(path)

        grab("screenshot.png", "light", (1280, 800))
        grab("screenshot-dark.png", "dark", (1280, 800))
        grab("screenshot-high-contrast.png", "high_contrast", (1280, 800))
        window.set_settings_open(False)
        grab("screenshot-800x600.png", "light", (800, 600), settings=False)
        if showcase is None:
            print("screenshot-markdown.png skipped: it needs ../shared/models/smollm2-135m-instruct.")
        else:
            window.sidebar.conversation_selected.emit(showcase)
            settle(app)
            for thinking in window.findChildren(ThinkingSection):
                thinking.set_expanded(True)
            grab("screenshot-markdown.png", "light", SHOWCASE_SIZE, settings=False)
        window.close()
    return written


def main(argv: list[str]) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if argv[:1] == ["--choices"]:
        if len(argv) != 2:
            print("usage: python -m app.devtools.screenshot --choices OUT.png", file=sys.stderr)
            return 2
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance() or QApplication([])
        app.setStyle("Fusion")
        render_choices(argv[1])
        print(f"wrote {argv[1]}")
        return 0
    if len(argv) > 1 or (argv and argv[0].startswith("-")):
        print("usage: python -m app.devtools.screenshot [OUT_DIR] | --choices OUT.png", file=sys.stderr)
        return 2
    out_dir = Path(argv[0] if argv else Path(__file__).resolve().parents[2] / "resources")
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in render_states(out_dir):
        print(f"wrote {path} ({path.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
