"""The one place that imports onnxruntime-genai.

onnxruntime writes a device id and telemetry databases under the user's cache folder
for a built-in uploader as soon as it is imported, unless ``ORT_DISABLE_TELEMETRY`` is
set *before* the import (``og.disable_telemetry_events()`` alone does not stop it).
LocalChat sends nothing anywhere unless asked, so every import goes through here.
"""

from __future__ import annotations

import os
from importlib import metadata
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


# Every flavour of onnxruntime-genai installs the same module; the distribution's name says which
# providers it was built with, without importing it (the window's process never does).  Best first.
FLAVOURS = {
    "onnxruntime-genai-cuda": ("cuda", "cpu"),
    "onnxruntime-genai-winml": ("dml", "cpu"),
    "onnxruntime-genai-directml": ("dml", "cpu"),
    "onnxruntime-genai": ("cpu",),
}
PACKAGE_FOR_PROVIDER = {"cpu": "onnxruntime-genai", "cuda": "onnxruntime-genai-cuda", "dml": "onnxruntime-genai-winml"}


def installed_flavour() -> tuple[str, str] | None:
    """(distribution, version) of the installed onnxruntime-genai flavour, or None."""
    for distribution in FLAVOURS:
        try:
            return distribution, metadata.version(distribution)
        except metadata.PackageNotFoundError:
            continue
    return None


def flavour_providers() -> list[str]:
    """Providers the installed flavour offers, read from package metadata only; CPU when none is found."""
    flavour = installed_flavour()
    return list(FLAVOURS[flavour[0]]) if flavour else ["cpu"]


def genai_version() -> str:
    flavour = installed_flavour()
    return " ".join(flavour) if flavour else "onnxruntime-genai (unknown version)"
