"""The log file gets the detail behind the sentences; library warnings go there, not to the terminal."""

from __future__ import annotations

import logging

import pytest

from app import logs, paths


def test_records_go_to_the_log_file_not_the_terminal(monkeypatch: pytest.MonkeyPatch,
                                                     capfd: pytest.CaptureFixture) -> None:
    from engine.models import download

    download._hub()  # huggingface_hub imported, its own terminal handler taken off
    monkeypatch.setattr(logs, "_started", None)
    handlers = {name: list(logging.getLogger(name).handlers) for name in logs.LOGGERS}
    try:
        path = logs.start_logging()
        assert path == paths.log_dir() / logs.LOG_NAME
        logging.getLogger("huggingface_hub.file_download").warning("Trying to resume download...")
        logging.getLogger("app.storage.rows").warning("stored message 3 repaired on reading")
        for handler in logging.getLogger("app").handlers:
            handler.flush()
        text = path.read_text(encoding="utf-8")
        assert "Trying to resume download" in text and "stored message 3 repaired" in text
        assert capfd.readouterr().err == ""
    finally:
        for name, kept in handlers.items():
            logger = logging.getLogger(name)
            for handler in logger.handlers[len(kept):]:
                handler.close()
            logger.handlers[:] = kept
