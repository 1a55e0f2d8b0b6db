"""What this machine has for running models: RAM and GPU memory, found without extra packages.

Every probe is best effort: a value that cannot be found is None ("unknown"), never a guess.
GPU memory comes from ``nvidia-smi`` when it is on PATH; other GPUs (DirectML on AMD/Intel)
report unknown.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Hardware:
    ram_bytes: int | None
    gpu_memory_bytes: int | None = None
    gpu_name: str | None = None


def detect_hardware() -> Hardware:
    gpu_name, gpu_memory = _nvidia_gpu()
    return Hardware(ram_bytes=total_ram_bytes(), gpu_memory_bytes=gpu_memory, gpu_name=gpu_name)


def total_ram_bytes() -> int | None:
    for probe in (_ram_windows, _ram_sysconf, _ram_proc_meminfo, _ram_sysctl):
        try:
            value = probe()
        except (OSError, ValueError, AttributeError, subprocess.SubprocessError):
            continue
        if value:
            return value
    return None


def _ram_sysconf() -> int | None:
    if not hasattr(os, "sysconf"):
        return None
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def _ram_proc_meminfo() -> int | None:
    with open("/proc/meminfo", encoding="ascii") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    return None


def _ram_sysctl() -> int | None:
    if sys.platform != "darwin":
        return None
    out = subprocess.run(["sysctl", "-n", "hw.memsize"], capture_output=True, text=True, timeout=5, check=True)
    return int(out.stdout.strip())


def _ram_windows() -> int | None:
    if sys.platform != "win32":
        return None
    import ctypes

    class MemoryStatusEx(ctypes.Structure):
        _fields_ = [("dwLength", ctypes.c_ulong), ("dwMemoryLoad", ctypes.c_ulong),
                    ("ullTotalPhys", ctypes.c_ulonglong), ("ullAvailPhys", ctypes.c_ulonglong),
                    ("ullTotalPageFile", ctypes.c_ulonglong), ("ullAvailPageFile", ctypes.c_ulonglong),
                    ("ullTotalVirtual", ctypes.c_ulonglong), ("ullAvailVirtual", ctypes.c_ulonglong),
                    ("ullAvailExtendedVirtual", ctypes.c_ulonglong)]

    status = MemoryStatusEx()
    status.dwLength = ctypes.sizeof(MemoryStatusEx)
    if not ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):  # type: ignore[attr-defined]
        return None
    return int(status.ullTotalPhys)


def _nvidia_gpu() -> tuple[str | None, int | None]:
    """Name and memory of the NVIDIA GPU with the most memory, from nvidia-smi."""
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return None, None
    try:
        out = subprocess.run([exe, "--query-gpu=name,memory.total", "--format=csv,noheader,nounits"],
                             capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None, None
    return parse_nvidia_smi(out)


def parse_nvidia_smi(output: str) -> tuple[str | None, int | None]:
    """Parse ``name, MiB`` lines; keep the GPU with the most memory."""
    best: tuple[str | None, int | None] = (None, None)
    for line in output.strip().splitlines():
        name, _, mib = line.rpartition(",")
        try:
            memory = int(float(mib.strip())) * 1024 * 1024
        except ValueError:
            continue
        if best[1] is None or memory > best[1]:
            best = (name.strip(), memory)
    return best

