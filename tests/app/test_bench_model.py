"""The 200,064-token stand-in's builder: how many products a step needs, and a real build that loads."""

from __future__ import annotations

from app.devtools.bench_model import MAX_PRODUCTS, main, products_for


def test_products_are_chosen_to_reach_the_step_asked_for():
    assert products_for(10.0, bare_ms=2.0, calibrated_ms=6.0) == 8  # 1 ms a product
    assert products_for(10.0, bare_ms=12.0, calibrated_ms=16.0) == 0  # already slower than asked
    assert products_for(10.0, bare_ms=2.0, calibrated_ms=2.0) == MAX_PRODUCTS  # products too cheap to time


def test_a_build_with_a_fixed_count_makes_a_model_the_library_runs(tmp_path, capsys):
    assert main([str(tmp_path / "stand-in"), "--vocab", "2048", "--slow-matmuls", "1", "--slow-size", "64"]) == 0
    assert "vocabulary 2,048, 1 product(s) of 64²" in capsys.readouterr().out
    assert (tmp_path / "stand-in" / "genai_config.json").is_file()
