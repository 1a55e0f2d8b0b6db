"""What the remote backend costs: ``python -m app.devtools.bench_remote [RUNS] [SHARED_MODEL]``.

The same greedy reply (``../shared/models/SHARED_MODEL``, stories260k by default, else the synthetic model; "Once upon a time", up to 200 tokens)
from this process's engine and through ``OpenAIBackend`` from a real ``localchat serve`` on 127.0.0.1, measured in
the same run.  Prints medians of RUNS (5) and the ratios: throughput (tokens from the first text to the end of the
reply) and time to first token.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from app.devtools.dev_models import shared_model, synthetic_builder
from app.devtools.screenshot_engine import start_server
from engine.remote.openai_backend import OpenAIBackend
from engine.runtime.conversation import Message
from engine.runtime.inprocess import InProcessBackend
from engine.runtime.settings import SamplingSettings

PROMPT = [Message("user", "Once upon a time")]
GREEDY = SamplingSettings(temperature=0.0, max_new_tokens=200)


def measure(backend) -> tuple[float, float, int, str]:
    """Time to first text, tokens/s from the first text to the end, tokens, text."""
    started = time.perf_counter()
    first = None
    parts = []
    reply = backend.reply(PROMPT, GREEDY)
    for text in reply:
        if first is None:
            first = time.perf_counter()
        parts.append(text)
    ended = time.perf_counter()
    tokens = reply.record.generated_tokens
    return first - started, (tokens - 1) / max(ended - first, 1e-9), tokens, "".join(parts)


def main(argv: list[str]) -> int:
    runs = int(argv[0]) if argv else 5
    name = argv[1] if len(argv) > 1 else "stories260k"
    with tempfile.TemporaryDirectory() as workdir:
        model = shared_model(name) or synthetic_builder()(Path(workdir) / "synthetic", chat=True)
        local = InProcessBackend()
        local.load(str(model), "cpu")
        server, url = start_server(model, Path(workdir))
        try:
            remote = OpenAIBackend(url)
            remote.load("")
            measure(local), measure(remote)  # warm both
            here = [measure(local) for _ in range(runs)]
            there = [measure(remote) for _ in range(runs)]
        finally:
            server.terminate()
            server.wait(10)
    assert here[0][3] == there[0][3], "the server wrote another text"
    ttft_here, ttft_there = (statistics.median(m[0] for m in ms) for ms in (here, there))
    rate_here, rate_there = (statistics.median(m[1] for m in ms) for ms in (here, there))
    print(f"model {model.name}, {here[0][2]} tokens, median of {runs}")
    print(f"in process:       first text {ttft_here * 1000:7.1f} ms, {rate_here:9.0f} tokens/s")
    print(f"through a server: first text {ttft_there * 1000:7.1f} ms, {rate_there:9.0f} tokens/s")
    print(f"throughput ratio (server / in process): {rate_there / rate_here:.2f}; "
          f"first text {ttft_there * 1000 - ttft_here * 1000:+.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
