"""The HTTP front: OpenAI-compatible routes on Starlette, over the server backend.

Streams are server-sent events exactly as the OpenAI clients parse them: the first chat chunk carries
``delta.role``, every chunk the same id, ``finish_reason`` once in the last choice chunk, a usage chunk
with empty ``choices`` when asked, then ``data: [DONE]``.  A failure after the stream has begun is an error
chunk followed by ``[DONE]``.  While a request waits for its turn or its prompt is processed, SSE comments
(``: queued N``, ``: keep-alive``) keep proxies and clients from timing out.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import AsyncIterator, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from app.server.answers import Answer, finish_reason, sse
from app.server.backend import Job, ServerBackend
from app.server.protocol import ApiError, ApiRequest, Limits, parse_chat, parse_completion
from app.server.security import ApiKeyGate, Cors, error_response, parse_json, read_body
from engine import errors
from engine.process.turns import QueueFull

log = logging.getLogger("localchat.server")
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


@dataclass(frozen=True)
class ServerOptions:
    api_key: str | None = None
    cors_origins: tuple[str, ...] = ()
    max_body_bytes: int = 4 * 1024 * 1024
    limits: Limits = Limits()
    keepalive_s: float = 10.0
    log_content: bool = False  # the request log: message text and replies go to the log only when on
    on_log: Callable[[str], None] | None = field(default=None, compare=False)


def build_app(backend: ServerBackend, options: ServerOptions) -> Starlette:
    front = _Front(backend, options)
    routes = [Route("/health", front.health), Route("/metrics", front.metrics),
              Route("/v1/models", front.models), Route("/v1/models/{name:path}", front.model),
              Route("/v1/chat/completions", front.chat, methods=["POST"]),
              Route("/v1/completions", front.completions, methods=["POST"])]
    middleware = [Middleware(Cors, origins=list(options.cors_origins))] if options.cors_origins else []
    middleware.append(Middleware(ApiKeyGate, api_key=options.api_key))
    return Starlette(routes=routes, middleware=middleware,
                     exception_handlers={HTTPException: _http_error, ApiError: _api_error})


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    kind = "not_found_error" if error.status_code == 404 else "invalid_request_error"
    message = f"No route {request.method} {request.url.path}." if error.status_code in (404, 405) else error.detail
    return error_response(ApiError(error.status_code, message, kind))


async def _api_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ApiError)
    return error_response(error)


def _from_engine(error: Exception) -> ApiError:
    if isinstance(error, QueueFull):
        return ApiError(429, error.user_message, "rate_limit_error", code="queue_full",
                        headers={"Retry-After": str(error.retry_after_s)})
    if isinstance(error, (errors.InvalidSetting, errors.ContextOverflow, errors.ChatTemplateError,
                          errors.TokenOutOfVocabulary)):
        return ApiError(400, error.user_message, code=type(error).__name__)
    message = error.user_message if isinstance(error, errors.LocalChatError) else "The engine failed."
    return ApiError(500, message, "server_error", code=type(error).__name__)


class _Front:
    def __init__(self, backend: ServerBackend, options: ServerOptions) -> None:
        self.backend, self.options = backend, options

    async def health(self, request: Request) -> Response:
        if self.backend.load_error is not None:
            return error_response(ApiError(503, self.backend.load_error.user_message, "unavailable_error",
                                           code="model_failed"))
        if not self.backend.ready:
            return error_response(ApiError(503, self.backend.unavailable, "unavailable_error", code="loading"))
        return JSONResponse({"status": "ok", "model": self.backend.model_id, "queued": self.backend.waiting})

    async def metrics(self, request: Request) -> Response:
        m = self.backend.metrics
        lines = [f"localchat:requests_total {m.requests}", f"localchat:prompt_tokens_total {m.prompt_tokens}",
                 f"localchat:tokens_predicted_total {m.tokens_predicted}",
                 f"localchat:requests_cancelled_total {m.cancelled}", f"localchat:requests_rejected_total {m.rejected}",
                 f"localchat:requests_processing {m.processing}", f"localchat:requests_deferred {self.backend.waiting}"]
        return PlainTextResponse("\n".join(lines) + "\n")

    def _model_object(self) -> dict:
        info = self._require_ready()
        return {"id": self.backend.model_id, "object": "model", "created": 0, "owned_by": "localchat",
                "context_length": info.context_length}

    async def models(self, request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [self._model_object()]})

    async def model(self, request: Request) -> Response:
        self._check_model(request.path_params["name"])
        return JSONResponse(self._model_object())

    async def chat(self, request: Request) -> Response:
        return await self._complete(request, chat=True)

    async def completions(self, request: Request) -> Response:
        return await self._complete(request, chat=False)

    def _require_ready(self):
        if not self.backend.ready:
            message = self.backend.load_error.user_message if self.backend.load_error else self.backend.unavailable
            raise ApiError(503, message, "unavailable_error", code="loading")
        return self.backend.info

    def _check_model(self, name: str | None) -> None:
        if name is not None and name not in self.backend.served_names():
            raise ApiError(404, f"The model '{name}' does not exist here; this server serves "
                                f"'{self.backend.model_id}'.", "not_found_error", "model", "model_not_found")

    async def _complete(self, request: Request, chat: bool) -> Response:
        started = time.perf_counter()
        info = self._require_ready()
        body = parse_json(await read_body(request, self.options.max_body_bytes))
        parse = parse_chat if chat else parse_completion
        api = parse(body, self.options.limits, info.context_length)
        self._check_model(api.model)
        job = self.backend.job(api.generation)
        job.start()
        first = await job.next_event()
        if first[0] == "failed":
            raise _from_engine(first[1])
        answer = Answer(self.backend.model_id or "", chat, api.logprobs)
        if self.options.log_content:
            generation = api.generation
            answer.asked = generation.prompt if generation.prompt is not None else generation.messages[-1].content
        if api.stream:
            return StreamingResponse(self._stream(job, first, answer, api, request, started),
                                     media_type="text/event-stream", headers=SSE_HEADERS)
        return await self._whole(job, first, answer, request, started)

    async def _whole(self, job: Job, event: tuple, answer: Answer, request: Request, started: float) -> Response:
        watcher = asyncio.create_task(_watch_disconnect(request, job))
        pieces: list = []
        try:
            while event[0] not in ("finished", "failed"):
                event = await job.next_event()
                if event[0] == "pieces":
                    pieces.extend(event[1])
        finally:
            watcher.cancel()
            job.cancel()
        if event[0] == "failed":
            self._log(request, 500, answer, None, started)
            raise _from_engine(event[1])
        self._log(request, 200, answer, event[1], started, pieces)
        return JSONResponse(answer.whole(pieces, event[1]))

    async def _stream(self, job: Job, event: tuple, answer: Answer, api: ApiRequest, request: Request,
                      started: float) -> AsyncIterator[str]:
        usage = api.include_usage
        offset, sent, record, pieces = 0, False, None, []
        try:
            while True:
                if event is None:
                    yield ": keep-alive\n\n"
                elif event[0] == "queued" and event[1] > 0:
                    yield f": queued {event[1]}\n\n"
                elif event[0] in ("started", "pieces") and not sent and answer.chat:
                    yield sse(answer.chunk([], role=True, with_usage=usage))
                    sent = True
                if event is not None and event[0] == "pieces" and event[1]:
                    yield sse(answer.chunk(event[1], offset, with_usage=usage))
                    offset += sum(len(p.text) for p in event[1])
                    if self.options.log_content:
                        pieces.extend(event[1])
                elif event is not None and event[0] == "finished":
                    record = event[1]
                    yield sse(answer.chunk([], offset, finish=finish_reason(record), with_usage=usage))
                    if usage:
                        yield sse(answer.usage_chunk(record))
                    break
                elif event is not None and event[0] == "failed":
                    yield sse(_from_engine(event[1]).body())
                    break
                event = await job.next_event(self.options.keepalive_s)
            yield sse("[DONE]")
        finally:
            job.cancel()
            self._log(request, 200, answer, record, started, pieces)

    def _log(self, request: Request, status: int, answer: Answer, record, started: float,
             pieces: list | None = None) -> None:
        """One line per request: its figures, and its reply's text only when the request log is on."""
        figures = "" if record is None else (f" · {record.prompt_tokens} in, {record.reused_tokens} cached · "
                                             f"{record.generated_tokens} out · {record.finish_reason}")
        line = f"{request.method} {request.url.path} {status}{figures} · {time.perf_counter() - started:.2f} s"
        if self.options.log_content:
            line += f" · asked {answer.asked[:200]!r} · reply {''.join(p.text for p in pieces or [])[:200]!r}"
        log.info("%s %s", answer.id, line)
        if self.options.on_log is not None:
            self.options.on_log(time.strftime("%H:%M:%S ") + line.removeprefix("POST /v1/"))


async def _watch_disconnect(request: Request, job: Job) -> None:
    """Cancel ``job`` when the client of a non-streaming request goes away."""
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            job.cancel()
            return
