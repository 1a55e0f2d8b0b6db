"""Who may use the server: API keys, CORS for browsers, and the body size limit."""

from __future__ import annotations

import hmac
import ipaddress
import json
import secrets

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.server.protocol import ApiError

OPEN_PATHS = {"/health"}
STAINLESS_PREFIX = "x-stainless-"  # headers the official OpenAI SDKs send (x-stainless-os, -lang, ...)
ALLOWED_HEADERS = ("authorization", "content-type", "openai-organization", "openai-project")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def new_api_key() -> str:
    return "lc-" + secrets.token_urlsafe(24)


def error_response(error: ApiError) -> Response:
    return Response(json.dumps(error.body()), status_code=error.status, media_type="application/json",
                    headers=error.headers)


class ApiKeyGate:
    """ASGI middleware: every path but /health needs ``Authorization: Bearer <key>`` (compared in constant time)."""

    def __init__(self, app: ASGIApp, api_key: str | None) -> None:
        self.app = app
        self._key = api_key.encode("utf-8") if api_key else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self._key is not None and scope["path"] not in OPEN_PATHS:
            given = Headers(scope=scope).get("authorization", "")
            scheme, _, token = given.partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode("utf-8"), self._key):
                message = ("Missing API key: send it as 'Authorization: Bearer <key>'." if not given
                           else "The API key is not valid for this server.")
                error = ApiError(401, message, "authentication_error", code="invalid_api_key",
                                 headers={"WWW-Authenticate": "Bearer"})
                await error_response(error)(scope, receive, send)
                return
        await self.app(scope, receive, send)


class Cors(CORSMiddleware):
    """Starlette's CORS, also allowing any ``x-stainless-*`` header that the OpenAI SDKs send from browsers."""

    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        super().__init__(app, allow_origins=origins, allow_methods=["GET", "POST", "OPTIONS"],
                         allow_headers=list(ALLOWED_HEADERS), max_age=600)

    def preflight_response(self, request_headers: Headers) -> Response:
        requested = [h.strip().lower() for h in request_headers.get("access-control-request-headers", "").split(",")
                     if h.strip()]
        stainless = [h for h in requested if h.startswith(STAINLESS_PREFIX)]
        if not stainless:
            return super().preflight_response(request_headers)
        others = ", ".join(h for h in requested if not h.startswith(STAINLESS_PREFIX))
        raw = [(k, v) for k, v in request_headers.raw if k != b"access-control-request-headers"]
        if others:
            raw.append((b"access-control-request-headers", others.encode("latin-1")))
        response = super().preflight_response(Headers(raw=raw))
        if response.status_code == 200:
            response.headers["Access-Control-Allow-Headers"] = ", ".join(sorted(set(self.allow_headers) | set(stainless)))
        return response


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refusing with 413 past ``limit`` bytes (before reading when Content-Length says so)."""
    declared = request.headers.get("content-length")
    too_large = ApiError(413, f"The request body is larger than this server accepts ({limit} bytes).",
                         code="request_too_large")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large
    return bytes(body)


def parse_json(body: bytes) -> object:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise ApiError(400, f"The request body is not valid JSON: {error}.", code="invalid_json") from error
