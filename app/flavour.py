"""Which execution providers the installed onnxruntime-genai offers, read from package metadata.

The window's process must never import onnxruntime-genai (the engine runs in its own process),
so ``engine.providers.built_in_providers`` is out of reach here; the name of the installed
distribution says the same thing without loading it.
"""

from __future__ import annotations

from importlib import metadata

# Best first, as engine.providers.built_in_providers orders them.
FLAVOURS = {
    "onnxruntime-genai-cuda": ["cuda", "cpu"],
    "onnxruntime-genai-directml": ["dml", "cpu"],
    "onnxruntime-genai-winml": ["dml", "cpu"],
    "onnxruntime-genai": ["cpu"],
}


def available_providers() -> list[str]:
    """Providers of the first onnxruntime-genai flavour installed; CPU when none is found."""
    for distribution, providers in FLAVOURS.items():
        try:
            metadata.version(distribution)
        except metadata.PackageNotFoundError:
            continue
        return list(providers)
    return ["cpu"]
