"""Resolving what the user passed as ``--model``: a folder, or an installed model's id."""

from __future__ import annotations

from app.paths import models_dir
from engine.models.registry import Registry


def resolve_model(id_or_path: str) -> str:
    """A folder path as is; otherwise the folder of the installed model with that id."""
    return str(Registry(models_dir()).resolve(id_or_path))
