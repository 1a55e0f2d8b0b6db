"""Which execution providers this onnxruntime-genai build offers, and which one to use.

``og.is_cuda_available()`` and ``og.is_dml_available()`` only say how the wheel was built,
not whether a GPU is present; whether the provider really starts is found out by loading
the model (see engine.runtime.model), which falls back to CPU with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.errors import ProviderUnavailable
from engine.runtime.genai import genai

PROVIDERS = ("auto", "cpu", "cuda", "dml")
LABELS = {"auto": "Auto", "cpu": "CPU", "cuda": "CUDA", "dml": "DirectML"}


@dataclass(frozen=True)
class ProviderChoice:
    provider: str
    fallback_reason: str | None = None


def built_in_providers() -> list[str]:
    """Providers this onnxruntime-genai build was compiled with, best first."""
    og = genai()
    found = []
    if og.is_cuda_available():
        found.append("cuda")
    if og.is_dml_available():
        found.append("dml")
    return found + ["cpu"]


def choose_provider(requested: str) -> ProviderChoice:
    """The provider to try first for ``requested``, or CPU with the reason it must be CPU."""
    if requested not in PROVIDERS:
        raise ProviderUnavailable(f"LocalChat has no provider called {requested!r}; choose one of "
                                  f"{', '.join(PROVIDERS)}.")
    available = built_in_providers()
    if requested == "auto":
        return ProviderChoice(available[0])
    if requested in available:
        return ProviderChoice(requested)
    return ProviderChoice("cpu", f"This build of onnxruntime-genai has no {LABELS[requested]} support; "
                                 "using the CPU instead.")
