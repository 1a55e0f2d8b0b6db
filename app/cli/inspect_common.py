"""What ``localchat prompt`` and ``localchat next-token`` share: the model and the conversation from flags."""

from __future__ import annotations

import argparse
import sys

from engine.inspect.identity import ModelHasher
from engine.runtime.conversation import Message
from engine.runtime.model import load_model
from engine.runtime.providers import PROVIDERS
from engine.runtime.session import ChatSession


def add_conversation_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True, help="model folder (or installed model id)")
    parser.add_argument("--prompt", required=True, help="the user's message")
    parser.add_argument("--system", default=None, help="system prompt")
    parser.add_argument("--provider", choices=PROVIDERS, default="auto")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def open_session(args: argparse.Namespace) -> ChatSession:
    from app import paths
    from app.models import resolve_model

    session = ChatSession(load_model(resolve_model(args.model), args.provider),
                          hasher=ModelHasher(paths.model_hash_cache()))
    if session.loaded.info.fallback_reason:
        print(f"localchat: {session.loaded.info.fallback_reason}", file=sys.stderr)
    return session


def conversation(args: argparse.Namespace) -> list[Message]:
    return ([Message("system", args.system)] if args.system else []) + [Message("user", args.prompt)]


def visible(text: str) -> str:
    """A token's text with its spaces and line breaks made visible, for the plain-text output."""
    return text.replace(" ", "␣").replace("\n", "⏎").replace("\t", "⇥")
