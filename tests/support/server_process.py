"""``localchat serve`` as a subprocess for the server conformance suite, ready once /health says so."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import openai

ROOT = Path(__file__).resolve().parents[2]
START_DEADLINE_S = 120  # a generous bound on a shared, loaded machine; reached only if the server is broken


class RunningServer:
    """One ``localchat serve`` process on a free port."""

    def __init__(self, model: Path, home: Path, *flags: str) -> None:
        self.log_path = home / "server.log"
        home.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "LOCALCHAT_HOME": str(home), "ORT_DISABLE_TELEMETRY": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app", "serve", "--model", str(model), "--port", "0", *flags],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=self.log_path.open("w"), text=True)
        line = self.process.stdout.readline()
        if "http://" not in line:
            raise RuntimeError(f"server did not start: {line!r} {self.log_path.read_text()}")
        self.base_url = line.split()[3]  # "LocalChat server on http://127.0.0.1:PORT/v1 ..."
        self.root = self.base_url.removesuffix("/v1")
        self.api_key = flags[flags.index("--api-key") + 1] if "--api-key" in flags else None
        self.wait_ready()

    def wait_ready(self) -> None:
        """Poll /health until it answers 200 (503 while the model loads)."""
        deadline = time.monotonic() + START_DEADLINE_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()}")
            try:
                if httpx.get(f"{self.root}/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise RuntimeError("server never became ready")

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def client(self, **kwargs) -> openai.OpenAI:
        return openai.OpenAI(base_url=self.base_url, api_key=self.api_key or "unused", max_retries=0, **kwargs)

    def post(self, path: str, body: dict, **kwargs) -> httpx.Response:
        return httpx.post(f"{self.root}{path}", json=body, headers=self.headers(), timeout=120, **kwargs)

    def metrics(self) -> dict[str, int]:
        text = httpx.get(f"{self.root}/metrics", headers=self.headers()).text
        return {name.split(":")[1]: int(value) for name, value in (line.split() for line in text.splitlines())}

    def wait_idle(self) -> dict[str, int]:
        """Poll /metrics until no generation is running or waiting; return the counters."""
        deadline = time.monotonic() + START_DEADLINE_S
        while time.monotonic() < deadline:
            figures = self.metrics()
            if figures["requests_processing"] == 0 and figures["requests_deferred"] == 0:
                return figures
            time.sleep(0.02)
        raise AssertionError("the server never became idle")

    def wait_metric(self, name: str, at_least: int) -> dict[str, int]:
        deadline = time.monotonic() + START_DEADLINE_S
        while time.monotonic() < deadline:
            figures = self.metrics()
            if figures[name] >= at_least:
                return figures
            time.sleep(0.02)
        raise AssertionError(f"{name} never reached {at_least}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)

LONG_PROMPT = [{"role": "user", "content": "hi"}]  # the long model (tests/server/conftest.py) runs long on this
