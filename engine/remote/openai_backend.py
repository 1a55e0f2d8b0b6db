"""A server that speaks the OpenAI API as LocalChat's engine (``/v1/models``, ``/v1/chat/completions``).

Built on httpx rather than the ``openai`` package: the SSE stream is read line by line here, so a
keep-alive comment, a stray field or a usage chunk with no choices never trips a parser; Stop can shut
the socket from the GUI thread (found through httpcore's documented ``trace`` extension), which ends a
reply even while the server is still thinking about its first token; and the window does not carry
pydantic and the SDK's retry machinery for two endpoints.

Servers differ, and a difference is a note on the reply, never an error: a 400 or 422 that names an
optional field (``stream_options``, ``top_k``, ``repetition_penalty``, ``logprobs``, ``seed``) sends the
request again without it, and the backend remembers that for its later replies.
"""

from __future__ import annotations

import random
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

import httpx

from engine.errors import LocalChatError, RemoteModelMissing, ServerFailed
from engine.remote.address import host_of, normalise_base_url
from engine.remote.assembly import ReplyAssembly, estimate_tokens
from engine.remote.failures import error_for_exception, error_for_status
from engine.remote.sse import data_events
from engine.runtime.conversation import Message
from engine.runtime.model import ModelInfo
from engine.runtime.record import ReplyRecord, TokenStep
from engine.runtime.session import Reply
from engine.runtime.settings import MAX_SEED, SamplingSettings

CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 300.0  # a server may load a model before its first byte (Ollama does): minutes, not seconds
MAX_TOP_LOGPROBS = 20  # the OpenAI API's own limit
OPTIONAL_FIELDS = ("stream_options", "top_k", "repetition_penalty", "logprobs", "top_logprobs", "seed")
FIELD_NOTES = {
    "stream_options": "The server does not take stream_options, so it was asked without them.",
    "top_k": "The server does not take top-k, so it was left out.",
    "repetition_penalty": "The server does not take a repetition penalty, so it was left out.",
    "logprobs": "The server does not give token probabilities, so this reply has no token choices.",
    "top_logprobs": "The server does not give token probabilities, so this reply has no token choices.",
    "seed": "The server does not take a seed, so this reply cannot be written again from its seed.",
}


@dataclass(frozen=True)
class RemoteModel:
    name: str
    context_length: int = 0  # 0: the server did not say


