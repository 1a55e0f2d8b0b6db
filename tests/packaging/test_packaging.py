"""Fast checks of the installer sources (the PyInstaller build itself runs in packaging/*/build.sh, not here)."""

from __future__ import annotations

import ast
import configparser
import glob
import os
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path


ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
APP_ID = "io.github.localchat.LocalChat"
DESKTOP = PACKAGING / "linux" / f"{APP_ID}.desktop"
METAINFO = PACKAGING / "linux" / f"{APP_ID}.metainfo.xml"
HOOK = PACKAGING / "hooks" / "hook-onnxruntime_genai.py"


def _assigned_list(path: Path, name: str) -> list:
    """The literal value of ``name = [...]`` or ``name=[...]`` (keyword) in a Python file."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
        if isinstance(node, ast.keyword) and node.arg == name and isinstance(node.value, ast.List):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} not found in {path}")


def test_packaging_folder_can_never_shadow_the_packaging_library():
    assert not list(PACKAGING.rglob("__init__.py"))
    done = subprocess.run([sys.executable, "-c", "import packaging.version, sys; print(packaging.version.__file__)"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0 and str(PACKAGING) not in done.stdout


def test_spec_excludes_the_model_builder_and_uses_the_local_hook():
    spec = PACKAGING / "localchat.spec"
    excludes = _assigned_list(spec, "EXCLUDES")
    assert {"onnxruntime_genai.models", "torch", "transformers", "onnx"} <= set(excludes)
    text = spec.read_text(encoding="utf-8")
    assert '"packaging" / "hooks"' in text and "selftest-model" in text and f'"{APP_ID}"' in text
    assert "collect_submodules(\"app\")" in text  # CLI subcommands are imported by name


def test_hook_collects_the_versioned_onnxruntime_library():
    patterns = _assigned_list(HOOK, "search_patterns")
    assert "lib*.so.*" in patterns
    assert _assigned_list(HOOK, "excludedimports") == ["onnxruntime_genai.models"]
    if sys.platform.startswith("linux"):
        # The file onnxruntime-genai loads by path must be matched by the patterns.
        import importlib.util

        capi = Path(importlib.util.find_spec("onnxruntime").submodule_search_locations[0]) / "capi"
        matched = {Path(p).name for pattern in patterns for p in glob.glob(str(capi / pattern))}
        assert any(name.startswith("libonnxruntime.so.") for name in matched), matched


def test_desktop_entry_has_the_required_keys():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(DESKTOP, encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application" and section["Name"] == "LocalChat"
    assert section["Exec"].split()[0] == "localchat" and section["Icon"] == APP_ID
    assert section["Categories"].endswith(";") and section["Terminal"] == "false"
    if shutil.which("desktop-file-validate"):
        done = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True)
        assert done.returncode == 0 and not done.stdout.strip(), done.stdout


def test_appstream_metainfo_names_the_app_and_its_desktop_file():
    root = ET.parse(METAINFO).getroot()
    assert root.get("type") == "desktop-application" and root.findtext("id") == APP_ID
    assert root.findtext("launchable") == f"{APP_ID}.desktop"
    assert root.findtext("metadata_license") and root.findtext("summary")
    if shutil.which("appstreamcli"):
        done = subprocess.run(["appstreamcli", "validate", "--no-net", str(METAINFO)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


def test_deb_depends_on_every_library_the_start_up_check_knows():
    """The .deb's Depends cover every Debian package app.linux_libraries would ask a user to install."""
    from app.linux_libraries import PACKAGES

    control = (PACKAGING / "linux" / "control.in").read_text(encoding="utf-8")
    depends = control.split("Depends:", 1)[1].split("\nRecommends:", 1)[0]
    names = {entry.strip().split(" ")[0] for entry in depends.replace("\n", " ").split(",")}
    assert {debian for debian, _ in PACKAGES.values()} <= names
    assert "libc6 (>= @GLIBC_MIN@)" in control


def test_nsis_installer_is_per_user():
    nsi = (PACKAGING / "windows" / "localchat.nsi").read_text(encoding="utf-8")
    assert "RequestExecutionLevel user" in nsi
    assert 'InstallDir "$LOCALAPPDATA\\Programs\\${APP}"' in nsi
    assert "WriteRegStr HKCU \"${UNINSTALL_KEY}\" \"UninstallString\"" in nsi and "HKLM" not in nsi


def test_build_scripts_stop_on_errors():
    for script in ("linux/build.sh", "macos/build.sh"):
        assert "set -euo pipefail" in (PACKAGING / script).read_text(encoding="utf-8")
    assert '$ErrorActionPreference = "Stop"' in (PACKAGING / "windows" / "build.ps1").read_text(encoding="utf-8")


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_make_icons_writes_pngs_ico_and_icns(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, str(PACKAGING / "make_icons.py"), "--out", str(tmp_path)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        assert _png_size((tmp_path / f"localchat-{size}.png").read_bytes()) == (size, size)
    ico = (tmp_path / "localchat.ico").read_bytes()
    assert struct.unpack("<HHH", ico[:6]) == (0, 1, 7)
    icns = (tmp_path / "localchat.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)


def test_committed_icons_are_there():
    icons = ROOT / "resources" / "icons"
    for size in (16, 32, 48, 128, 256, 512):
        assert _png_size((icons / f"localchat-{size}.png").read_bytes()) == (size, size)
    assert (icons / "localchat.ico").is_file() and (icons / "localchat.icns").is_file()
    total = sum(p.stat().st_size for p in icons.iterdir())
    assert total < 300_000


def test_hook_keeps_the_metadata_of_every_flavour_and_onnxruntime_the_app_reads():
    from engine.runtime.genai import FLAVOURS, ONNXRUNTIME_DISTRIBUTIONS

    assert set(_assigned_list(HOOK, "DISTRIBUTIONS")) == set(FLAVOURS) | set(ONNXRUNTIME_DISTRIBUTIONS)


def test_every_build_installs_exactly_one_flavour_through_an_extra():
    import pytest

    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not [d for d in project["dependencies"] if d.startswith("onnxruntime")]
    extras = project["optional-dependencies"]
    assert {name: [d.split(">")[0] for d in extras[name]] for name in ("cpu", "cuda", "winml")} == {
        "cpu": ["onnxruntime-genai"], "cuda": ["onnxruntime-genai-cuda"], "winml": ["onnxruntime-genai-winml"]}
    for script in ("linux/build.sh", "macos/build.sh"):
        assert '"$ROOT[cpu]"' in (PACKAGING / script).read_text(encoding="utf-8")
    windows = (PACKAGING / "windows" / "build.ps1").read_text(encoding="utf-8")
    assert '"$Root[$Extra]"' in windows and "pip uninstall" not in windows
