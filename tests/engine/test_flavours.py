"""Which onnxruntime-genai flavour is installed is read from package metadata, without importing it."""

from __future__ import annotations

import subprocess
import sys

from engine.runtime.genai import FLAVOURS, PACKAGE_FOR_PROVIDER, flavour_providers, genai_version


def test_the_cpu_flavour_is_installed_here():
    assert flavour_providers() == ["cpu"]
    assert genai_version().startswith("onnxruntime-genai 0.")


def test_every_provider_has_a_package_that_offers_it():
    for provider, package in PACKAGE_FOR_PROVIDER.items():
        assert provider in FLAVOURS[package]


def test_reading_the_flavour_does_not_import_onnxruntime():
    code = ("import sys; from engine.runtime.genai import flavour_providers; flavour_providers(); "
            "assert 'onnxruntime_genai' not in sys.modules and 'onnxruntime' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
