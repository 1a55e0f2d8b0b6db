"""The installed Qt binding does not leak a reference to ``True`` on every signal emit.

PySide6 6.12.0 does: after a few thousand emits (one long streamed reply) CPython frees
``True`` and aborts.  pyproject.toml excludes that release; this test catches a relapse.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    fired = Signal()
    text = Signal(str)


def test_emit_keeps_references_to_true():
    emitter = _Emitter()
    before = sys.getrefcount(True)
    for _ in range(200):
        emitter.fired.emit()
        emitter.text.emit("token")
    assert sys.getrefcount(True) >= before
