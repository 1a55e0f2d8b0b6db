"""``localchat serve`` as a subprocess for the devtools (benchmarks, screenshots): started on a free port, ready
once ``/health`` answers 200."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx

from app.devtools.dev_models import ROOT

READY_S = 120


def start_serve(model: str, home: str, *flags: str) -> tuple[subprocess.Popen, str]:
    """The server on ``model`` with LocalChat's home in ``home``, and its base URL (``…/v1``)."""
    env = {**os.environ, "LOCALCHAT_HOME": home, "ORT_DISABLE_TELEMETRY": "1"}
    process = subprocess.Popen([sys.executable, "-m", "app", "serve", "--model", model, "--port", "0", *flags],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    url = next(word for word in process.stdout.readline().split() if word.startswith("http://"))
    deadline = time.monotonic() + READY_S
    while time.monotonic() < deadline:
        try:
            if httpx.get(url.removesuffix("/v1") + "/health").status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    process.kill()
    raise RuntimeError("the server did not become ready")
