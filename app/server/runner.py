"""Running the server: headless (``localchat serve``) or on a thread inside the window's process."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from dataclasses import dataclass

import uvicorn

from app.server.backend import ServerBackend
from app.server.routes import ServerOptions, build_app
from app.server.security import is_loopback
from engine.errors import LocalChatError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_QUEUE = 32  # requests waiting beyond this are answered 429 with Retry-After

log = logging.getLogger("localchat.server")


class ServerRefused(LocalChatError):
    pass


@dataclass(frozen=True)
class Address:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT

    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/v1"


def check_exposure(host: str, api_key: str | None) -> None:
    """Any address but loopback reaches other machines: refuse it without an API key."""
    if not is_loopback(host) and not api_key:
        raise ServerRefused(f"Serving on {host} lets other machines connect, so it needs an API key "
                            "(--api-key KEY); without one, serve on 127.0.0.1.")


def bind(address: Address) -> tuple[socket.socket, Address]:
    """Bind the listening socket now, so port 0 gives a real port and a taken port fails with a sentence."""
    family = socket.AF_INET6 if ":" in address.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((address.host, address.port))
    except OSError as error:
        sock.close()
        raise ServerRefused(f"Cannot listen on {address.host}:{address.port}; the port may be in use or the "
                            "address is not this machine's.", str(error)) from error
    sock.listen(128)
    sock.set_inheritable(True)
    return sock, Address(address.host, sock.getsockname()[1])


def make_server(backend: ServerBackend, options: ServerOptions) -> uvicorn.Server:
    config = uvicorn.Config(build_app(backend, options), log_level="warning", access_log=False,
                            timeout_graceful_shutdown=2, lifespan="off")
    return uvicorn.Server(config)


class ServerThread:
    """The server on a thread of this process (the window's): ``start`` binds and runs, ``stop`` ends it."""

    def __init__(self, backend: ServerBackend, options: ServerOptions, address: Address) -> None:
        check_exposure(address.host, options.api_key)
        self._sock, self.address = bind(address)
        self._server = make_server(backend, options)
        self._thread = threading.Thread(target=self._run, name="localchat-server", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)
        self._sock.close()

    def _run(self) -> None:
        asyncio.run(self._server.serve(sockets=[self._sock]))
