"""Full and read-only disks for storage tests: a small tmpfs (Linux, root; skips the test with the reason
otherwise), and a SQLite connection whose file may not grow."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


def mount_small_disk(where: Path, size: str) -> None:
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("mounting a small filesystem needs root on Linux")
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"could not mount a tmpfs: {done.stderr.strip()}")


def remount_read_only(where: Path) -> None:
    done = subprocess.run(["mount", "-o", "remount,ro", str(where)], capture_output=True, text=True)
    if done.returncode:
        unmount(where)
        pytest.skip(f"could not remount read-only: {done.stderr.strip()}")


def unmount(where: Path) -> None:
    subprocess.run(["umount", "-l", str(where)], check=False)


def full_disk_connect(target: str) -> sqlite3.Connection:
    """A real connection whose file may not grow: SQLite itself reports SQLITE_FULL."""
    db = sqlite3.connect(target, isolation_level=None)
    if target != ":memory:":
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages}")
    return db
