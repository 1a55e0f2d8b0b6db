"""A server on 127.0.0.1 that answers chat completions with whatever bytes a test gives it, framed as asked.

For fuzzing the client: ``/v1/models`` lists one model (or answers as told); ``POST /v1/chat/completions`` sends the next scripted
body as an event stream, either up to a closed connection or in HTTP chunks (whole, or cut inside a chunk),
and then closes, or holds the connection open sending nothing (a stalled server) until the next script or
the end.  A real socket and real HTTP framing, so the client's reads, timeouts and errors are the real ones.
"""

from __future__ import annotations

import json
import socketserver
import threading
from dataclasses import dataclass

MODEL = "scripted"
FRAMINGS = ("close", "chunked", "chunked-cut")
# What some servers send as an error's message: the Python traceback of their own failure.
SERVER_TRACEBACK = 'Traceback (most recent call last):\n  File "serve.py", line 9, in run\nKeyError: \'messages\'\n'


@dataclass(frozen=True)
class Script:
    body: bytes
    framing: str = "close"  # one of FRAMINGS
    stall: bool = False  # hold the connection open after the body instead of closing it
    content_type: str = "text/event-stream"


class ScriptedOpenAI:
    def __init__(self, models_body: bytes | None = None) -> None:
        """``models_body``: what ``/v1/models`` answers (default: a list of the one model)."""
        self.models_body = models_body or json.dumps({"object": "list", "data": [{"id": MODEL}]}).encode()
        self.script = Script(b"")
        self._released = threading.Event()
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="scripted-openai", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def play(self, script: Script) -> None:
        """Answer the next chat completion with ``script`` (a stalled answer before it is let go)."""
        self._released.set()
        self._released = threading.Event()
        self.script = script

    def __enter__(self) -> "ScriptedOpenAI":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()


def _handler(server: ScriptedOpenAI) -> type[socketserver.StreamRequestHandler]:
    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            request_line = self.rfile.readline().decode("latin-1")
            length = 0
            while (line := self.rfile.readline()) not in (b"\r\n", b"\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            self.rfile.read(length)
            try:
                if request_line.startswith("GET") and "/models" in request_line:
                    listing = server.models_body
                    self._send(f"Content-Type: application/json\r\nContent-Length: {len(listing)}", listing)
                else:
                    self._play(server.script, server._released)
            except OSError:
                pass  # the client went away first

        def _send(self, headers: str, body: bytes) -> None:
            self.wfile.write(f"HTTP/1.1 200 OK\r\n{headers}\r\nConnection: close\r\n\r\n".encode() + body)

        def _play(self, script: Script, released: threading.Event) -> None:
            headers = f"Content-Type: {script.content_type}"
            if script.framing == "close":
                self._send(headers, script.body)
            else:
                pieces = [script.body[i:i + 97] for i in range(0, len(script.body), 97)]
                framed = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces)
                if script.framing == "chunked":
                    framed += b"0\r\n\r\n"
                else:
                    framed = framed[: max(1, len(framed) * 2 // 3)]
                self._send(headers + "\r\nTransfer-Encoding: chunked", framed)
            self.wfile.flush()
            if script.stall:
                released.wait(30)

    return Handler
