"""The ``localchat`` command line: subcommands live in small ``app/cli/*.py`` modules.

Each command module has ``register(subparsers)`` which adds its parser and sets
``func`` to a callable taking the parsed arguments and returning an exit status.
Errors from the LocalChat family become one plain sentence on stderr and exit 1.
"""

from __future__ import annotations

import argparse
import sys
from importlib import import_module
from typing import Sequence

from engine.errors import LocalChatError

COMMAND_MODULES = ["app.cli.generate", "app.cli.doctor", "app.cli.bench", "app.cli.models", "app.cli.history",
                   "app.cli.export", "app.cli.selftest", "app.cli.serve",
                   "app.cli.prompt", "app.cli.next_token"]


def build_parser() -> argparse.ArgumentParser:
    from app import __version__

    parser = argparse.ArgumentParser(prog="localchat", description="Chat with AI models on your own machine.")
    parser.add_argument("--version", action="version", version=f"LocalChat {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        import_module(name).register(subparsers)
    return parser


def run(argv: Sequence[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    _warn_about_flavours(args.command)
    try:
        return int(args.func(args) or 0)
    except LocalChatError as error:
        print(f"localchat: {error.user_message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _warn_about_flavours(command: str) -> None:
    """Two flavours overwriting one module: say which to remove (none installed is said where a model runs)."""
    from engine.runtime.genai import flavour_problem, installed_flavours

    problem = flavour_problem()
    if problem and installed_flavours() and command != "doctor":  # doctor prints it in its report
        print(f"localchat: {problem}", file=sys.stderr)
