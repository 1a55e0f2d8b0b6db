"""Render the window mid-conversation to a PNG: ``python -m app.devtools.screenshot [--dark] OUT.png``.

``--choices`` renders instead the Token choices of a sampled reply (temperature 0.9, seed 11).

Uses ../shared/models/stories260k when present, else a synthetic model built in a
temporary folder.  LocalChat's home is a temporary folder holding a few stored
conversations; the latest (with a code block) is reopened from history as at any
start, and its second exchange is a real reply from the model.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from app.devtools.dev_models import shared_model, synthetic_builder
from app.storage.store import ConversationStore, default_path


EXAMPLE_REPLY = """Sure. Here is a function that reverses the **words** of a sentence:

```python
def reverse_words(text: str) -> str:
    # split on whitespace, reverse, join again
    return " ".join(reversed(text.split()))
```

For example, `reverse_words("hello big world")` gives `"world big hello"`."""


def pick_model(name: str, workdir: str) -> tuple[str, str]:
    """A shared model and a prompt for it, or a synthetic one built in ``workdir``."""
    shared = shared_model(name)
    if shared is not None:
        return str(shared), "Once upon a time"
    return str(synthetic_builder()(Path(workdir) / "synthetic-chat", chat=True)), "Hi there"


OLDER_CHATS = ("What is a context window?", "Write a haiku about autumn rain",
               "Plan a three-day trip to Lisbon", "Explain top-p sampling simply")


def store_examples() -> None:
    """A few earlier conversations for the sidebar, and the one the window reopens.

    The first exchange is example text stored by this script to show Markdown and code rendering
    (stories260k writes only children's stories); the README says so under the picture.
    """
    with ConversationStore(default_path()) as store:
        for question in OLDER_CHATS:
            store.add_user_message(store.create_conversation().id, question)
        conversation = store.create_conversation().id
        store.add_user_message(conversation, "How do I reverse the words in a sentence in Python?")
        reply = store.start_reply(conversation, model="example text written by this script", provider="cpu",
                                  settings={})
        store.finish_reply(reply.id, status="done", content=EXAMPLE_REPLY, stats={"finish_reason": "eos"})


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


def main(argv: list[str]) -> int:
    dark, choices = "--dark" in argv, "--choices" in argv
    argv = [arg for arg in argv if arg not in ("--dark", "--choices")]
    if len(argv) != 1:
        print("usage: python -m app.devtools.screenshot [--dark | --choices] OUT.png", file=sys.stderr)
        return 2
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.gui import StartOptions, build_window
    from ui.shell.theme import use_dark_palette

    app = QApplication.instance() or QApplication([])
    app.setStyle("Fusion")
    if dark:  # what a user with a dark desktop theme sees (the offscreen platform has no colour scheme)
        use_dark_palette(app, True)
    if choices:
        render_choices(argv[0])
        print(f"wrote {argv[0]}")
        return 0
    with tempfile.TemporaryDirectory() as workdir:
        os.environ["LOCALCHAT_HOME"] = str(Path(workdir) / "home")  # never the user's own history or settings
        store_examples()
        model, prompt = pick_model("stories260k", workdir)
        window = build_window(StartOptions(temperature=0.0, max_tokens=60))
        window.resize(1200, 760)
        window.show()
        controller = window.controller
        controller.model_changed.connect(lambda _info: controller.send(prompt))
        controller.reply_finished.connect(lambda *_: QTimer.singleShot(300, app.quit))
        controller.failed.connect(lambda error: (print(error.user_message, file=sys.stderr), app.quit()))
        window.load_model(model)
        QTimer.singleShot(30000, app.quit)
        app.exec()
        window.grab().save(argv[0])
        window.close()
    print(f"wrote {argv[0]} ({Path(argv[0]).stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
