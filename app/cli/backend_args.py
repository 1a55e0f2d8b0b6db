"""``--backend URL [--api-key K] [--remote-model NAME]``: the flags that put a server behind LocalChat,
shared by the window (``localchat``) and ``localchat generate``."""

from __future__ import annotations

import argparse
import os

KEY_VARIABLE = "LOCALCHAT_API_KEY"  # a key in the environment stays out of the process list


def add_backend_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("a server as the engine (any OpenAI-compatible API)")
    group.add_argument("--backend", metavar="URL",
                       help="the server's base URL, e.g. http://localhost:11434/v1 (Ollama), "
                            "http://host:1234/v1 (LM Studio), http://host:8000/v1 (vLLM)")
    group.add_argument("--api-key", metavar="K", default=None,
                       help=f"the server's API key, sent as 'Authorization: Bearer K' (or set {KEY_VARIABLE})")
    group.add_argument("--remote-model", metavar="NAME", default=None,
                       help="the server's model to use (default: the first one it lists)")


def api_key(args: argparse.Namespace) -> str | None:
    return args.api_key or os.environ.get(KEY_VARIABLE) or None
