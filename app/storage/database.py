"""The SQLite file under ConversationStore: opening it safely and translating disk trouble.

Opening a file checks it before anything is written (not even the switch to WAL mode): a
database from a newer LocalChat is refused untouched; a damaged one, or one LocalChat does not
recognise (``migrations.recognise``: a negative version, another program's tables, a version
whose tables are missing) is moved aside (with its ``-wal``/``-shm`` companions) and a fresh one
started; a folder that can't be written or a full disk becomes one plain ``StorageUnavailable``
sentence instead of a raw ``sqlite3`` error.  A file that can be read but not written is copied
into memory (``read_only_copy``) so its history can still be shown and exported, and written back
(``write_back``) once the disk takes it again.

Nothing here makes a connection itself: callers pass ``connect``, so ``app.storage.store._connect``
stays the one place connections are made and the one seam tests replace.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import NamedTuple, TypeVar

from app import paths
from app.storage.migrations import LATEST_VERSION, Unrecognised, migrate, recognise, schema_version
from engine.errors import LocalChatError

MEMORY = ":memory:"
log = logging.getLogger(__name__)

Connect = Callable[[str], sqlite3.Connection]
T = TypeVar("T")


class DatabaseTooNew(LocalChatError):
    pass


class StorageUnavailable(LocalChatError):
    pass


class OpenedDatabase(NamedTuple):
    connection: sqlite3.Connection
    recovered_from: Path | None  # where a damaged file was moved aside
    notice: str | None  # the sentence telling the user so


def open_database(path: str, connect: Connect) -> OpenedDatabase:
    """Open ``path`` (a file, or ``":memory:"``) migrated to the latest schema."""
    if path == MEMORY:
        db = connect(MEMORY)
        _configure(db)
        return OpenedDatabase(db, None, None)
    file = Path(path)
    try:
        paths.ensure(file.parent)
        try:
            return OpenedDatabase(_open_file(path, connect), None, None)
        except Unrecognised as error:
            recovered_from = _move_aside(file, "unrecognised")
            log.warning("%s set aside as %s: %s", path, recovered_from, error)
            notice = (f"Your conversation history file is not one this LocalChat recognises, so LocalChat set it "
                      f"aside as {recovered_from.name} and started a new one.")
        except sqlite3.DatabaseError as error:
            if not _is_corruption(error):
                raise
            recovered_from = _move_aside(file, "corrupt")
            log.warning("%s set aside as %s: %s", path, recovered_from, error)
            notice = (f"Your conversation history was damaged, so LocalChat set it aside as "
                      f"{recovered_from.name} and started a new one.")
        return OpenedDatabase(_open_file(path, connect), recovered_from, notice)
    except (sqlite3.OperationalError, OSError) as error:
        if _is_storage_failure(error):
            raise _storage_unavailable(error, path) from error
        raise


def _open_file(path: str, connect: Connect) -> sqlite3.Connection:
    db = connect(path)
    try:
        _check_before_writing(db, path)
        db.execute("PRAGMA journal_mode = WAL")
        # In WAL mode NORMAL survives an app crash; only a power cut may lose the last commit.
        db.execute("PRAGMA synchronous = NORMAL")
        _configure(db)
    except BaseException:
        db.close()
        raise
    return db


def _check_before_writing(db: sqlite3.Connection, path: str) -> None:
    """Read-only checks: too new (refused untouched), damaged or not recognised (raised to be moved aside)."""
    version = schema_version(db)
    if version > LATEST_VERSION:
        raise DatabaseTooNew(
            "Your conversations were saved by a newer version of LocalChat; update LocalChat to open them.",
            f"{path} has schema version {version}, this LocalChat knows up to {LATEST_VERSION}",
        )
    check = db.execute("PRAGMA quick_check").fetchone()[0]
    if check != "ok":
        raise sqlite3.DatabaseError(f"quick_check: {check}")
    recognise(db)


def read_only_copy(path: str, connect: Connect) -> sqlite3.Connection:
    """The history in ``path`` copied into memory without writing to the file or its folder, migrated there.

    For a disk that is read-only or full: the user still sees (and can export) what is stored.
    """
    if not Path(path).is_file():
        raise StorageUnavailable("There is no stored history to show.", path)
    uri = Path(path).resolve().as_uri()
    for mode in ("?mode=ro", "?mode=ro&immutable=1"):  # immutable: a WAL file whose -shm can't be made here
        try:
            source = sqlite3.connect(uri + mode, uri=True, isolation_level=None)
            try:
                _check_before_writing(source, path)
                memory = connect(MEMORY)
                source.backup(memory)
            finally:
                source.close()
            break
        except (sqlite3.OperationalError, Unrecognised) as error:
            failure = error
    else:
        raise StorageUnavailable("LocalChat can't read your stored conversations.", f"{path}: {failure}")
    _configure(memory)
    return memory


def write_back(memory: sqlite3.Connection, path: str, connect: Connect) -> sqlite3.Connection:
    """Replace the file at ``path`` with what ``memory`` holds (one transaction) and return it opened."""
    db = open_database(path, connect).connection
    try:
        memory.backup(db)
    except sqlite3.Error as error:
        db.close()
        if isinstance(error, sqlite3.OperationalError) and _is_storage_failure(error):
            raise _storage_unavailable(error, path) from error
        raise
    return db


def fingerprint(path: str) -> tuple:
    """Size and modification time of the file and its WAL: whether anyone wrote to it since."""
    marks = []
    for name in (path, path + "-wal"):
        try:
            stat = Path(name).stat()
            marks.append((stat.st_size, stat.st_mtime_ns))
        except OSError:
            marks.append(None)
    return tuple(marks)


def _configure(db: sqlite3.Connection) -> None:
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 5000")
    migrate(db)


def run_transaction(db: sqlite3.Connection, work: Callable[[sqlite3.Connection], T], path: str) -> T:
    """Run ``work`` in one short transaction; a disk that refuses it raises ``StorageUnavailable``."""
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            result = work(db)
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
    except (sqlite3.OperationalError, OSError) as error:
        if _is_storage_failure(error):
            raise _storage_unavailable(error, path) from error
        raise
    return result


def copy_to_memory(db: sqlite3.Connection, connect: Connect) -> sqlite3.Connection:
    """A copy of ``db`` in memory; ``db`` is closed, so writing carries on in the copy."""
    memory = connect(MEMORY)
    db.backup(memory)
    db.close()
    memory.execute("PRAGMA foreign_keys = ON")
    return memory


def _is_storage_failure(error: BaseException) -> bool:
    if isinstance(error, OSError):
        return True
    if not isinstance(error, sqlite3.OperationalError):
        return False
    name = getattr(error, "sqlite_errorname", "")
    if name:
        return name.startswith(("SQLITE_READONLY", "SQLITE_FULL", "SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_PERM"))
    text = str(error).lower()
    return any(part in text for part in ("readonly", "disk is full", "unable to open", "disk i/o error"))


def _storage_unavailable(error: BaseException, path: str) -> StorageUnavailable:
    text = str(error).lower()
    if "full" in text or getattr(error, "errno", None) == 28:
        sentence = "LocalChat can't save your conversations because the disk is full; free some space and try again."
    else:
        sentence = ("LocalChat can't save your conversations because their folder can't be written; "
                    "check its permissions or free some space.")
    return StorageUnavailable(sentence, f"{path}: {error}")


def _is_corruption(error: BaseException) -> bool:
    # sqlite3 raises the base DatabaseError (not a subclass) for SQLITE_NOTADB and SQLITE_CORRUPT.
    return type(error) is sqlite3.DatabaseError


def _move_aside(path: Path, why: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.{why}-{stamp}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.{why}-{stamp}-{counter}")
    shutil.move(path, target)
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            shutil.move(companion, target.with_name(target.name + suffix))
    return target
