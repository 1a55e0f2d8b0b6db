"""One download of a model at a time, across processes (the window and the CLI, two terminals).

The lock is a file created exclusively, holding the owner's pid and refreshed while the download
moves.  A lock whose owner is gone (killed, crashed, the machine restarted) or that has not been
refreshed for ``STALE_SECONDS`` (the pid was reused by another program) is taken over.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from engine.errors import LocalChatError

STALE_SECONDS = 300.0
HEARTBEAT_SECONDS = 10.0


class DownloadInProgress(LocalChatError):
    pass


class DownloadLock:
    def __init__(self, path: Path, what: str) -> None:
        self.path, self.what = path, what
        self._touched = 0.0

    def __enter__(self) -> DownloadLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                owner = _owner(self.path)
                if owner is not None and _alive(owner) and not _stale(self.path):
                    raise DownloadInProgress(
                        f"{self.what} is already being downloaded by another LocalChat (process {owner}); "
                        "wait for it to finish or cancel it there.", str(self.path)) from None
                self.path.unlink(missing_ok=True)  # left by a LocalChat that is gone: take it over
                continue
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({"pid": os.getpid()}, f)
            self._touched = time.monotonic()
            return self
        raise DownloadInProgress(f"{self.what} is being downloaded by another LocalChat right now; try again.",
                                 str(self.path))

    def heartbeat(self) -> None:
        """Tell other processes the owner is still at work (cheap; call it as often as you like)."""
        now = time.monotonic()
        if now - self._touched >= HEARTBEAT_SECONDS:
            self._touched = now
            try:
                os.utime(self.path)
            except OSError:
                pass

    def __exit__(self, *exc_info: object) -> None:
        if _owner(self.path) == os.getpid():
            self.path.unlink(missing_ok=True)


def _owner(path: Path) -> int | None:
    try:
        pid = json.loads(path.read_text(encoding="utf-8")).get("pid")
    except (OSError, ValueError, AttributeError):
        return None  # half-written or damaged: nobody can be relying on it
    return pid if isinstance(pid, int) and pid > 0 else None


def _stale(path: Path) -> bool:
    try:
        return time.time() - path.stat().st_mtime > STALE_SECONDS
    except OSError:
        return True


def _alive(pid: int) -> bool:
    if sys.platform == "win32":
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        ctypes.windll.kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        ctypes.windll.kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True
