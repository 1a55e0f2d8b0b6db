"""Render how LocalChat shows what models write: ``python -m app.devtools.markdown_showcase [--dark] OUT.png``.

One exchange in a real chat view: a question and a stored reply that uses every Markdown
feature the renderer handles (a thinking section that uses Markdown too, lists, a nested list, a task list, a table,
a quote, inline code, a code block, an image that is shown as its alt text and link).  The
reply is example text written by this script, not a model's answer; no model is loaded.
"""

from __future__ import annotations

import os
import sys

SHOWCASE_QUESTION = "Compare three sorting algorithms and show me a quick one in Python."

SHOWCASE_REPLY = """<think>
The user wants a **comparison**. Plan:

1. a table of the three, then the trade-offs
2. a short `quicksort` in Python

Keep it brief.
</think>

## Sorting, compared

Three classics, each with its trade-off:

| Algorithm | Average | Worst | Stable |
| :-- | :-: | :-: | --: |
| Quicksort | O(n log n) | O(n²) | no |
| Merge sort | O(n log n) | O(n log n) | yes |
| Insertion sort | O(n²) | O(n²) | yes |

- **Quicksort** partitions around a pivot
  - fast in practice
  - needs a good pivot
- **Merge sort** splits, sorts and merges
- **Insertion sort** wins on tiny inputs

1. Pick a pivot
2. Partition the list
3. Recurse on both sides

- [x] compare the algorithms
- [ ] benchmark them on your data

> Premature optimisation is the root of all evil.
> — Donald Knuth

Here is quicksort; call `quicksort(items)` on any list:

```python
def quicksort(items: list[int]) -> list[int]:
    \"\"\"Sort a list (not in place).\"\"\"
    if len(items) <= 1:
        return items
    pivot, *rest = items
    smaller = [x for x in rest if x < pivot]
    return quicksort(smaller) + [pivot] + quicksort([x for x in rest if x >= pivot])
```

![Diagram of a quicksort partition](https://example.com/quicksort.png)
"""


def render_showcase(out: str, dark: bool = False, width: int = 900, height: int = 840) -> None:
    """Grab a chat view holding the showcase exchange into ``out`` (needs no model)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from engine.runtime.record import ReplyRecord
    from ui.chat.chat_view import ChatView
    from ui.chat.conversation_model import ConversationTree
    from ui.shell.theme import DARK, LIGHT, apply_scheme, style_sheet

    app = QApplication.instance() or QApplication([])
    app.setStyle("Fusion")
    scheme = DARK if dark else LIGHT
    apply_scheme(app, scheme)
    app.setStyleSheet(style_sheet(scheme))
    tree = ConversationTree()
    tree.append("user", SHOWCASE_QUESTION)
    reply = tree.append("assistant", SHOWCASE_REPLY)
    reply.record = ReplyRecord(finish_reason="eos")
    view = ChatView()
    view.resize(width, height)
    view.show_welcome(False)
    view.show_path(tree.active_path())
    view.show()
    view.messages[-1].body.thinking.set_expanded(True)  # show the thinking section open, as after a click
    for _ in range(5):
        app.processEvents()
    view.scroll.verticalScrollBar().setValue(0)
    app.processEvents()
    view.grab().save(out)
    view.close()


def main(argv: list[str]) -> int:
    dark = "--dark" in argv
    paths = [arg for arg in argv if arg != "--dark"]
    if len(paths) != 1:
        print("usage: python -m app.devtools.markdown_showcase [--dark] OUT.png", file=sys.stderr)
        return 2
    render_showcase(paths[0], dark)
    print(f"wrote {paths[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
