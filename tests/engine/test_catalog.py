"""The catalog file against its schema, the validator itself, fit hints, recommendations, hardware probes."""

from __future__ import annotations

import copy
import json

import pytest

from engine.models.catalog import (CATALOG_DIR, Catalog, CatalogModel, UnknownCatalogModel, Variant, best_variant, fit,
                            load_catalog, recommend, validate)
from engine.models.hardware import Hardware, parse_nvidia_smi, total_ram_bytes

GB = 1_000_000_000


def schema() -> dict:
    return json.loads((CATALOG_DIR / "schema.json").read_text(encoding="utf-8"))


def raw_catalog() -> dict:
    return json.loads((CATALOG_DIR / "models.json").read_text(encoding="utf-8"))


def variant(provider: str = "cpu", ram: int = 4 * GB, gpu: int = 0) -> Variant:
    return Variant(provider, f"{provider}/int4", 2 * GB, False, ram, gpu, "test")


def model(model_id: str, *variants: Variant) -> CatalogModel:
    return CatalogModel(model_id, model_id, f"org/{model_id}", "", "MIT", 4096, variants, "test")


def test_the_shipped_catalog_matches_its_schema() -> None:
    assert validate(raw_catalog(), schema()) == []
    catalog = load_catalog()
    ids = [m.id for m in catalog.models]
    assert len(ids) == len(set(ids))
    for m in catalog.models:
        providers = [v.provider for v in m.variants]
        assert len(providers) == len(set(providers)), m.id
        assert m.variant("cpu") is not None, f"{m.id} needs a CPU build"


@pytest.mark.parametrize("damage, complaint", [
    (lambda c: c["models"][0]["variants"][0].update(provider="rocm"), "not one of"),
    (lambda c: c["models"][0].pop("repo"), "missing repo"),
    (lambda c: c["models"][0].update(context_length="4k"), "expected integer"),
    (lambda c: c["models"][0].update(context_length=True), "expected integer"),
    (lambda c: c["models"][0].update(id="Has Spaces"), "does not match"),
    (lambda c: c["models"][0]["variants"][0].update(extra=1), "unexpected extra"),
    (lambda c: c["models"][0].update(variants=[]), "at least 1"),
])
def test_the_validator_finds_damage(damage, complaint: str) -> None:
    catalog = copy.deepcopy(raw_catalog())
    damage(catalog)
    problems = validate(catalog, schema())
    assert any(complaint in p for p in problems), problems


def test_unknown_catalog_id_lists_the_known_ones() -> None:
    with pytest.raises(UnknownCatalogModel, match="phi-3.5-mini-instruct"):
        load_catalog().get("gpt-5")


@pytest.mark.parametrize("ram, expected", [
    (16 * GB, "fits"), (5 * GB, "may be slow"), (3 * GB, "won't fit"), (None, "may be slow")])
def test_cpu_fit_follows_ram(ram: int | None, expected: str) -> None:
    assert fit(variant("cpu", ram=4 * GB), Hardware(ram_bytes=ram)) == expected


@pytest.mark.parametrize("gpu, ram, expected", [
    (8 * GB, 16 * GB, "fits"), (2 * GB, 16 * GB, "won't fit"), (None, 16 * GB, "may be slow"),
    (8 * GB, 5 * GB // 2, "may be slow"), (8 * GB, 1 * GB, "won't fit")])
def test_gpu_fit_follows_gpu_memory_and_ram(gpu: int | None, ram: int, expected: str) -> None:
    cuda = variant("cuda", ram=2 * GB, gpu=4 * GB)
    assert fit(cuda, Hardware(ram_bytes=ram, gpu_memory_bytes=gpu)) == expected


def test_recommend_prefers_a_fitting_gpu_build_then_catalog_order() -> None:
    big = model("big", variant("cpu", ram=12 * GB), variant("cuda", ram=4 * GB, gpu=6 * GB))
    small = model("small", variant("cpu", ram=3 * GB))
    catalog = Catalog((big, small))

    gpu_box = Hardware(ram_bytes=16 * GB, gpu_memory_bytes=8 * GB)
    assert recommend(catalog, gpu_box, ["cuda", "cpu"]).variant.provider == "cuda"
    assert recommend(catalog, gpu_box, ["cpu"]).model.id == "small"  # big's CPU build would page
    assert recommend(catalog, Hardware(ram_bytes=32 * GB), ["cpu"]).model.id == "big"

    tight = recommend(catalog, Hardware(ram_bytes=4 * GB), ["cpu"])
    assert (tight.model.id, tight.fit) == ("small", "may be slow")
    assert recommend(catalog, Hardware(ram_bytes=1 * GB), ["cpu"]) is None


def test_recommend_on_the_real_catalog_picks_a_cpu_model_for_an_8gb_laptop() -> None:
    pick = recommend(load_catalog(), Hardware(ram_bytes=8 * 1024**3), ["cpu"])
    assert pick is not None and pick.fit == "fits" and pick.variant.provider == "cpu"


def test_best_variant_falls_back_to_cpu() -> None:
    both = model("m", variant("cpu", ram=2 * GB), variant("cuda", ram=2 * GB, gpu=6 * GB))
    assert best_variant(both, Hardware(16 * GB, 8 * GB), ["cuda", "cpu"]).provider == "cuda"
    assert best_variant(both, Hardware(16 * GB, 2 * GB), ["cuda", "cpu"]).provider == "cpu"
    assert best_variant(both, Hardware(16 * GB, 8 * GB), ["cpu"]).provider == "cpu"
    with pytest.raises(UnknownCatalogModel):
        best_variant(model("gpu-only", variant("cuda", gpu=1)), Hardware(16 * GB), ["cpu"])


def test_ram_is_found_on_this_machine() -> None:
    assert total_ram_bytes() > 256 * 1024**2


def test_nvidia_smi_output_keeps_the_largest_gpu() -> None:
    out = "NVIDIA GeForce RTX 3060, 12288\nNVIDIA T400, 2048\n"
    assert parse_nvidia_smi(out) == ("NVIDIA GeForce RTX 3060", 12288 * 1024 * 1024)
    assert parse_nvidia_smi("") == (None, None)
    assert parse_nvidia_smi("weird line\n") == (None, None)
