"""The one place that imports onnxruntime-genai.

onnxruntime writes a device id and telemetry databases under the user's cache folder
for a built-in uploader as soon as it is imported, unless ``ORT_DISABLE_TELEMETRY`` is
set *before* the import (``og.disable_telemetry_events()`` alone does not stop it).
LocalChat sends nothing anywhere unless asked, so every import goes through here.
"""

from __future__ import annotations

import os
import re
from importlib import metadata
from types import ModuleType

from engine.errors import GenaiMissing

_og: ModuleType | None = None


def genai() -> ModuleType:
    """Return the ``onnxruntime_genai`` module, imported with telemetry off."""
    global _og
    if _og is None:
        os.environ["ORT_DISABLE_TELEMETRY"] = "1"
        try:
            import onnxruntime_genai
        except ImportError as error:
            raise GenaiMissing(missing_sentence(), str(error)) from error

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
# The distributions of onnxruntime itself: each installs the module ``onnxruntime``, which genai loads by path.
# (onnxruntime-genai needs onnxruntime, -cuda needs onnxruntime-gpu; -winml carries its own and needs none.)
ONNXRUNTIME_DISTRIBUTIONS = ("onnxruntime", "onnxruntime-gpu", "onnxruntime-directml", "onnxruntime-windowsml",
                             "onnxruntime-openvino", "onnxruntime-qnn", "onnxruntime-rocm", "onnxruntime-training")
INSTALL_COMMAND = "pip install onnxruntime-genai"


def _installed(names: tuple[str, ...] | dict) -> list[tuple[str, str]]:
    found = []
    for name in names:
        try:
            found.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            continue
    return found


def installed_flavours() -> list[tuple[str, str]]:
    """(distribution, version) of every onnxruntime-genai flavour installed, best first (one is right)."""
    return _installed(FLAVOURS)


def installed_flavour() -> tuple[str, str] | None:
    """(distribution, version) of the installed onnxruntime-genai flavour (the best one if several), or None."""
    flavours = installed_flavours()
    return flavours[0] if flavours else None


def installed_onnxruntimes() -> list[tuple[str, str]]:
    """(distribution, version) of every onnxruntime distribution installed (one at most is right)."""
    return _installed(ONNXRUNTIME_DISTRIBUTIONS)


def flavour_providers() -> list[str]:
    """Providers the installed flavour offers, read from package metadata only; CPU when none is found."""
    flavour = installed_flavour()
    return list(FLAVOURS[flavour[0]]) if flavour else ["cpu"]


def genai_version() -> str:
    flavour = installed_flavour()
    return " ".join(flavour) if flavour else "onnxruntime-genai not installed"


def onnxruntime_version() -> str:
    """The onnxruntime distribution(s) actually installed, e.g. "onnxruntime-gpu 1.31.1"."""
    found = installed_onnxruntimes()
    if found:
        return ", ".join(" ".join(dist) for dist in found)
    flavour = installed_flavour()
    return f"onnxruntime bundled in {flavour[0]}" if flavour and not _needs_onnxruntime(flavour[0]) else \
        "onnxruntime not installed"


def missing_sentence() -> str:
    return (f"No onnxruntime-genai is installed, so LocalChat cannot run a model: install it with "
            f"`{INSTALL_COMMAND}` (or onnxruntime-genai-cuda for an NVIDIA GPU, onnxruntime-genai-winml for "
            "DirectML on Windows).")


def flavour_problem() -> str | None:
    """One sentence when the installed flavours cannot work (none, or two overwriting each other), else None."""
    flavours = installed_flavours()
    if not flavours:
        return missing_sentence()
    runtimes = installed_onnxruntimes()
    keep = flavours[0][0]
    needed = _onnxruntime_needed_by(keep)
    extra_runtimes = [name for name, _ in runtimes if needed and name not in needed]
    remove = [name for name, _ in flavours[1:]] + extra_runtimes
    if not remove:
        return None
    kept = [f"{name}=={version}" for name, version in flavours[:1] + runtimes if name not in remove]
    if len(flavours) > 1:
        what = f"{_count(len(flavours))} onnxruntime-genai flavours are installed ({_names(flavours)})"
    else:
        what = f"{_names(runtimes)} are all installed beside {keep}"
    return (f"{what}, and they overwrite each other's files: keep {keep} with "
            f"`pip uninstall -y {' '.join(remove)} && pip install --force-reinstall --no-deps {' '.join(kept)}`.")


def _count(n: int) -> str:
    return {2: "Two", 3: "Three"}.get(n, str(n))


def _names(found: list[tuple[str, str]]) -> str:
    names = [name for name, _ in found]
    return " and ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + " and " + names[-1]


def _requirements(distribution: str) -> list[str]:
    try:
        return metadata.requires(distribution) or []
    except metadata.PackageNotFoundError:
        return []


def _onnxruntime_needed_by(flavour: str) -> set[str]:
    """The onnxruntime distributions ``flavour`` declares it needs (by name)."""
    names = set()
    for requirement in _requirements(flavour):
        name = re.split(r"[\s<>=!~;\[(]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")
        if name in ONNXRUNTIME_DISTRIBUTIONS:
            names.add(name)
    return names


def _needs_onnxruntime(flavour: str) -> bool:
    return bool(_onnxruntime_needed_by(flavour))
