"""Which execution providers this onnxruntime-genai build offers, and which one to use.

``og.is_cuda_available()`` and ``og.is_dml_available()`` only say how the wheel was built,
not whether a GPU is present; whether the provider really starts is found out by loading
the model (see engine.runtime.model), which falls back to CPU with a reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.errors import ProviderUnavailable
from engine.runtime.genai import genai

PROVIDERS = ("auto", "cpu", "cuda", "dml")
LABELS = {"auto": "Auto", "cpu": "CPU", "cuda": "CUDA", "dml": "DirectML"}


@dataclass(frozen=True)
class ProviderChoice:
    provider: str
    fallback_reason: str | None = None
    fallback_detail: str = ""
    fallback_from: str = ""  # the provider that was wanted, when the CPU stands in for it


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
                                 "using the CPU instead.", fallback_from=requested)


_MISSING_LIBRARY = re.compile(r"(?:failed to load library|error loading|cannot open shared object)[^A-Za-z0-9]*"
                              r"([\w.+-]+\.(?:so(?:\.\d+)*|dll))", re.IGNORECASE)
_START_FAILURES = (  # (words in the library's message, what they mean for the user), most specific first
    (("no cuda-capable device", "cudaerrornodevice", "no device"), "no NVIDIA GPU was found"),
    (("driver version is insufficient", "cudaerrorinsufficientdriver"),
     "the NVIDIA driver is older than this CUDA build needs: update it"),
    (("out of memory",), "the GPU has not enough free memory for this model"),
)


def start_failure_reason(provider: str, library_message: str) -> str:
    """One sentence saying why a provider this build has could not start, and that the CPU is used instead."""
    label = LABELS.get(provider, provider)
    lowered = library_message.lower()
    why = next((meaning for words, meaning in _START_FAILURES if any(w in lowered for w in words)), None)
    missing = _MISSING_LIBRARY.search(library_message)
    if why is None and missing:
        why = _missing_library(provider, missing.group(1))
    if why is None:
        first_line = (library_message.strip().splitlines() or ["no reason given"])[0][:200]
        why = f"the library said: {first_line}"
    return f"{label} could not start ({why}); using the CPU instead."


def _missing_library(provider: str, library: str) -> str:
    if library.startswith(("libcuda.so", "nvcuda")):
        return f"the NVIDIA driver is not installed ({library} is missing)"
    if provider == "cuda":
        return (f"{library} is missing: install the CUDA runtime and cuDNN libraries that the installed "
                "onnxruntime-gpu was built for")
    return f"{library} is missing"
