"""Extra installed distributions for tests: real ``.dist-info`` folders that importlib.metadata reads.

Putting the folder on ``sys.path`` (or ``PYTHONPATH`` for a child process) makes the
distribution installed as far as importlib.metadata, pip's view of it, is concerned,
without touching the environment the tests run in.
"""

from __future__ import annotations

from pathlib import Path


def add_distribution(site: Path, name: str, version: str, requires: tuple[str, ...] = ()) -> Path:
    """Write ``<name>-<version>.dist-info`` with METADATA into ``site``; returns ``site``."""
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}",
             *(f"Requires-Dist: {requirement}" for requirement in requires)]
    (info / "METADATA").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return site


def the_other_flavour(site: Path, installed: str) -> tuple[str, str]:
    """Install (as metadata) the flavour that is not ``installed``, with its onnxruntime; returns both names."""
    if installed == "onnxruntime-genai":
        add_distribution(site, "onnxruntime-genai-cuda", "0.18.0", ("onnxruntime-gpu>=1.31.0",))
        add_distribution(site, "onnxruntime-gpu", "1.31.1")
        return "onnxruntime-genai-cuda", "onnxruntime-gpu"
    add_distribution(site, "onnxruntime-genai", "0.18.0", ("onnxruntime>=1.31.0",))
    add_distribution(site, "onnxruntime", "1.32.0")
    return "onnxruntime-genai", "onnxruntime"
