"""What "inference made visible" costs: ``python -m app.devtools.bench_inspect [--model DIR]``.

1. The next-token preview: one ``next_token`` call (the forward pass for the typed text, on the
   conversation's cache, plus the summary of the logits) against the same forward pass alone
   (``append_tokens`` + ``get_logits`` on the bare library), interleaved, medians of 15.
2. A slider move: ``NextTokenPanel.reshape`` (reshaping the distribution for new settings and repainting
   the chart, on the GUI thread, offscreen), median and worst of 200 moves across temperature, top-k,
   top-p and repetition penalty, against one 60 Hz frame (16.7 ms).
3. Reading a reply's tokens afterwards (``explain_reply``), per token, against a greedy reply's decode step.

Uses ../shared/models/smollm2-135m-instruct by default; ``--model`` takes any model folder (for example the
200,064-token stand-in built by ``python -m app.devtools.bench_model DIR``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from app.devtools.dev_models import shared_model

RUNS = 15
MOVES = 200
FRAME_MS = 1000 / 60
CONVERSATION = ["What is the capital of France?", "Paris is the capital of France.", "And what is it famous for?"]
TYPED = " Tell me about its museums"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=shared_model("smollm2-135m-instruct"))
    args = parser.parse_args(argv)
    if args.model is None:
        print("no model: give --model DIR", file=sys.stderr)
        return 1
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from engine.runtime.conversation import Message
    from engine.runtime.genai import genai
    from engine.runtime.model import load_model
    from engine.runtime.prompt import PromptBuilder
    from engine.runtime.session import ChatSession
    from engine.runtime.settings import SamplingSettings
    from ui.inspect.next_token_chart import NextTokenPanel

    app = QApplication.instance() or QApplication([])
    loaded = load_model(args.model, "cpu")
    session = ChatSession(loaded)
    roles = ["user", "assistant", "user"]
    conversation = [Message(role, text) for role, text in zip(roles, CONVERSATION)]
    session.reply(conversation, SamplingSettings(temperature=0, max_new_tokens=8)).text()
    session.settle()
    typed = conversation[:-1] + [Message("user", CONVERSATION[-1] + TYPED)]
    ids = PromptBuilder(loaded).encode(typed)
    og = genai()
    bare_params = og.GeneratorParams(loaded.model)
    bare_params.set_search_options(max_length=len(ids) + 8, do_sample=False)
    preview, bare = [], []
    distribution = None
    for _ in range(RUNS):  # interleaved, so both see the same machine load
        # what the session reuses for this prompt (engine.runtime.session, "Exact reuse")
        common = next((i for i, (a, b) in enumerate(zip(session._cached, ids)) if a != b), min(len(ids), len(session._cached)))
        new = len(ids) - max(0, min(common, session._settled, len(ids) - 2))
        started = time.perf_counter()
        distribution = session.next_token(typed)
        preview.append(time.perf_counter() - started)
        generator = og.Generator(loaded.model, bare_params)
        generator.append_tokens(ids[: len(ids) - new])
        started = time.perf_counter()
        generator.append_tokens(ids[len(ids) - new:])
        generator.get_logits()
        bare.append(time.perf_counter() - started)
        del generator
    print(f"model {loaded.info.name}, vocabulary {loaded.info.vocab_size:,}, prompt {len(ids)} tokens, "
          f"{new} of them processed by each preview")
    print(f"next-token preview: {statistics.median(preview) * 1000:.1f} ms; the same forward pass on the bare "
          f"library: {statistics.median(bare) * 1000:.1f} ms (ratio {statistics.median(preview) / statistics.median(bare):.2f})")

    panel = NextTokenPanel()
    panel.resize(300, 420)
    panel.show()
    panel.show_distribution(distribution, SamplingSettings())
    moves = [SamplingSettings(temperature=0.05 + (i % 40) * 0.05, top_k=(i * 7) % 201, top_p=0.3 + (i % 8) * 0.1,
                              repetition_penalty=1.0 + (i % 5) * 0.1) for i in range(MOVES)]
    costs = []
    for settings in moves:
        panel.reshape(settings)
        costs.append(panel.last_reshape_s * 1000)
        app.processEvents()
    print(f"slider move (reshape + repaint): median {statistics.median(costs):.2f} ms, worst {max(costs):.2f} ms "
          f"of {MOVES}; one frame is {FRAME_MS:.1f} ms")

    reply = session.reply(conversation, SamplingSettings(temperature=0, max_new_tokens=32))
    reply.text()
    step_s = 1 / max(reply.record.decode_tokens_per_s, 1e-9)
    started = time.perf_counter()
    session.explain_reply(conversation, SamplingSettings(), reply.token_ids, 5)
    per_token = (time.perf_counter() - started) / max(1, len(reply.token_ids))
    print(f"reading a {len(reply.token_ids)}-token reply's choices afterwards: {per_token * 1000:.1f} ms a token; "
          f"a greedy decode step: {step_s * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
