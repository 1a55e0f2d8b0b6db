"""Before the window opens on Linux: the libraries Qt's xcb plugin needs, and one sentence when some are missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.linux_libraries import (NO_DISPLAY, PACKAGES, missing_libraries, missing_sentence, parse_ldd,
                                 window_problem, xcb_plugin, xcb_would_be_used)

ROOT = Path(__file__).resolve().parents[2]
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux") or not shutil.which("ldd"),
                                reason="the xcb plugin and ldd are Linux's")

# ldd of PySide6 6.11's libqxcb.so on a minimal Debian 12 (abridged, as printed).
LDD_OUTPUT = """\
\tlinux-vdso.so.1 (0x00007f92e50de000)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6 (0x00007f92e4a00000)
\tlibGL.so.1 => /lib/x86_64-linux-gnu/libGL.so.1 (0x00007f92e4f80000)
\tlibxcb-cursor.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb-util.so.1 => /lib/x86_64-linux-gnu/libxcb-util.so.1 (0x00007f92e4f1e000)
\tlibxcb-keysyms.so.1 => not found
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f92e321e000)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\t/lib64/ld-linux-x86-64.so.2 (0x00007f92e50e0000)
"""


def test_ldd_output_gives_each_missing_library_once():
    assert parse_ldd(LDD_OUTPUT) == ["libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1"]
    assert parse_ldd(LDD_OUTPUT.replace("not found", "/usr/lib/x.so (0x1)")) == []


def test_the_sentence_names_the_libraries_and_both_distributions_packages():
    sentence = missing_sentence(parse_ldd(LDD_OUTPUT))
    assert sentence == ("LocalChat cannot open its window because Qt's X11 (xcb) plugin needs libxcb-cursor.so.0, "
                        "libxcb-icccm.so.4 and libxcb-keysyms.so.1, which are not installed: on Debian/Ubuntu "
                        "`sudo apt install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1`, on Fedora "
                        "`sudo dnf install xcb-util-cursor xcb-util-wm xcb-util-keysyms`.")
    one = missing_sentence(["libxcb-randr.so.0", "libxcb-shm.so.0"])
    assert "`sudo dnf install libxcb`" in one  # one Fedora package provides both
    bundled = missing_sentence(["libQt6XcbQpa.so.6"])
    assert "needs libQt6XcbQpa.so.6, which is not installed: for libQt6XcbQpa.so.6 reinstall" in bundled


@pytest.mark.parametrize("environ, platform, expected", [
    ({"DISPLAY": ":0"}, "linux", True),
    ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, "linux", False),  # Qt takes its Wayland plugin
    ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "QT_QPA_PLATFORM": "xcb"}, "linux", True),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, "linux", False),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb:nograb"}, "linux", True),
    ({}, "linux", False),
    ({"DISPLAY": ":0"}, "darwin", False),
    ({"DISPLAY": ":0"}, "win32", False),
])
def test_the_check_runs_only_where_qt_would_use_xcb(environ, platform, expected):
    assert xcb_would_be_used(environ, platform) is expected


def test_no_display_at_all_is_said_plainly():
    assert window_problem({}) == NO_DISPLAY if sys.platform.startswith("linux") else window_problem({}) is None
    assert window_problem({"QT_QPA_PLATFORM": "offscreen"}) is None


@linux_only
def test_a_hidden_library_is_found_by_the_real_loader(tmp_path):
    """The real plugin, copied beside a library folder that lacks one of the libraries it needs."""
    plugin = xcb_plugin()
    qt_lib = plugin.parents[2] / "lib"
    hidden = "libQt6XcbQpa.so.6"
    (tmp_path / "plugins" / "platforms").mkdir(parents=True)
    copy = tmp_path / "plugins" / "platforms" / plugin.name
    shutil.copy2(plugin, copy)  # its RUNPATH, $ORIGIN/../../lib, now points at tmp_path/lib
    (tmp_path / "lib").mkdir()
    for library in qt_lib.iterdir():
        if library.name != hidden:
            (tmp_path / "lib" / library.name).symlink_to(library)
    before = missing_libraries(plugin)
    after = missing_libraries(copy)
    assert hidden not in before and set(after) - set(before) == {hidden}
    assert hidden in window_problem({"DISPLAY": ":0"}, copy)


@linux_only
@pytest.mark.skipif(not shutil.which("readelf") or not shutil.which("ldconfig"), reason="needs binutils, ldconfig")
def test_the_check_agrees_with_the_loader_cache_on_the_plugins_own_libraries():
    plugin = xcb_plugin()
    needed = [line.split("[")[1].rstrip("]") for line in
              subprocess.run(["readelf", "-d", str(plugin)], capture_output=True, text=True).stdout.splitlines()
              if "(NEEDED)" in line]
    cache = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout
    absent = [name for name in needed if not name.startswith("libQt6") and f"{name} (" not in cache]
    missing = missing_libraries(plugin)
    assert set(absent) <= set(missing)
    assert all(name in PACKAGES for name in missing if not name.startswith("libQt6"))


def window_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    return {**env, **extra}


@linux_only
def test_the_app_exits_with_the_sentence_instead_of_a_qt_abort():
    missing = missing_libraries(xcb_plugin())
    if not missing:
        pytest.skip("every library the xcb plugin needs is installed here")
    # DISPLAY names no server: were the check not there, Qt would abort on the missing libraries first.
    done = subprocess.run([sys.executable, "-m", "app.main"], cwd=ROOT, env=window_env(DISPLAY=":97"),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr == f"localchat: {missing_sentence(missing)}\n"


@linux_only
def test_the_app_without_any_display_says_so():
    done = subprocess.run([sys.executable, "-m", "app.main"], cwd=ROOT, env=window_env(),
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr) == (1, f"localchat: {NO_DISPLAY}\n")
