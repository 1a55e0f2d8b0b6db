"""LocalChat's log file: where the detail behind every plain sentence goes (``<log_dir>/localchat.log``).

Handlers hang on LocalChat's own loggers (and huggingface_hub's), not on the root logger, so a
command that configures the root for itself (``serve``) keeps doing so.  A folder that can't be
written gives no log rather than an error.
"""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

from app import paths

LOG_NAME = "localchat.log"
LOGGERS = ("app", "engine", "ui", "huggingface_hub")
_started: Path | None = None


def start_logging() -> Path | None:
    """Send LocalChat's log records to the log file (once per process); return its path, or None."""
    global _started
    if _started is not None:
        return _started
    handler: logging.Handler
    path: Path | None = paths.log_dir() / LOG_NAME
    try:
        paths.ensure(path.parent)
        handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=2, encoding="utf-8")
    except OSError:
        handler, path = logging.NullHandler(), None  # a read-only or full disk: the app still runs
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    _started = path or Path()
    return path
