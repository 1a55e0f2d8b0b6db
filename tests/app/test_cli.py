"""The headless command line: streaming output, JSON figures, plain errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app import __version__
from app.cli import run
from synthetic_model import REPLY_TEXT

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "import sys; from app.cli import run; sys.exit(run(sys.argv[1:]))"]


def test_generate_streams_the_reply(chat_model, capsys):
    assert run(["generate", "--model", str(chat_model), "--prompt", "hi", "--temperature", "0"]) == 0
    assert capsys.readouterr().out == REPLY_TEXT + "\n"


def test_generate_json_has_text_and_figures(plain_model, capsys):
    code = run(["generate", "--model", str(plain_model), "--prompt", "count", "--temperature", "0",
                "--max-tokens", "4", "--json"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["text"] == " one two three four"
    assert result["generated_tokens"] == 4 and result["prompt_tokens"] == 2
    assert result["finish_reason"] == "max_tokens" and result["provider"] == "cpu"
    for key in ("reused_tokens", "ttft_s", "decode_tokens_per_s"):
        assert key in result


def test_seed_reproduces_a_sampled_reply(chat_model, capsys):
    args = ["generate", "--model", str(chat_model), "--prompt", "hi", "--temperature", "1.5", "--seed", "42",
            "--max-tokens", "15", "--json"]
    run(args)
    first = json.loads(capsys.readouterr().out)
    run(args)
    assert json.loads(capsys.readouterr().out)["text"] == first["text"]
    assert first["seed"] == 42


@pytest.mark.parametrize("args, words", [
    (["generate", "--model", "/no/such/folder", "--prompt", "hi"], "no folder at that path"),
    (["generate", "--model", "{model}", "--prompt", "hi", "--temperature", "9"], "Temperature must be"),
    (["generate", "--model", "{model}", "--prompt", "hello " * 400], "too long"),
])
def test_bad_input_gives_one_plain_sentence_and_nonzero_exit(chat_model, args, words):
    args = [a.replace("{model}", str(chat_model)) for a in args]
    done = subprocess.run(CLI + args, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 1
    assert words in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        run(["--version"])
    assert exit_.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_doctor_reports_versions_providers_and_folders(chat_model, capsys, localchat_home):
    assert run(["doctor", "--model", str(chat_model)]) == 0
    out = capsys.readouterr().out
    assert "onnxruntime-genai" in out and "Providers in this build: CPU" in out
    assert str(localchat_home) in out
    assert "runs on CPU" in out


def test_bench_prints_figures_with_ratios(plain_model, capsys):
    assert run(["bench", "--model", str(plain_model), "--decode-tokens", "50", "--repeats", "2", "--runs", "1",
                "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    greedy = figures["greedy"]
    assert greedy["tokens_per_s"] > 0 and greedy["ratio"] == greedy["tokens_per_s"] / greedy["baseline_tokens_per_s"]
    assert [case["settings"]["top_k"] for case in figures["sampled"]] == [40, 0]
    for case in figures["sampled"]:
        assert case["against_library"]["baseline_tokens_per_s"] > 0 and case["choices_against_off"]["ratio"] > 0
    chat = figures["conversation"]
    assert len(chat["ttft_reuse_s"]) == 10 == len(chat["ttft_reprocess_s"]) == len(chat["settle_s"])
    assert chat["same_replies"]
    assert all(new < size for new, size in zip(chat["new_tokens"][1:], chat["prompt_tokens"][1:]))  # reused


def test_bench_report_names_every_figure(plain_model, capsys):
    assert run(["bench", "--model", str(plain_model), "--decode-tokens", "20", "--repeats", "1", "--turns", "3",
                "--runs", "1"]) == 0
    out = capsys.readouterr().out
    for words in ("load", "time to first token", "prefill", "bare onnxruntime-genai loop", "do_sample",
                  "choices on / off", "3-turn conversation", "largest TTFT step", "identical: yes"):
        assert words in out


def test_generate_json_can_carry_token_choices(chat_model, capsys):
    run(["generate", "--model", str(chat_model), "--prompt", "hi", "--temperature", "0", "--json", "--choices", "2"])
    result = json.loads(capsys.readouterr().out)
    assert len(result["choices"]) == result["generated_tokens"] == 15
    first = result["choices"][0]
    assert [c["text"] for c in first] == [" Hello", " la"] and first[0]["chosen"] and first[0]["drawn_probability"] == 1
