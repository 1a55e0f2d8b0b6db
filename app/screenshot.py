"""Render the window mid-conversation to a PNG: ``python -m app.screenshot [--dark] OUT.png``.

Uses ../shared/models/stories260k when present, else a synthetic model built in a
temporary folder.  The first exchange (with a code block) is restored as if from
history; the second is a real reply from the model.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from engine.record import ReplyRecord
from ui.conversation_model import ConversationTree

ROOT = Path(__file__).resolve().parents[1]
SHARED_MODELS = ROOT.parent / "shared" / "models"

EXAMPLE_REPLY = """Sure. Here is a function that reverses the **words** of a sentence:

```python
def reverse_words(text: str) -> str:
    # split on whitespace, reverse, join again
    return " ".join(reversed(text.split()))
```

For example, `reverse_words("hello big world")` gives `"world big hello"`."""


def pick_model(name: str, workdir: str) -> tuple[str, str]:
    """A shared model and a prompt for it, or a synthetic one built in ``workdir``."""
    shared = SHARED_MODELS / name
    if (shared / "genai_config.json").exists():
        return str(shared), "Once upon a time"
    sys.path.insert(0, str(ROOT / "tests" / "support"))
    from synthetic_model import build_synthetic_model

    return str(build_synthetic_model(Path(workdir) / "synthetic-chat", chat=True)), "Hi there"


def example_conversation() -> ConversationTree:
    tree = ConversationTree()
    tree.append("user", "How do I reverse the words in a sentence in Python?")
    tree.append("assistant", EXAMPLE_REPLY).record = ReplyRecord(finish_reason="eos")
    return tree


def main(argv: list[str]) -> int:
    dark = "--dark" in argv
    argv = [arg for arg in argv if arg != "--dark"]
    if len(argv) != 1:
        print("usage: python -m app.screenshot [--dark] OUT.png", file=sys.stderr)
        return 2
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.gui import StartOptions, build_window
    from ui.theme import use_dark_palette

    app = QApplication.instance() or QApplication([])
    app.setStyle("Fusion")
    if dark:  # what a user with a dark desktop theme sees (the offscreen platform has no colour scheme)
        use_dark_palette(app, True)
    with tempfile.TemporaryDirectory() as workdir:
        model, prompt = pick_model("stories260k", workdir)
        window = build_window(StartOptions(temperature=0.0, max_tokens=60))
        window.resize(1100, 760)
        window.show()
        controller = window.controller
        controller.model_changed.connect(lambda _info: (controller.open_conversation(example_conversation()),
                                                        controller.send(prompt)))
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
