"""Fetching one file's bytes from the Hub, resumable inside the file across runs.

huggingface_hub 2.4's ``hf_hub_download`` names its partial file uniquely per call and deletes it
when the call fails, so a download killed (SIGKILL, a crash, Ctrl+C) starts that file again from
byte 0 and leaves a dead ``.incomplete`` file behind; it also reads 10 MiB per chunk, which is how
often progress moved and cancel was noticed.  So the bytes travel here instead, over
huggingface_hub's own HTTP client (``get_session``: proxies, ``HF_ENDPOINT``, its headers and token):

* the partial file has a fixed name, ``<file>.part`` next to where the file goes, and is written
  unbuffered, one ``CHUNK_BYTES`` chunk per ``write``: after a kill it holds every chunk received
  but the one in flight, and the next run asks for the rest with ``Range: bytes=N-``;
* progress is reported and cancel checked after every chunk;
* a connection that breaks after it was made is retried at once from where it broke; failures
  that make no progress back off and, after ``attempts`` of them, end the download with a sentence
  that says which: the Hub could not be reached at all, or it answered and kept dropping.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

CHUNK_BYTES = 64 * 1024
PART_SUFFIX = ".part"
MAX_BACKOFF_SECONDS = 30.0


class TransferFailed(Exception):
    """Raised after the last attempt; ``reached`` says whether the Hub ever answered."""

    def __init__(self, reached: bool, received: int, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.reached, self.received, self.cause = reached, received, cause


class Cancelled(Exception):
    pass


@dataclass(frozen=True)
class FileRequest:
    url: str
    target: Path
    size: int
    headers: dict[str, str]


def part_path(target: Path) -> Path:
    return target.with_name(target.name + PART_SUFFIX)


def fetch(request: FileRequest, *, on_bytes: Callable[[int], None], cancel: threading.Event,
          attempts: int = 5, backoff_seconds: float = 1.0) -> None:
    """Bring ``request.target`` to ``request.size`` bytes through its ``.part`` file, then rename it.

    ``on_bytes(n)`` gets the number of bytes of this file held so far (absolute, not a delta), first
    with what an earlier run left, then after every chunk.
    """
    import httpx2

    part = part_path(request.target)
    part.parent.mkdir(parents=True, exist_ok=True)
    part.touch()
    failures, reached = 0, False
    while (held := _held(part, request.size)) < request.size:
        on_bytes(held)
        try:
            _stream(request, part, held, on_bytes, cancel)
            reached = True
            error: BaseException = _RetryableStatus(f"{request.url} ended after {_held(part, request.size)} bytes")
        except (httpx2.TransportError, _RetryableStatus) as caught:
            reached |= not isinstance(caught, (httpx2.ConnectError, httpx2.ConnectTimeout))
            error = caught
        if _held(part, request.size) > held:
            failures = 0  # it moved: a dropped connection, resumed at once
            continue
        failures += 1
        if failures >= attempts:
            raise TransferFailed(reached, _held(part, request.size), error) from error
        if cancel.wait(min(MAX_BACKOFF_SECONDS, backoff_seconds * 2 ** (failures - 1))):
            raise Cancelled() from error
    on_bytes(request.size)
    part.replace(request.target)


class _RetryableStatus(Exception):
    """The Hub answered 5xx or 429: busy or broken for a moment."""


def _held(part: Path, size: int) -> int:
    try:
        held = part.stat().st_size
    except FileNotFoundError:
        return 0
    if held > size:  # not a prefix of this file (a different revision): start it again
        part.unlink()
        return 0
    return held


def _stream(request: FileRequest, part: Path, held: int, on_bytes: Callable[[int], None],
            cancel: threading.Event) -> None:
    """One GET from byte ``held`` (errors propagate)."""
    from huggingface_hub import get_session
    from huggingface_hub.utils import hf_raise_for_status

    headers = dict(request.headers)
    headers["Accept-Encoding"] = "identity"  # byte offsets must be offsets in the file itself
    if held:
        headers["Range"] = f"bytes={held}-"
    with get_session().stream("GET", request.url, headers=headers, follow_redirects=True,
                              timeout=_timeout()) as response:
        if response.status_code in (429, 500, 502, 503, 504):
            raise _RetryableStatus(f"HTTP {response.status_code} from {request.url}")
        if response.status_code == 416:  # the range is past the end: what we hold is not this file
            part.unlink(missing_ok=True)
            raise _RetryableStatus(f"HTTP 416 for bytes={held}- of {request.url}")
        hf_raise_for_status(response)
        if held and response.status_code != 206:  # the server ignored the range and sends it all
            held = 0
        with part.open("r+b" if part.exists() else "wb", buffering=0) as out:
            out.seek(held)
            out.truncate()
            for chunk in response.iter_bytes(chunk_size=CHUNK_BYTES):
                if cancel.is_set():
                    raise Cancelled()
                if held + len(chunk) > request.size:
                    raise _RetryableStatus(f"{request.url} sent more than its {request.size} bytes")
                out.write(chunk)
                held += len(chunk)
                on_bytes(held)


def _timeout():
    import httpx2

    # A stalled connection is noticed within a minute; no limit on the whole transfer.
    return httpx2.Timeout(60.0, connect=20.0)
