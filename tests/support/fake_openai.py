"""A deliberately minimal OpenAI-compatible server on 127.0.0.1, for testing LocalChat as its client.

It behaves like the plainer servers in the wild: it streams ``chat/completions`` as server-sent events,
but rejects ``stream_options`` with a 400 (as older servers do), never sends ``usage`` and never sends
logprobs.  A real HTTP server on a real socket (http.server in a thread), so the client's connection,
streaming and disconnect paths are the real ones.

Each reply is ``Reply N: w1 w2 …`` (N counts the chat requests, so a regenerated reply differs), one word
per SSE chunk, ``words`` words unless ``max_tokens`` is smaller, ``pace_s`` apart.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett")


def reply_words(number: int, count: int) -> list[str]:
    """The chunks of reply ``number``: its label, then ``count`` words."""
    return [f"Reply {number}:"] + [f" {WORDS[i % len(WORDS)]}" for i in range(count)]


@dataclass
class FakeOpenAI:
    models: tuple[str, ...] = ("fake-small", "fake-large")
    api_key: str | None = None
    words: int = 6
    pace_s: float = 0.0
    reject_stream_options: bool = True
    answer: bool = True  # False: accept connections and never answer (for timeouts)
    requests: list[dict[str, Any]] = field(default_factory=list)  # chat bodies that got a 200, in order
    refused: list[dict[str, Any]] = field(default_factory=list)  # chat bodies answered with a 400
    chunks_sent: int = 0
    disconnected: threading.Event = field(default_factory=threading.Event)  # a client went away mid-reply
    received: threading.Event = field(default_factory=threading.Event)  # a chat request arrived

    def __post_init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-openai", daemon=True)
        self._release = threading.Event()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> "FakeOpenAI":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()


def _handler(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_: object) -> None:  # quiet
            pass

        def handle(self) -> None:
            try:
                super().handle()
            except (ConnectionResetError, BrokenPipeError):
                pass  # the client closed a kept-alive connection

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            if not self._allowed():
                return
            if self.path != "/v1/models":
                return self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
            self._json(200, {"object": "list", "data": [{"id": name, "object": "model", "owned_by": "fake"}
                                                        for name in fake.models]})

        def do_POST(self) -> None:  # noqa: N802
            fake.received.set()
            if not fake.answer:
                fake._release.wait()
                return
            if not self._allowed():
                return
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            if self.path != "/v1/chat/completions":
                return self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
            if body.get("model") not in fake.models:
                return self._json(404, {"error": {"message": f"The model `{body.get('model')}` does not exist.",
                                                  "type": "invalid_request_error", "code": "model_not_found"}})
            if fake.reject_stream_options and "stream_options" in body:
                fake.refused.append(body)
                return self._json(400, {"error": {"message": "Unrecognized request argument supplied: "
                                                             "stream_options", "type": "invalid_request_error"}})
            fake.requests.append(body)
            self._stream(len(fake.requests), body)

        def _allowed(self) -> bool:
            if fake.api_key and self.headers.get("Authorization") != f"Bearer {fake.api_key}":
                self._json(401, {"error": {"message": "Incorrect API key provided.", "type": "invalid_request_error",
                                           "code": "invalid_api_key"}})
                return False
            return True

        def _stream(self, number: int, body: dict[str, Any]) -> None:
            count = min(fake.words, int(body.get("max_tokens") or fake.words))
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            base = {"id": f"chatcmpl-{number}", "object": "chat.completion.chunk", "model": body["model"]}
            events = [{**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]}]
            events += [{**base, "choices": [{"index": 0, "delta": {"content": word}}]}
                       for word in reply_words(number, count)]
            reason = "length" if count < fake.words else "stop"
            events.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": reason}]})
            try:
                for event in events:
                    self._chunk(f"data: {json.dumps(event)}\n\n")
                    fake.chunks_sent += 1
                    if fake.pace_s and fake._release.wait(fake.pace_s):
                        return
                self._chunk("data: [DONE]\n\n")
                self._chunk("")
            except (BrokenPipeError, ConnectionResetError):
                fake.disconnected.set()

        def _chunk(self, text: str) -> None:
            data = text.encode()
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

        def _json(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler
