"""``localchat serve``: the local OpenAI-compatible server, headless."""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from pathlib import Path

from engine.runtime.providers import PROVIDERS


def register(subparsers: argparse._SubParsersAction) -> None:
    from app.server.runner import DEFAULT_HOST, DEFAULT_PORT, DEFAULT_QUEUE

    parser = subparsers.add_parser("serve", help="serve a model through an OpenAI-compatible API")
    parser.add_argument("--model", required=True, metavar="PATH|ID", help="model folder, or an installed model's id")
    parser.add_argument("--provider", choices=PROVIDERS, default="auto")
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to listen on (not loopback: needs --api-key)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 = any free port (printed at start)")
    parser.add_argument("--api-key", default=None, help="clients must send 'Authorization: Bearer KEY'")
    parser.add_argument("--cors", action="append", default=[], metavar="ORIGIN",
                        help="allow browsers from ORIGIN (repeatable; '*' for any); off by default")
    parser.add_argument("--queue", type=int, default=DEFAULT_QUEUE,
                        help="requests that may wait for their turn; beyond it the answer is 429")
    parser.add_argument("--max-body", type=int, default=4 * 1024 * 1024, metavar="BYTES")
    parser.add_argument("--max-messages", type=int, default=1000)
    parser.add_argument("--max-tokens", type=int, default=None, help="cap on max_tokens (default: the context)")
    parser.add_argument("--keepalive", type=float, default=10.0, metavar="S",
                        help="seconds between SSE keep-alive comments while a stream waits")
    parser.add_argument("--log-requests", action="store_true",
                        help="the request log: also log message text and replies (off: figures only)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from app.models import resolve_model
    from app.server.backend import ServerBackend
    from app.server.protocol import Limits
    from app.server.routes import ServerOptions
    from app.server.runner import Address, bind, check_exposure, make_server
    from engine.process.client import EngineProcess
    from engine.process.turns import EngineTurns

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    check_exposure(args.host, args.api_key)
    path = resolve_model(args.model)
    options = ServerOptions(api_key=args.api_key, cors_origins=tuple(args.cors), max_body_bytes=args.max_body,
                            limits=Limits(args.max_messages, args.max_tokens), keepalive_s=args.keepalive,
                            log_content=args.log_requests)
    sock, address = bind(Address(args.host, args.port))
    engine = EngineProcess()
    backend = ServerBackend(engine, EngineTurns(engine, max_waiting=args.queue),
                            model_id=None if Path(args.model).is_dir() else args.model)
    threading.Thread(target=backend.load, args=(path, args.provider), name="localchat-load", daemon=True).start()
    print(f"LocalChat server on {address.url()} (model loading; GET /health answers 200 when ready)", flush=True)
    try:
        make_server(backend, options).run(sockets=[sock])
    finally:
        engine.close()
        sock.close()
    return 0
