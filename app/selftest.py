"""``localchat self-test``: prove that an installed LocalChat can really generate.

It loads a tiny synthetic model (tests/support/synthetic_model.py), asks it for a
greedy reply through the engine's child process and in this process, and compares
both with the one reply that model can give.  The result goes to a JSON file as
well as stdout because a Windows GUI build has no console to print to.

Where the model comes from:
* an installer: built into the bundle at ``resources/selftest-model`` (see packaging/);
* a source checkout: made on the fly in a temporary folder, which needs ``onnx``
  (a test dependency); without it the self-test fails and says so.
"""

from __future__ import annotations

import json
import platform
import sys
import tempfile
import time
import traceback
from contextlib import ExitStack
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Callable

from app import __version__, paths
from app.devtools.dev_models import NoSyntheticModel, synthetic_builder

EXPECTED_REPLY = "Hello café costs 5€ 😀"  # the synthetic model's only greedy answer (REPLY_TEXT there)
PROMPT = "hi"
BUNDLED_MODEL = "selftest-model"  # folder inside the ``resources`` package of a built app


class NoSelfTestModel(RuntimeError):
    pass


def default_output() -> Path:
    return paths.log_dir() / "selftest.json"


def bundled_model() -> Path | None:
    folder = Path(str(resources.files("resources") / BUNDLED_MODEL))
    return folder if (folder / "genai_config.json").is_file() else None


def generate_model(folder: Path) -> Path:
    """Build the synthetic model into ``folder`` (source checkouts only; a built app bundles it)."""
    try:
        return synthetic_builder()(folder, chat=True)
    except NoSyntheticModel as error:
        raise NoSelfTestModel(f"This build has no self-test model. {error}") from error


def _check(name: str, run: Callable[[], str]) -> dict:
    start = time.perf_counter()
    try:
        reply = run()
        ok = reply == EXPECTED_REPLY
        result = {"name": name, "ok": ok, "reply": reply}
        if not ok:
            result["error"] = f"expected {EXPECTED_REPLY!r}"
    except Exception as error:  # noqa: BLE001 - any failure is the answer the self-test exists to give
        result = {"name": name, "ok": False, "error": f"{type(error).__name__}: {error}",
                  "traceback": traceback.format_exc(limit=8)}
    result["seconds"] = round(time.perf_counter() - start, 3)
    return result


def _engine_process_reply(model: Path) -> str:
    from engine.runtime.conversation import Message
    from engine.process.client import EngineProcess
    from engine.runtime.settings import SamplingSettings

    engine = EngineProcess()
    try:
        engine.load(str(model), "cpu")
        return engine.reply([Message("user", PROMPT)], SamplingSettings(temperature=0)).text()
    finally:
        engine.close()


def _in_process_reply(model: Path) -> str:
    from engine.runtime.conversation import Message
    from engine.runtime.model import load_model
    from engine.runtime.session import ChatSession
    from engine.runtime.settings import SamplingSettings

    session = ChatSession(load_model(model, "cpu"))
    return session.reply([Message("user", PROMPT)], SamplingSettings(temperature=0)).text()


def _genai_version() -> str:
    try:
        from engine.runtime.genai import genai_version

        return genai_version()
    except Exception as error:  # noqa: BLE001
        return f"unknown ({error})"


def self_test(model: Path | None = None) -> dict:
    """Run every check and return the result (``result["ok"]`` says whether all passed)."""
    started = time.perf_counter()
    result = {"ok": False, "localchat": __version__, "frozen": bool(getattr(sys, "frozen", False)),
              "python": platform.python_version(), "platform": platform.platform(), "machine": platform.machine(),
              "genai": _genai_version(), "expected": EXPECTED_REPLY,
              "time": datetime.now(timezone.utc).isoformat(timespec="seconds"), "checks": []}
    with ExitStack() as stack:
        try:
            if model is not None:
                result["model_source"] = "given"
            elif (model := bundled_model()) is not None:
                result["model_source"] = "bundled"
            else:
                folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="localchat-selftest-")))
                model = generate_model(folder / "synthetic-chat")
                result["model_source"] = "generated"
        except NoSelfTestModel as error:
            result["error"] = str(error)
        else:
            result["model"] = str(model)
            result["checks"] = [_check("engine_process", lambda: _engine_process_reply(model)),
                                _check("in_process", lambda: _in_process_reply(model))]
            result["ok"] = all(check["ok"] for check in result["checks"])
    result["seconds"] = round(time.perf_counter() - started, 3)
    return result


def write_result(result: dict, output: Path) -> Path:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return output


def summary(result: dict) -> str:
    lines = [f"LocalChat {result['localchat']} self-test: {'OK' if result['ok'] else 'FAILED'}"]
    if "error" in result:
        lines.append(f"  {result['error']}")
    for check in result["checks"]:
        state = "ok" if check["ok"] else f"FAILED ({check.get('error', '')})"
        lines.append(f"  {check['name']}: {state} in {check['seconds']} s")
    return "\n".join(lines)


def run_self_test(output: str | Path | None = None, model: str | Path | None = None) -> int:
    """Run the self-test, write the JSON result, print a summary; return the exit code (0 ok, 1 failed).

    This is what ``localchat self-test`` and the window's ``--self-test`` flag call.
    """
    result = self_test(Path(model) if model else None)
    target = Path(output) if output else default_output()
    try:
        result["output"] = str(write_result(result, target))
    except OSError as error:
        result["ok"] = False
        result["error"] = f"Could not write {target}: {error}"
    print(summary(result) + (f"\n  result: {target}" if result.get("output") else ""))
    return 0 if result["ok"] else 1
