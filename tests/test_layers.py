"""The arrows point one way: app → ui → engine. No module imports a layer above its own."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ABOVE = {"engine": {"ui", "app"}, "ui": {"app"}, "app": set()}


def imported_top_levels(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_no_layer_imports_one_above_it():
    upward = []
    for layer, forbidden in ABOVE.items():
        for path in (ROOT / layer).rglob("*.py"):
            upward += [f"{path.relative_to(ROOT)} imports {name}" for name in imported_top_levels(path) & forbidden]
    assert not upward, upward


def test_the_check_sees_an_upward_import(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("from app.storage.store import ConversationStore\nimport ui.chat\n")
    assert {"app", "ui"} <= imported_top_levels(module)
