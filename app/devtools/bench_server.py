"""Benchmark the local server against ``localchat generate`` on the same model, measured in the same run.

``python -m app.devtools.bench_server [--model PATH] [--tokens N] [--runs R]`` (default model:
../shared/models/smollm2-135m-instruct).  It prints:

* decode tokens/s seen by an ``openai`` client streaming from ``localchat serve`` versus the decode rate
  ``localchat generate --json`` reports for the same prompt and settings (greedy), median of R runs each,
  interleaved, and their ratio (target >= 0.95);
* time to first token p50/p95 and aggregate throughput with 1, 4 and 16 concurrent streaming clients;
* the TTFT the server adds: a client's TTFT for a fresh prompt minus the engine's own TTFT for the same prompt
  in this process (each prompt is new to both, so neither reuses a cache).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from app.devtools.dev_models import ROOT, shared_model
from app.devtools.serve_process import start_serve

PROMPT = "Write a long story about a dragon who learns to bake bread."


def _stream(client, model: str, prompt: str, tokens: int) -> dict:
    """One streamed chat completion: TTFT, the decode rate between the first and last content chunk, tokens."""
    sent = time.perf_counter()
    first = last = None
    usage = None
    for chunk in client.chat.completions.create(model=model, messages=[{"role": "user", "content": prompt}],
                                                temperature=0, max_tokens=tokens, stream=True,
                                                stream_options={"include_usage": True}):
        now = time.perf_counter()
        if chunk.choices and chunk.choices[0].delta.content:
            first = first or now
            last = now
        if chunk.usage is not None:
            usage = chunk.usage
    done = time.perf_counter()
    n = usage.completion_tokens
    return {"ttft": first - sent, "decode": (n - 1) / (last - first) if last > first else 0.0, "tokens": n,
            "total": done - sent}


def _generate(model: str, home: str, tokens: int) -> dict:
    env = {**os.environ, "LOCALCHAT_HOME": home, "ORT_DISABLE_TELEMETRY": "1"}
    out = subprocess.run([sys.executable, "-m", "app", "generate", "--model", model, "--prompt", PROMPT,
                          "--temperature", "0", "--max-tokens", str(tokens), "--json"],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _engine_ttft(model: str, prompts: list[str]) -> list[float]:
    from engine.runtime.conversation import Message
    from engine.runtime.model import load_model
    from engine.runtime.session import ChatSession
    from engine.runtime.settings import SamplingSettings

    session = ChatSession(load_model(model, "cpu"))
    session.prepare()  # as the engine process does at load: the KV buffer exists before the first reply
    ttfts = []
    for prompt in prompts:
        reply = session.reply([Message("user", prompt)], SamplingSettings(temperature=0, max_new_tokens=2))
        reply.text()
        ttfts.append(reply.record.ttft_s)
    return ttfts


def main(argv: list[str]) -> int:
    import openai

    parser = argparse.ArgumentParser(prog="python -m app.devtools.bench_server")
    parser.add_argument("--model", default=str(shared_model("smollm2-135m-instruct") or ""))
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrent-tokens", type=int, default=32)
    args = parser.parse_args(argv)
    if not args.model:
        print("no model: pass --model PATH", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as home:
        process, url = start_serve(args.model, home, "--queue", "64")
        try:
            client = openai.OpenAI(base_url=url, api_key="unused", max_retries=0, timeout=600)
            model = client.models.list().data[0].id
            _stream(client, model, PROMPT, 8)  # warm-up
            served, direct = [], []
            for _ in range(args.runs):
                served.append(_stream(client, model, PROMPT, args.tokens))
                direct.append(_generate(args.model, home, args.tokens))
            server_rate = statistics.median(r["decode"] for r in served)
            cli_rate = statistics.median(r["decode_tokens_per_s"] for r in direct)
            print(f"model: {Path(args.model).name}; {served[0]['tokens']} tokens greedy, median of {args.runs}")
            print(f"decode, openai client via localchat serve: {server_rate:8.1f} tokens/s")
            print(f"decode, localchat generate (same run):     {cli_rate:8.1f} tokens/s")
            print(f"ratio: {server_rate / cli_rate:.3f} (target >= 0.95)")
            for clients in (1, 4, 16):
                prompts = [f"{i}. {PROMPT}" for i in range(clients)]
                started = time.perf_counter()
                with ThreadPoolExecutor(clients) as pool:
                    results = list(pool.map(lambda p: _stream(client, model, p, args.concurrent_tokens), prompts))
                wall = time.perf_counter() - started
                ttfts = [r["ttft"] * 1000 for r in results]
                print(f"{clients:2d} concurrent: TTFT p50 {_percentile(ttfts, 0.5):7.0f} ms, p95 "
                      f"{_percentile(ttfts, 0.95):7.0f} ms; aggregate {sum(r['tokens'] for r in results) / wall:6.1f} "
                      "tokens/s")
            fresh = [f"Question {i}: {PROMPT}" for i in range(5)]
            client_ttft = [_stream(client, model, p, 2)["ttft"] for p in fresh]
        finally:
            process.terminate()
            process.wait(10)
    engine_ttft = _engine_ttft(args.model, fresh)  # the same prompts, new to this engine too
    overhead = statistics.median(client_ttft) - statistics.median(engine_ttft)
    print(f"TTFT, one client, fresh prompts: {statistics.median(client_ttft) * 1000:.1f} ms via the server, "
          f"{statistics.median(engine_ttft) * 1000:.1f} ms in the engine alone: the server adds "
          f"{overhead * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
