"""The sampling-floor benchmark runs on a real model and reports each of its three loops."""

from __future__ import annotations

import re

from app.devtools.bench_sampling_floor import main


def test_each_loop_is_measured_against_the_native_sampler(chat_model, capsys):
    assert main(["--model", str(chat_model), "--runs", "1", "--tokens", "8"]) == 0
    out = capsys.readouterr().out
    for label in ("LocalChat's sampler", "a draw that costs nothing", "a draw that calls numpy once"):
        assert re.search(re.escape(label) + r"\s+ratio \d+\.\d{3} \(\d+\.\d{3}-\d+\.\d{3}\), draw \d+ µs", out), out
