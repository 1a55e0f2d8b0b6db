"""Where a ConversationStore's data lives: its SQLite file, or memory while the file can't be written.

The store moves to memory when the disk refuses a write (copying what the file holds, so the chat
goes on), starts in memory when the file can be read but not written (read-only or full disk: the
history stays visible and exportable) or belongs to a newer LocalChat (left untouched), and goes
back to the file as soon as the disk takes it again (``try_saving``, at the next write after
``retry_seconds`` or when the app asks).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from app.storage import database
from app.storage.database import MEMORY, DatabaseTooNew, StorageUnavailable, open_database, run_transaction

MEMORY_NOTICE = ("Your conversations can't be saved (the disk is full or read-only); "
                 "this chat is kept in memory until LocalChat can save it again.")
TOO_NEW_NOTICE = ("Your conversations were saved by a newer version of LocalChat, so this chat is kept "
                  "in memory until you close LocalChat; update LocalChat to see them.")
T = TypeVar("T")
S = TypeVar("S", bound="FileOrMemory")
log = logging.getLogger(__name__)


class FileOrMemory:
    """The connection under a store and the rules for moving it between the file and memory."""

    retry_seconds = 5.0  # how often a store kept in memory tries its file again, at the next write

    def __init__(self, path: Path | str, *, clock: Callable[[], str],
                 fallback_to_memory: bool = False) -> None:
        self.path = str(path)
        self._clock = clock
        self._fallback_to_memory = fallback_to_memory
        self._db, self.recovered_from, self.notice = open_database(self.path, self._connect)
        self.unsaved_reason: str | None = None
        self._saving_to: str | None = None  # the file a store kept in memory goes back to when it can
        self._file_seen: object = None  # that file as it was when memory took over (see database.fingerprint)
        self._memory_since: str | None = None
        self._tried_at = float("-inf")

    @classmethod
    def open_in(cls: type[S], path: str) -> S:
        """The app's store: the real file if usable, else memory with ``unsaved_reason`` saying why.

        A file that can be read but not written (read-only or full disk) is copied into memory, so
        the history stays visible and exportable; the store also moves to memory if a write fails
        later, so a full disk mid-chat costs the user persistence, not the chat, and goes back to
        the file as soon as it can be written again (``try_saving``).
        """
        try:
            return cls(path, fallback_to_memory=True)
        except StorageUnavailable as error:
            try:
                store = cls.read_only_copy_of(path)
            except (StorageUnavailable, DatabaseTooNew, sqlite3.DatabaseError) as unreadable:
                log.warning("stored history unreadable too: %s", unreadable)
                store = cls(MEMORY)
            store._keep_in_memory(MEMORY_NOTICE, saving_to=path)
            log.warning("conversations kept in memory: %s", error.detail)
        except DatabaseTooNew:
            store = cls(MEMORY)
            store._keep_in_memory(TOO_NEW_NOTICE, saving_to=None)  # never written over: it is not ours to change
        return store

    @classmethod
    def read_only_copy_of(cls: type[S], path: str) -> S:
        """A store in memory holding a copy of ``path``, read without writing to the file or its folder."""
        store = cls(MEMORY)
        store._db.close()
        store._db = database.read_only_copy(path, store._connect)
        return store

    # -- closing and writing --------------------------------------------------------------

    def close(self) -> None:
        self._db.close()

    def __enter__(self: S) -> S:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work`` in one transaction; if the disk refuses it, a fallback store carries on in memory."""
        try:
            result = run_transaction(self._db, work, self.path)
        except StorageUnavailable as error:
            if not self._fallback_to_memory or self.path == MEMORY:
                raise
            log.warning("conversations kept in memory from now: %s", error.detail)
            self._db = database.copy_to_memory(self._db, self._connect)
            self._keep_in_memory(MEMORY_NOTICE, saving_to=self.path)
            return run_transaction(self._db, work, self.path)
        if self._saving_to is not None and time.monotonic() - self._tried_at >= self.retry_seconds:
            self.try_saving()
        return result

    def _keep_in_memory(self, reason: str, saving_to: str | None) -> None:
        self.path, self.unsaved_reason = MEMORY, reason
        self._saving_to, self._memory_since = saving_to, self._clock()
        self._file_seen = database.fingerprint(saving_to) if saving_to else None
        self._tried_at = time.monotonic()

    @property
    def can_retry(self) -> bool:
        """Whether a store kept in memory has a file it may go back to (not a newer LocalChat's)."""
        return self._saving_to is not None

    def try_saving(self) -> bool:
        """Write what memory holds back to the file if the disk takes it now; True once saved.

        Only a file nobody changed since memory took over is written (SQLite's backup replaces
        it in one transaction); if another LocalChat wrote to it meanwhile, nothing is
        overwritten and what is unsaved stays for ``unsaved_conversations`` to export.
        """
        if self.unsaved_reason is None:
            return True
        if self._saving_to is None:
            return False
        self._tried_at = time.monotonic()
        if database.fingerprint(self._saving_to) != self._file_seen:
            log.warning("%s changed while the conversations were kept in memory; not written over", self._saving_to)
            return False
        try:
            saved = database.write_back(self._db, self._saving_to, self._connect)
        except (StorageUnavailable, DatabaseTooNew) as error:
            log.info("still can't save the conversations: %s", error)
            self._file_seen = database.fingerprint(self._saving_to)  # our own failed attempt may have touched it
            return False
        self._db.close()
        self._db, self.path = saved, self._saving_to
        self.unsaved_reason = self._saving_to = self._memory_since = None
        log.info("conversations saved to %s again", self.path)
        return True


    @staticmethod
    def _connect(target: str) -> sqlite3.Connection:
        raise NotImplementedError  # the store says how connections are made
