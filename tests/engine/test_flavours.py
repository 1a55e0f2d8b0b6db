"""Which onnxruntime-genai flavour is installed, read from package metadata without importing it.

Runs in the main environment (CPU flavour) and, in CI, again in one with onnxruntime-genai-cuda:
there, the real distributions prove that installing ``localchat[cuda]`` brought no CPU flavour along.
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from distributions import the_other_flavour
from engine.runtime import genai as genai_module
from engine.runtime.genai import (FLAVOURS, INSTALL_COMMAND, ONNXRUNTIME_DISTRIBUTIONS, PACKAGE_FOR_PROVIDER,
                                  flavour_problem, flavour_providers, installed_flavours, installed_onnxruntimes,
                                  onnxruntime_version)
from engine.errors import GenaiMissing
from engine.runtime.providers import built_in_providers

pytestmark = pytest.mark.providers
ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "import sys; from app.cli import run; sys.exit(run(sys.argv[1:]))"]


def required_onnxruntime(flavour: str) -> list[str]:
    names = [r.split(">")[0].split("=")[0].split("<")[0].strip() for r in metadata.requires(flavour) or []]
    return [name for name in names if name in ONNXRUNTIME_DISTRIBUTIONS]


def test_exactly_one_flavour_and_the_onnxruntime_it_needs_are_installed():
    flavours = installed_flavours()
    assert len(flavours) == 1, flavours
    assert [name for name, _ in installed_onnxruntimes()] == required_onnxruntime(flavours[0][0])
    assert flavour_problem() is None


def test_the_flavour_table_matches_what_the_module_was_built_with():
    assert flavour_providers() == built_in_providers()


def test_every_provider_has_a_package_that_offers_it():
    for provider, package in PACKAGE_FOR_PROVIDER.items():
        assert provider in FLAVOURS[package]


def test_reading_the_flavour_does_not_import_onnxruntime():
    code = ("import sys; from engine.runtime.genai import flavour_problem, flavour_providers; flavour_providers(); "
            "flavour_problem(); assert 'onnxruntime_genai' not in sys.modules and 'onnxruntime' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_doctor_names_the_onnxruntime_distribution_installed():
    done = subprocess.run([*CLI, "doctor"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    (flavour, version), = installed_flavours()
    lines = done.stdout.splitlines()
    assert lines[2].startswith(f"{flavour} {version} ")
    runtime = required_onnxruntime(flavour)
    assert lines[3] == (f"{runtime[0]} {metadata.version(runtime[0])}" if runtime else f"onnxruntime bundled in {flavour}")
    assert lines[3] == onnxruntime_version()


def test_a_second_flavour_is_named_with_the_command_that_removes_it(tmp_path):
    (installed, _), = installed_flavours()
    other, other_runtime = the_other_flavour(tmp_path, installed)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([*CLI, "history", "list"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "No conversations yet."  # the command still works
    message = done.stderr.strip()
    assert message.startswith("localchat: Two onnxruntime-genai flavours are installed (")
    # The GPU flavour is kept (a user installs it on purpose; the CPU one comes along by default).
    assert "keep onnxruntime-genai-cuda with `pip uninstall -y onnxruntime-genai onnxruntime && " in message
    assert "pip install --force-reinstall --no-deps onnxruntime-genai-cuda==0.18.0 onnxruntime-gpu==" in message
    assert other in message and other_runtime in message


def test_doctor_says_so_too(tmp_path):
    (installed, _), = installed_flavours()
    the_other_flavour(tmp_path, installed)
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    done = subprocess.run([*CLI, "doctor"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.stderr == ""  # said once, in the report
    assert any(line.startswith("Two onnxruntime-genai flavours are installed") for line in done.stdout.splitlines())


def test_no_flavour_is_one_sentence_naming_the_install_command(monkeypatch, chat_model, capsys):
    monkeypatch.setattr(genai_module, "installed_flavours", lambda: [])  # injected: metadata finds none
    assert flavour_problem() == genai_module.missing_sentence()
    assert f"`{INSTALL_COMMAND}`" in flavour_problem() and "\n" not in flavour_problem()
    monkeypatch.setattr(genai_module, "_og", None)
    monkeypatch.setitem(sys.modules, "onnxruntime_genai", None)  # injected: the module cannot be imported
    with pytest.raises(GenaiMissing) as caught:
        genai_module.genai()
    assert caught.value.user_message == genai_module.missing_sentence()
    from app.cli import run

    assert run(["generate", "--model", str(chat_model), "--prompt", "hi"]) == 1
    assert capsys.readouterr().err == f"localchat: {genai_module.missing_sentence()}\n"
