"""The ``localchat`` entry point: a subcommand goes to the CLI, anything else opens the window."""

from __future__ import annotations

import argparse
import multiprocessing
import sys
from typing import Sequence

from app.cli.backend_args import add_backend_arguments, api_key
from engine.errors import LocalChatError
from engine.runtime.providers import PROVIDERS

CLI_FLAGS = ("--version", "-h", "--help")


def gui_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="localchat", description="Open the LocalChat window.",
        epilog="Commands without a window: localchat {generate,serve,doctor,bench,models,history,export,self-test} --help")
    parser.add_argument("--model", metavar="PATH|ID",
                        help="model folder, or an installed model's id, to load at start")
    parser.add_argument("--provider", choices=PROVIDERS, default="auto", help="where the model runs")
    parser.add_argument("--temperature", type=float, metavar="T")
    parser.add_argument("--max-tokens", type=int, metavar="N")
    parser.add_argument("--seed", type=int, metavar="S")
    parser.add_argument("--send", metavar="TEXT", help="send this message once the model has loaded")
    add_backend_arguments(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    multiprocessing.freeze_support()  # the engine process of a frozen build starts through here
    from app.logs import start_logging

    start_logging()
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--self-test"]:  # installers' smoke test; Windows GUI builds have no console, so it writes a file
        args[0] = "self-test"
    if args and (args[0] in CLI_FLAGS or not args[0].startswith("-")):
        from app import cli

        return cli.run(args)
    parser = gui_parser()
    options = parser.parse_args(args)
    if options.model and options.backend:
        parser.error("give either --model (a model on this computer) or --backend (a server), not both")
    from app import gui

    try:
        start = gui.StartOptions(model=options.model, provider=options.provider,
                                 temperature=options.temperature, max_tokens=options.max_tokens, seed=options.seed,
                                 send=options.send, backend=options.backend, api_key=api_key(options),
                                 remote_model=options.remote_model)
        return gui.run(start)
    except LocalChatError as error:
        print(f"localchat: {error.user_message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
