"""``localchat self-test``: generate with a tiny built-in model and write the result to a JSON file."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "self-test", help="check that this installation can generate (writes a JSON result; exit 0 = ok)")
    parser.add_argument("--output", metavar="FILE", default=None,
                        help="where to write the JSON result (default: selftest.json in the log folder)")
    parser.add_argument("--model", metavar="PATH", default=None,
                        help="use this synthetic test model folder instead of the built-in one")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from app.selftest import run_self_test

    return run_self_test(args.output, args.model)
