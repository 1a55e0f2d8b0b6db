"""A guard against a reference-count bug in PySide6 6.12: ``SignalInstance.emit`` returns ``True``
without taking a reference to it.

Every emit from Python then lowers ``True``'s reference count by one; after a few
thousand emits (a long chat streams many) CPython frees ``True`` and aborts with
"bool_dealloc: deallocating True or False".  ``guard_emit_refcount`` measures the loss
on a probe signal and, only when there is one, gives ``True`` enough extra references
to outlive any session (as CPython 3.12+ does by making it immortal).
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

PROBE_EMITS = 10
EXTRA_REFERENCES = 1 << 40


class _Probe(QObject):
    fired = Signal()


_guarded = False


def emit_loses_true() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(PROBE_EMITS):
        probe.fired.emit()
    lost = before - sys.getrefcount(True)
    ctypes.pythonapi.Py_IncRef.argtypes = [ctypes.py_object]
    for _ in range(max(0, lost)):  # give back what the probe took
        ctypes.pythonapi.Py_IncRef(True)
    return lost >= PROBE_EMITS


def guard_emit_refcount() -> None:
    """Call once at start-up, before the window emits signals (idempotent)."""
    global _guarded
    if _guarded or sys.implementation.name != "cpython" or not emit_loses_true():
        _guarded = True
        return
    ctypes.c_ssize_t.from_address(id(True)).value += EXTRA_REFERENCES
    _guarded = True
