"""The one place that imports onnxruntime-genai.

onnxruntime writes a device id and telemetry databases under the user's cache folder
for a built-in uploader as soon as it is imported, unless ``ORT_DISABLE_TELEMETRY`` is
set *before* the import (``og.disable_telemetry_events()`` alone does not stop it).
LocalChat sends nothing anywhere unless asked, so every import goes through here.
"""

from __future__ import annotations

import os
from types import ModuleType

_og: ModuleType | None = None


def genai() -> ModuleType:
    """Return the ``onnxruntime_genai`` module, imported with telemetry off."""
    global _og
    if _og is None:
        os.environ["ORT_DISABLE_TELEMETRY"] = "1"
        import onnxruntime_genai

        onnxruntime_genai.disable_telemetry_events()
        _og = onnxruntime_genai
    return _og


def genai_version() -> str:
    from importlib import metadata

    for dist in ("onnxruntime-genai", "onnxruntime-genai-cuda", "onnxruntime-genai-directml", "onnxruntime-genai-winml"):
        try:
            return f"{dist} {metadata.version(dist)}"
        except metadata.PackageNotFoundError:
            continue
    return "onnxruntime-genai (unknown version)"
