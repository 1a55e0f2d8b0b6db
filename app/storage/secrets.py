"""Server API keys, kept where the OS keeps secrets (``keyring``: Keychain, Windows Credential Locker,
the Secret Service), or, where no keyring works (a headless Linux box), in settings.json.

The settings file is written 0600 (tempfile's default), but it is plain text, so the window says so
whenever a key lands there (``KeyStore.in_keyring`` is False).
"""

from __future__ import annotations

import logging

import keyring
from keyring.backends import fail

SERVICE = "LocalChat"

log = logging.getLogger(__name__)


class KeyStore:
    """One key per server base URL."""

    def __init__(self) -> None:
        self._backend = keyring.get_keyring()

    @property
    def in_keyring(self) -> bool:
        """Whether keys go to the OS's secret store (False: there is none that works here)."""
        # keyring's own scale: below 1 is a fallback it does not recommend (keyrings.alt's plain-text files)
        return not isinstance(self._backend, fail.Keyring) and getattr(self._backend, "priority", 0) >= 1

    def save(self, server: str, key: str) -> bool:
        """Keep ``key`` for ``server`` (an empty key forgets it); False when no keyring took it, so the
        caller keeps it in the settings file instead."""
        if not self.in_keyring:
            return False
        try:
            if key:
                self._backend.set_password(SERVICE, server, key)
            elif self._backend.get_password(SERVICE, server) is not None:
                self._backend.delete_password(SERVICE, server)
            return True
        except Exception as error:  # noqa: BLE001 - any backend trouble (locked, no D-Bus) means: not kept there
            log.warning("keyring %s did not take the key for %s: %s", type(self._backend).__name__, server, error)
            return False

    def load(self, server: str) -> str | None:
        if not self.in_keyring:
            return None
        try:
            return self._backend.get_password(SERVICE, server)
        except Exception as error:  # noqa: BLE001 - as in save
            log.warning("keyring %s did not give the key for %s: %s", type(self._backend).__name__, server, error)
            return None