class OpenAIBackend:
    """Implements engine.backend.Backend against ``base_url`` (normalised, see engine.remote.address)."""

    def __init__(self, base_url: str, api_key: str | None = None, *, connect_timeout_s: float = CONNECT_TIMEOUT_S,
                 read_timeout_s: float = READ_TIMEOUT_S) -> None:
        self.base_url = normalise_base_url(base_url)
        self.host = host_of(self.base_url)
        self._api_key = api_key or None
        self._timeout = httpx.Timeout(read_timeout_s, connect=connect_timeout_s)
        self._client: httpx.Client | None = None
        self._model: RemoteModel | None = None
        self._refused: set[str] = set()  # optional fields this server said it does not take
        self._cancel = threading.Event()
        self._socket_lock = threading.Lock()
        self._socket: socket.socket | None = None

    @property
    def pid(self) -> int | None:
        return None

    @property
    def has_key(self) -> bool:
        return self._api_key is not None

    # --- models ------------------------------------------------------------------------------------------

    def list_models(self) -> list[RemoteModel]:
        """The server's models from ``GET /models``; raises the family's errors (unreachable, key, ...)."""
        try:
            response = self._http().get(f"{self.base_url}/models")
        except httpx.HTTPError as error:
            raise error_for_exception(error, self.host, self._timeout.read) from error
        if response.status_code != 200:
            raise error_for_status(response.status_code, response.text, self.host, None, "/models", self.has_key)
        try:
            entries = response.json().get("data")
        except (ValueError, AttributeError, RecursionError) as error:
            raise ServerFailed(f"The server at {self.host} sent a model list LocalChat cannot read.",
                               response.text[:500]) from error
        if not isinstance(entries, list):
            raise ServerFailed(f"The server at {self.host} sent a model list LocalChat cannot read.",
                               response.text[:500])
        return [_remote_model(entry) for entry in entries if isinstance(entry, dict) and isinstance(entry.get("id"), str)]

    def load(self, path: str, provider: str = "auto") -> ModelInfo:
        """Use the server's model ``path`` ("" = the first it lists); ``provider`` is the server's business.

        A server that cannot list its models (some proxies) is taken at its word for a typed name.
        """
        name = path.strip()
        try:
            models = self.list_models()
        except (RemoteModelMissing, ServerFailed) as error:
            if not name:
                raise LocalChatError(f"The server at {self.host} did not list its models; type the model's name.",
                                     error.detail) from error
            models = [RemoteModel(name)]
        if not name:
            if not models:
                raise RemoteModelMissing(f"The server at {self.host} has no models to offer.")
            name = models[0].name
        model = next((m for m in models if m.name == name), None)
        if model is None:
            offered = ", ".join(m.name for m in models[:5]) or "none"
            raise RemoteModelMissing(f"The server at {self.host} has no model named “{name}”; it offers {offered}.")
        self._model = model
        return ModelInfo(path=name, name=name, model_type="remote", context_length=model.context_length,
                         vocab_size=0, provider="remote", has_chat_template=True, server=self.base_url)

    # --- replies -----------------------------------------------------------------------------------------

    def reply(self, messages: Sequence[Message], settings: SamplingSettings, explain: int = 0) -> Reply:
        settings.validated()
        if self._model is None:
            raise LocalChatError("No model is chosen on the server; choose one first.")
        seed = settings.seed if settings.seed is not None else random.randint(0, MAX_SEED)
        record = ReplyRecord(provider="remote", seed=seed, server=self.base_url, model=self._model.name,
                             counted_by="client")
        record.prompt_tokens = sum(estimate_tokens(m.content) for m in messages)
        steps: list[TokenStep] = []
        self._cancel.clear()
        return Reply(self._stream(list(messages), settings, seed, explain, record, steps), record, steps)

    def cancel(self) -> None:
        """Stop from any thread: shutting the socket wakes the worker's blocked read at once, and the
        server sees the client go away."""
        self._cancel.set()
        with self._socket_lock:
            if self._socket is not None:
                try:
                    self._socket.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already closed

    def close(self) -> None:
        self.cancel()
        if self._client is not None:
            self._client.close()
            self._client = None

    def _stream(self, messages: list[Message], settings: SamplingSettings, seed: int, explain: int,
                record: ReplyRecord, steps: list[TokenStep]) -> Iterator[str]:
        started = time.perf_counter()
        assembly = ReplyAssembly(record, steps, explain, self.host, started)
        body = self._body(messages, settings, seed, explain)
        for _attempt in range(len(OPTIONAL_FIELDS) + 1):
            sent = {name: body[name] for name in OPTIONAL_FIELDS if name in body and name not in self._refused}
            request = {k: v for k, v in body.items() if k not in OPTIONAL_FIELDS} | sent
            try:
                with self._http().stream("POST", f"{self.base_url}/chat/completions", json=request,
                                         extensions={"trace": self._trace}) as response:
                    if response.status_code in (400, 422) and sent:
                        refused = self._refused_fields(response, sent)
                        if refused:
                            record.notes.extend(dict.fromkeys(FIELD_NOTES[f] for f in refused))
                            continue
                    if response.status_code != 200:
                        response.read()
                        raise error_for_status(response.status_code, response.text, self.host, self._model.name,
                                               "/chat/completions", self.has_key)
                    yield from self._read(response, assembly)
                    break
            except httpx.HTTPError as error:
                if self._cancel.is_set():
                    break
                raise error_for_exception(error, self.host, self._timeout.read) from error
            finally:
                with self._socket_lock:
                    self._socket = None
        if "seed" in self._refused:
            record.seed = None  # the server was not told it, so it does not describe the reply
        if self._cancel.is_set():
            record.finish_reason = "cancelled"
        elif not assembly.finished:
            raise ServerFailed(f"The server at {self.host} ended the reply before it was finished; "
                               "what arrived is kept.")
        assembly.end()

    def _read(self, response: httpx.Response, assembly: ReplyAssembly) -> Iterator[str]:
        if response.headers.get("content-type", "").startswith("application/json"):  # ignored stream=true
            response.read()
            text = assembly.take_event(response.text)
        else:
            for data in data_events(response.iter_lines()):
                if self._cancel.is_set():
                    return
                text = assembly.take_event(data)
                if text:
                    yield text
            return
        if text and not self._cancel.is_set():
            yield text

    def _body(self, messages: list[Message], settings: SamplingSettings, seed: int, explain: int) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self._model.name, "messages": [m.to_dict() for m in messages], "stream": True,
            "temperature": settings.temperature, "top_p": settings.top_p, "max_tokens": settings.max_new_tokens,
            "seed": seed, "stream_options": {"include_usage": True}}
        if settings.top_k:
            body["top_k"] = settings.top_k
        if settings.repetition_penalty != 1.0:
            body["repetition_penalty"] = settings.repetition_penalty
        if explain > 0:
            body["logprobs"] = True
            body["top_logprobs"] = min(explain, MAX_TOP_LOGPROBS)
        return body

    def _refused_fields(self, response: httpx.Response, sent: dict[str, Any]) -> list[str]:
        """The optional fields a 400/422 complains about; if it names none, all of them (one retry)."""
        response.read()
        text = response.text
        named = [name for name in sent if name in text]
        if "logprobs" in named and "top_logprobs" in sent:
            named.append("top_logprobs")
        refused = list(dict.fromkeys(named)) or list(sent)
        self._refused.update(refused)
        return refused

    def _trace(self, event: str, info: dict[str, Any]) -> None:
        """httpcore's trace hook: keep the new connection's socket, so ``cancel`` can shut it."""
        if event == "connection.connect_tcp.complete":
            stream = info.get("return_value")
            with self._socket_lock:
                self._socket = stream.get_extra_info("socket") if stream is not None else None
            if self._cancel.is_set():
                self.cancel()

    def _http(self) -> httpx.Client:
        if self._client is None:
            headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
            # No kept-alive connections: every request connects anew, so its socket is the one ``cancel`` shuts.
            self._client = httpx.Client(timeout=self._timeout, headers=headers,
                                        limits=httpx.Limits(max_keepalive_connections=0))
        return self._client


def _remote_model(entry: dict[str, Any]) -> RemoteModel:
    for key in ("max_model_len", "context_length", "context_window"):  # vLLM, LocalChat and others
        value = entry.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return RemoteModel(entry["id"], value)
    return RemoteModel(entry["id"])
