"""Downloads killed with SIGKILL at random points resume inside the file and finish with the right checksums.

Each run starts a real download in a child process against the fake Hub, which stalls the
chosen file at a random byte offset (fixed seed).  Once the child has written what it received,
it is killed with SIGKILL; the download is then run again to the end.  The fake Hub counts every
body byte it writes, so the bytes fetched twice are measured, not assumed.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.models import transfer
from engine.models.download_lock import DownloadInProgress
from engine.models.registry import Registry
from hub_server import FakeHub, files_from_folder
from synthetic_model import build_synthetic_model

REPO = "test-org/synthetic-onnx"
RUNS = 20
SEED = 20261201
CHUNK = transfer.CHUNK_BYTES
BIG = "cpu-int4/model.onnx.data"
ROOT = Path(__file__).resolve().parents[2]
CHILD = ("import sys; from engine.models.registry import Registry; "
         "Registry(sys.argv[1]).add_hub(sys.argv[2], 'cpu-int4', model_id='synthetic')")

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


@pytest.fixture(scope="module")
def repo_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    model = build_synthetic_model(tmp_path_factory.mktemp("hub") / "model")
    files = files_from_folder(model, "cpu-int4")
    files[BIG] = random.Random(SEED).randbytes(3 * 1024 * 1024 + 4321)  # a few MiB: many chunks, bounded time
    return files


def wait_until(condition, what: str, timeout: float = 120.0) -> None:
    """Wait for something the child does; the deadline only turns a hang into a failure."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.01)


def part_size(models: Path, path: str) -> int:
    part = transfer.part_path(models / "synthetic.partial" / path)
    return part.stat().st_size if part.exists() else 0


def test_sigkill_at_random_points_then_resume(repo_files: dict[str, bytes], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(SEED)
    sizes = {path: len(data) for path, data in repo_files.items()}
    refetched_total, runs = 0, []
    for run in range(RUNS):
        hub = FakeHub(REPO, dict(repo_files)).start()
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        models = tmp_path / f"run{run}" / "models"
        path = rng.choices(list(sizes), weights=list(sizes.values()))[0]
        kill_at = rng.randrange(sizes[path])
        hub.faults.stall[path] = kill_at
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(models), REPO], cwd=ROOT,
                                 env={**os.environ, "HF_ENDPOINT": hub.url}, stderr=subprocess.PIPE)
        try:
            wait_until(lambda: hub.stalled.is_set() or child.poll() is not None, "the Hub to stall")
            assert child.poll() is None, child.stderr.read().decode()
            # what the child received is on disk, but for at most the chunk it is still gathering
            wait_until(lambda: part_size(models, path) >= kill_at - CHUNK, "the child to write what it received")
            if run == 0:  # while it lives, a second download of the same model is refused with a sentence
                with pytest.raises(DownloadInProgress, match="already being downloaded"):
                    Registry(models).add_hub(REPO, "cpu-int4", model_id="synthetic")
            held_at_kill = part_size(models, path)
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
            child.stderr.close()
            hub.release.set()
        served_before = hub.served.get(path, 0)

        installed = Registry(models).add_hub(REPO, "cpu-int4", model_id="synthetic", backoff_seconds=0.01)

        for repo_path, data in repo_files.items():
            local = installed.path / repo_path.split("/", 1)[1]
            assert hashlib.sha256(local.read_bytes()).digest() == hashlib.sha256(data).digest(), repo_path
        refetched = hub.served.get(path, 0) - sizes[path]
        assert served_before == kill_at
        assert 0 <= refetched == kill_at - held_at_kill <= CHUNK, (path, kill_at, held_at_kill)
        leftovers = [p.name for p in models.rglob("*") if p.name.endswith((".part", ".incomplete", ".lock"))]
        assert leftovers == [] and not (models / "synthetic.partial").exists()
        refetched_total += refetched
        runs.append((path, kill_at, refetched))
        hub.stop()
    print(f"\n{RUNS} SIGKILLed downloads resumed; bytes fetched twice: {refetched_total} in all, "
          f"at most {max(r for _, _, r in runs)} in one run (chunk {CHUNK})")


def test_a_stale_lock_from_a_dead_process_is_taken_over(repo_files: dict[str, bytes], tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    hub = FakeHub(REPO, dict(repo_files)).start()
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    models = tmp_path / "models"
    models.mkdir()
    (models / "synthetic.lock").write_text(f'{{"pid": {gone.pid}}}', encoding="utf-8")
    try:
        installed = Registry(models).add_hub(REPO, "cpu-int4", model_id="synthetic")
    finally:
        hub.stop()
    assert installed.id == "synthetic" and not (models / "synthetic.lock").exists()


def test_a_lock_held_by_a_live_process_refuses_with_a_sentence(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    (models / "synthetic.lock").write_text(f'{{"pid": {os.getpid()}}}', encoding="utf-8")
    with pytest.raises(DownloadInProgress) as caught:
        Registry(models).add_hub(REPO, "cpu-int4", model_id="synthetic")
    assert "synthetic is already being downloaded by another LocalChat" in caught.value.user_message
