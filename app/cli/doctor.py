"""``localchat doctor``: versions, providers, folders — what to paste into a bug report."""

from __future__ import annotations

import argparse
import platform

from app import __version__, paths
from engine.runtime.genai import GenaiMissing, flavour_problem, genai, genai_version, onnxruntime_version
from engine.runtime.providers import LABELS, built_in_providers


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("doctor", help="show versions, providers and folders")
    parser.add_argument("--model", default=None, help="also try loading this model and report the provider used")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    lines = [f"LocalChat {__version__}",
             f"Python {platform.python_version()} on {platform.system()} {platform.machine()}"]
    try:
        og = genai()
    except GenaiMissing as error:  # the rest of the report still helps
        og = None
        lines.append(error.user_message)
    if og is not None:
        lines += [
            f"{genai_version()} (module {getattr(og, '__version__', '?')})",
            onnxruntime_version(),
            "Providers in this build: " + ", ".join(LABELS[p] for p in built_in_providers()),
            "  (CUDA and DirectML are tried when a model loads; if the GPU cannot start, LocalChat falls back "
            "to the CPU and says why)",
        ]
        problem = flavour_problem()
        if problem:
            lines.append(problem)
    lines += [
        f"Data folder:   {paths.data_dir()}",
        f"Config folder: {paths.config_dir()}",
        f"Models folder: {paths.models_dir()}",
    ]
    if args.model and og is not None:
        lines += _model_report(args.model)
    print("\n".join(lines))
    return 0 if og is not None else 1


def _model_report(model: str) -> list[str]:
    from app.models import resolve_model
    from engine.runtime.model import load_model

    info = load_model(resolve_model(model), "auto").info
    report = [f"Model {info.name}: {info.model_type}, context {info.context_length}, "
              f"runs on {LABELS[info.provider]}"]
    if info.fallback_reason:
        report.append(f"  {info.fallback_reason}")
        if info.fallback_detail:
            report.append(f"  onnxruntime-genai said: {info.fallback_detail.strip()}")
    return report
