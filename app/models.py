"""Resolving what the user passed as ``--model``: a folder, or an installed model's id."""

from __future__ import annotations

from pathlib import Path


def resolve_model(id_or_path: str) -> str:
    """A folder path as is; otherwise look the id up among installed models."""
    if Path(id_or_path).expanduser().exists():
        return str(Path(id_or_path).expanduser())
    try:
        from engine.registry import Registry
    except ImportError:  # the installed-model registry is optional until models land
        return id_or_path
    from app.paths import models_dir

    return str(Registry(models_dir()).resolve(id_or_path))
