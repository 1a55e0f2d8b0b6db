"""Before the window exists on Linux: can Qt's xcb platform plugin load, and if not, which packages fix it.

Without this, a missing system library makes Qt print its own lines and abort the process
(core dump) inside ``QApplication()``.  The check asks the system's dynamic loader, through
``ldd``, which of the plugin's libraries (and theirs, recursively) it cannot find: ``ldd``
lists every missing one at once, resolves exactly as the loader will (RUNPATH, LD_LIBRARY_PATH,
ld.so.cache), and loads nothing into this process.  Where ``ldd`` is absent (not glibc), the
plugin is loaded with ctypes, which names only the first missing library.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Mapping

# soname -> (Debian/Ubuntu package, Fedora package), for everything libqxcb.so needs from the system.
PACKAGES = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libXau.so.6": ("libxau6", "libXau"),
    "libXdmcp.so.6": ("libxdmcp6", "libXdmcp"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libGLX.so.0": ("libglx0", "libglvnd-glx"),
    "libGLdispatch.so.0": ("libglvnd0", "libglvnd"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libpng16.so.16": ("libpng16-16", "libpng"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libgthread-2.0.so.0": ("libglib2.0-0", "glib2"),
}
_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found\s*$", re.MULTILINE)
_CANNOT_OPEN = re.compile(r"([\w.+-]+\.so[\w.]*): cannot open shared object file")


def xcb_would_be_used(environ: Mapping[str, str], platform: str = sys.platform) -> bool:
    """Whether QApplication would use the xcb plugin: Linux, an X display, no other platform asked for."""
    if not platform.startswith("linux"):
        return False
    requested = environ.get("QT_QPA_PLATFORM", "")
    if requested:
        return requested.split(":")[0].split(";")[0] == "xcb"
    return bool(environ.get("DISPLAY")) and not environ.get("WAYLAND_DISPLAY")  # Qt prefers Wayland there


def no_display(environ: Mapping[str, str], platform: str = sys.platform) -> bool:
    """Linux with no display at all and no platform asked for: Qt would abort with "could not connect"."""
    return (platform.startswith("linux") and not environ.get("QT_QPA_PLATFORM")
            and not environ.get("DISPLAY") and not environ.get("WAYLAND_DISPLAY"))


def xcb_plugin() -> Path:
    from PySide6.QtCore import QLibraryInfo

    return Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms" / "libqxcb.so"


def parse_ldd(output: str) -> list[str]:
    """The libraries ``ldd`` reports as "not found", each once, in the order given."""
    return list(dict.fromkeys(_NOT_FOUND.findall(output)))


def missing_libraries(plugin: Path) -> list[str]:
    """The shared libraries ``plugin`` needs that the dynamic loader cannot find (empty when it can load)."""
    ldd = shutil.which("ldd")
    if ldd:
        done = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, timeout=30)
        return parse_ldd(done.stdout)
    try:
        ctypes.CDLL(str(plugin))
    except OSError as error:
        found = _CANNOT_OPEN.search(str(error))
        return [found.group(1)] if found else [str(error)]
    return []


def missing_sentence(missing: list[str]) -> str:
    """One sentence naming the missing libraries and the Debian/Ubuntu and Fedora packages that provide them."""
    known = [name for name in missing if name in PACKAGES]
    others = [name for name in missing if name not in PACKAGES]
    debian = list(dict.fromkeys(PACKAGES[name][0] for name in known))
    fedora = list(dict.fromkeys(PACKAGES[name][1] for name in known))
    libraries = _join(missing)
    fixes = []
    if known:
        fixes.append(f"on Debian/Ubuntu `sudo apt install {' '.join(debian)}`, on Fedora `sudo dnf install "
                     f"{' '.join(fedora)}`")
    if others:
        fixes.append(f"for {_join(others)} reinstall LocalChat (or PySide6) or install the package that provides it")
    return (f"LocalChat cannot open its window because Qt's X11 (xcb) plugin needs {libraries}, which "
            f"{'is' if len(missing) == 1 else 'are'} not installed: {'; '.join(fixes)}.")


NO_DISPLAY = ("LocalChat found no display to open its window on (neither DISPLAY nor WAYLAND_DISPLAY is set): start "
              "it from a desktop session, or use the command line, e.g. `localchat generate --help`.")


def window_problem(environ: Mapping[str, str] | None = None, plugin: Path | None = None) -> str | None:
    """One sentence saying why the window cannot open on this system, or None when it can (or is not Linux/xcb)."""
    environ = os.environ if environ is None else environ
    if no_display(environ):
        return NO_DISPLAY
    if not xcb_would_be_used(environ):
        return None
    missing = missing_libraries(plugin or xcb_plugin())
    return missing_sentence(missing) if missing else None


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
