"""The model catalog (resources/catalog/models.json): what LocalChat offers to download, and what fits here.

The catalog is checked against resources/catalog/schema.json by ``validate``, a small validator for
the JSON Schema keywords that file uses (no jsonschema dependency).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from engine.errors import LocalChatError
from engine.models.hardware import Hardware

CATALOG_DIR = Path(__file__).resolve().parents[2] / "resources" / "catalog"
PROVIDERS = ("cpu", "cuda", "dml")
GPU_PROVIDERS = ("cuda", "dml")
# Below this much spare RAM (as a share of what the model needs) the OS starts paging.
COMFORT = 1.5

Fit = Literal["fits", "may be slow", "won't fit"]


class CatalogInvalid(LocalChatError):
    pass


class UnknownCatalogModel(LocalChatError):
    pass


@dataclass(frozen=True)
class Variant:
    provider: str
    subfolder: str
    download_bytes: int
    download_bytes_exact: bool
    ram_bytes: int
    gpu_memory_bytes: int
    source_note: str


@dataclass(frozen=True)
class CatalogModel:
    id: str
    name: str
    repo: str
    description: str
    license: str
    context_length: int
    variants: tuple[Variant, ...]
    source_note: str

    def variant(self, provider: str) -> Variant | None:
        return next((v for v in self.variants if v.provider == provider), None)


@dataclass(frozen=True)
class Catalog:
    models: tuple[CatalogModel, ...]

    def get(self, model_id: str) -> CatalogModel:
        for model in self.models:
            if model.id == model_id:
                return model
        known = ", ".join(m.id for m in self.models)
        raise UnknownCatalogModel(f"There is no model called '{model_id}' in the catalog; choose one of: {known}.")


def load_catalog(path: Path | None = None) -> Catalog:
    path = path or CATALOG_DIR / "models.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        schema = json.loads((CATALOG_DIR / "schema.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CatalogInvalid("The model catalog could not be read; reinstall LocalChat.", detail=str(error)) from error
    problems = validate(data, schema)
    if problems:
        raise CatalogInvalid("The model catalog is damaged; reinstall LocalChat.", detail="; ".join(problems))
    return Catalog(tuple(
        CatalogModel(**{**m, "variants": tuple(Variant(**v) for v in m["variants"])}) for m in data["models"]))


_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "integer": int, "number": (int, float)}


def validate(value: object, schema: dict, where: str = "$") -> list[str]:
    """Problems found checking ``value`` against ``schema`` (empty when valid)."""
    expected = schema.get("type")
    if expected:
        python_type = _TYPES[expected]
        if not isinstance(value, python_type) or (expected in ("integer", "number") and isinstance(value, bool)):
            return [f"{where}: expected {expected}"]
    problems: list[str] = []
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: {value!r} is not one of {schema['enum']}")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            problems.append(f"{where}: too short")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            problems.append(f"{where}: {value!r} does not match {schema['pattern']}")
    if isinstance(value, (int, float)) and "minimum" in schema and value < schema["minimum"]:
        problems.append(f"{where}: below {schema['minimum']}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            problems.append(f"{where}: needs at least {schema['minItems']} items")
        for i, item in enumerate(value):
            problems += validate(item, schema.get("items", {}), f"{where}[{i}]")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        problems += [f"{where}: missing {key}" for key in schema.get("required", []) if key not in value]
        if schema.get("additionalProperties") is False:
            problems += [f"{where}: unexpected {key}" for key in value if key not in properties]
        for key, item in value.items():
            if key in properties:
                problems += validate(item, properties[key], f"{where}.{key}")
    return problems


def fit(variant: Variant, hardware: Hardware) -> Fit:
    """Whether ``variant`` can run on ``hardware``.

    CPU: "won't fit" below the RAM it needs, "may be slow" without comfortable headroom (or when
    RAM is unknown).  GPU: "won't fit" when known GPU memory is too small, "may be slow" when GPU
    memory is unknown (we cannot promise) or RAM is short.
    """
    ram = _compare(hardware.ram_bytes, variant.ram_bytes)
    if variant.provider not in GPU_PROVIDERS:
        return ram
    gpu = _compare(hardware.gpu_memory_bytes, variant.gpu_memory_bytes, headroom=1.0)
    if "won't fit" in (gpu, ram):
        return "won't fit"
    return "fits" if (gpu, ram) == ("fits", "fits") else "may be slow"


def _compare(have: int | None, need: int, headroom: float = COMFORT) -> Fit:
    if have is None:
        return "may be slow"
    if have < need:
        return "won't fit"
    return "fits" if have >= need * headroom else "may be slow"


@dataclass(frozen=True)
class Recommendation:
    model: CatalogModel
    variant: Variant
    fit: Fit


def recommend(catalog: Catalog, hardware: Hardware, available_providers: list[str] | tuple[str, ...]
              ) -> Recommendation | None:
    """One model and variant for this machine: the first catalog model that fits, GPU builds first.

    Catalog order is preference order.  When nothing fits comfortably, the smallest thing that
    runs at all ("may be slow"); None when nothing can run.
    """
    order = [p for p in ("cuda", "dml", "cpu") if p in available_providers]
    candidates = [Recommendation(m, v, fit(v, hardware))
                  for p in order for m in catalog.models if (v := m.variant(p)) is not None]
    for candidate in candidates:
        if candidate.fit == "fits":
            return candidate
    runnable = [c for c in candidates if c.fit == "may be slow"]
    return min(runnable, key=lambda c: c.variant.ram_bytes, default=None)


def best_variant(model: CatalogModel, hardware: Hardware, available_providers: list[str] | tuple[str, ...]
                 ) -> Variant:
    """The variant of ``model`` to download by default: a GPU one that fits, else CPU."""
    usable = [v for p in ("cuda", "dml", "cpu") if p in available_providers and (v := model.variant(p))]
    for variant in usable:
        if fit(variant, hardware) == "fits":
            return variant
    if usable:
        return usable[-1]
    raise UnknownCatalogModel(f"{model.name} has no build for this machine's providers "
                              f"({', '.join(available_providers)}); try --variant.")
