"""How fast the store opens a long conversation and lists a large history.

    python -m app.devtools.bench_store

Builds, in a temporary LOCALCHAT_HOME, one conversation of 1,000 messages (written the
way the app writes them: user message, reply started, streamed, finished) and 5,000
short conversations, then prints median timings in milliseconds.  Target: under 300 ms
for both opening the long conversation and loading the sidebar list.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from typing import Callable

from app.storage.store import ConversationStore, default_path

TARGET_MS = 300.0
SETTINGS = {"temperature": 0.7, "top_p": 0.9, "top_k": 40, "repetition_penalty": 1.0, "max_new_tokens": 512,
            "seed": 1}
STATS = {"prompt_tokens": 900, "generated_tokens": 120, "reused_tokens": 880, "ttft_s": 0.08,
         "decode_tokens_per_s": 42.0, "finish_reason": "eos"}
ANSWER = "A reasonably long answer with some detail, as a small local model would write. " * 6


def build_long_conversation(store: ConversationStore, messages: int) -> int:
    conversation_id = store.create_conversation(system_prompt="You are a helpful assistant.").id
    for turn in range(messages // 2):
        store.add_user_message(conversation_id, f"Question number {turn}: tell me more about that?")
        reply = store.start_reply(conversation_id, model="phi-3-mini", provider="cpu", settings=SETTINGS)
        store.update_reply(reply.id, ANSWER[: len(ANSWER) // 2])
        store.finish_reply(reply.id, status="done", content=ANSWER, stats=STATS)
    return conversation_id


def build_many_conversations(store: ConversationStore, count: int) -> None:
    for number in range(count):
        stamp = f"2024-{1 + number % 12:02d}-{1 + number % 28:02d}T10:{number % 60:02d}:00.{number:06d}+00:00"
        store.import_conversation(
            title=f"Conversation {number} about topic {number % 97}", renamed=False, created_at=stamp,
            updated_at=stamp, messages=[
                {"id": 1, "parent_id": None, "role": "user", "content": f"Short question {number}",
                 "created_at": stamp},
                {"id": 2, "parent_id": 1, "role": "assistant", "content": ANSWER, "created_at": stamp,
                 "model": "phi-3-mini", "provider": "cpu", "settings": SETTINGS, "stats": STATS},
            ])


def median_ms(action: Callable[[], object], runs: int) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def open_and_load(conversation_id: int) -> None:
    with ConversationStore(default_path()) as store:
        store.thread(conversation_id)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.devtools.bench_store", description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--conversations", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="localchat-bench-") as home:
        os.environ["LOCALCHAT_HOME"] = home
        started = time.perf_counter()
        with ConversationStore(default_path()) as store:
            long_id = build_long_conversation(store, args.messages)
            build_many_conversations(store, args.conversations)
        size_mb = default_path().stat().st_size / 1e6
        print(f"built {args.messages} messages + {args.conversations} conversations "
              f"in {time.perf_counter() - started:.1f} s ({size_mb:.1f} MB)")

        with ConversationStore(default_path()) as store:
            assert len(store.thread(long_id)) == args.messages + 1
            assert len(store.list_conversations()) == args.conversations + 1
            results = {
                f"load the active thread of {args.messages} messages": median_ms(
                    lambda: store.thread(long_id), args.runs),
                f"load the sidebar list of {args.conversations + 1} conversations": median_ms(
                    store.list_conversations, args.runs),
                "search every message for a phrase": median_ms(lambda: store.search("question 4217"), args.runs),
            }
        results["open the database and load that thread (cold start)"] = median_ms(
            lambda: open_and_load(long_id), args.runs)

    for name, ms in results.items():
        verdict = "ok" if ms < TARGET_MS else f"over the {TARGET_MS:.0f} ms target"
        print(f"{name:58} {ms:8.1f} ms  {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
