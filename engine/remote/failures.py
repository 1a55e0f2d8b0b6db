"""What went wrong talking to a server, as one plain sentence of the engine.errors family."""

from __future__ import annotations

import json

import httpx

from engine.errors import LocalChatError, RemoteModelMissing, ServerFailed, ServerRefusedKey, ServerUnreachable


def server_message(body: str) -> str:
    """The server's own reason from an OpenAI-style ``{"error": {"message": ...}}`` body (or FastAPI's
    ``detail``), cut to a sentence's length; "" when there is none."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
        return ""
    error = data.get("error", data.get("detail")) if isinstance(data, dict) else None
    message = error.get("message") if isinstance(error, dict) else error
    return one_line(str(message)) if isinstance(message, (str, int, float)) else ""


def one_line(reason: str) -> str:
    """A server's reason as part of one sentence, at most 200 characters: its lines joined, or of a Python
    traceback (which some servers send as the message) only the last line, the exception itself."""
    lines = [line.strip() for line in reason.splitlines() if line.strip()]
    if lines and lines[0].startswith("Traceback ("):
        lines = lines[-1:]
    return " ".join(lines)[:200]


def error_for_status(status: int, body: str, host: str, model: str | None, endpoint: str,
                     has_key: bool) -> LocalChatError:
    detail = f"HTTP {status} from {host}{endpoint}: {body[:500]}"
    reason = server_message(body)
    if status in (401, 403):
        if not has_key:
            return ServerRefusedKey(f"The server at {host} needs an API key; enter it in the server settings.",
                                    detail)
        return ServerRefusedKey(f"The server at {host} refused the API key; check that it is the right one.",
                                detail)
    if status == 404:
        if model and "model" in body.lower():
            return RemoteModelMissing(f"The server at {host} has no model named “{model}”; choose one it lists.",
                                      detail)
        return ServerFailed(f"The server at {host} has no OpenAI-compatible API at this address; check that the "
                            "address ends in /v1.", detail)
    if status == 429:
        return ServerFailed(f"The server at {host} is busy; try again in a moment.", detail)
    said = f": {reason.rstrip('.')}." if reason else "."
    if status >= 500:
        return ServerFailed(f"The server at {host} failed while answering (HTTP {status}){said}", detail)
    return ServerFailed(f"The server at {host} refused the request (HTTP {status}){said}", detail)


def error_for_exception(error: httpx.HTTPError, host: str, read_timeout_s: float | None) -> LocalChatError:
    detail = f"{type(error).__name__}: {error}"
    if isinstance(error, httpx.ConnectTimeout):
        return ServerUnreachable(f"The server at {host} did not answer; check the address and that it is running.",
                                 detail)
    if isinstance(error, httpx.ConnectError):
        return ServerUnreachable(f"LocalChat could not reach the server at {host}; check that it is running and "
                                 "the address is right.", detail)
    if isinstance(error, httpx.TimeoutException):
        waited = f" for {read_timeout_s:g} s" if read_timeout_s else ""
        return ServerUnreachable(f"The server at {host} stopped answering{waited}; try again, or check the server.",
                                 detail)
    if isinstance(error, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
        return ServerUnreachable(f"The connection to the server at {host} broke off; what arrived is kept.",
                                 detail)
    return ServerFailed(f"Talking to the server at {host} failed; try again.", detail)
