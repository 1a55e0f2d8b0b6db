"""``localchat models``: list, download, remove and add models; sign in to the Hugging Face Hub."""

from __future__ import annotations

import argparse
import getpass
import json
import signal
import sys
import threading
import time

from app import paths
from engine.models.catalog import Catalog, CatalogModel, Variant, best_variant, fit, load_catalog
from engine.models.download import AlreadyInstalled, DownloadCancelled, DownloadProgress, store_token
from engine.errors import LocalChatError
from engine.runtime.genai import PACKAGE_FOR_PROVIDER
from engine.models.hardware import Hardware, detect_hardware
from engine.models.registry import InstalledModel, Registry, default_id



def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("models", help="list, download, remove and add models")
    commands = parser.add_subparsers(dest="models_command", metavar="ACTION", required=True)

    listing = commands.add_parser("list", help="catalog models with a fit hint, and installed models")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(func=run_list)

    fetch = commands.add_parser("download", help="download a catalog model, or any genai repository, from the Hub")
    fetch.add_argument("id", help="catalog id (e.g. phi-3.5-mini-instruct), or ORG/REPO[:SUBFOLDER] for any "
                                  "Hub repository in ONNX Runtime GenAI format")
    fetch.add_argument("--variant", choices=["cpu", "cuda", "dml"], help="build to download (default: best here)")
    fetch.set_defaults(func=run_download)

    remove = commands.add_parser("remove", help="delete a downloaded model, or forget an added folder")
    remove.add_argument("id")
    remove.set_defaults(func=run_remove)

    add = commands.add_parser("add", help="add a model folder you already have (it stays where it is)")
    add.add_argument("path")
    add.set_defaults(func=run_add)

    login = commands.add_parser("login", help="store a Hugging Face token for gated or private models")
    login.add_argument("--token", help="the token (default: read it without echo, or from standard input)")
    login.set_defaults(func=run_login)


def registry() -> Registry:
    return Registry(paths.models_dir())


def run_list(args: argparse.Namespace) -> int:
    catalog, hardware, providers = load_catalog(), detect_hardware(), _providers()
    installed = registry().list_installed()
    if args.json:
        print(json.dumps(_listing(catalog, hardware, providers, installed), indent=1))
        return 0
    print("Catalog (download with `localchat models download ID`):")
    for model in catalog.models:
        print(f"  {model.id:34} {model.name}")
        for variant in model.variants:
            print(f"      {variant.provider:5} {_gb(variant.download_bytes):>8}  {_hint(variant, hardware, providers)}")
    print("Installed:" if installed else "Installed: none yet")
    for model in installed:
        where = f"{model.repo_id}/{model.subfolder}" if model.source == "hub" else str(model.path)
        print(f"  {model.id:34} {_gb(model.size_bytes, approx=False):>8}  {where}")
    return 0


def _listing(catalog: Catalog, hardware: Hardware, providers: list[str],
             installed: list[InstalledModel]) -> dict:
    return {
        "hardware": {"ram_bytes": hardware.ram_bytes, "gpu_memory_bytes": hardware.gpu_memory_bytes,
                     "gpu_name": hardware.gpu_name, "providers": providers},
        "catalog": [{"id": m.id, "name": m.name, "repo": m.repo, "description": m.description,
                     "license": m.license, "context_length": m.context_length,
                     "variants": [{"provider": v.provider, "subfolder": v.subfolder,
                                   "download_bytes": v.download_bytes, "fit": fit(v, hardware),
                                   "provider_installed": v.provider in providers} for v in m.variants]}
                    for m in catalog.models],
        "installed": [{"id": m.id, "path": str(m.path), "source": m.source, "size_bytes": m.size_bytes,
                       "provider": m.provider, "repo": m.repo_id, "subfolder": m.subfolder} for m in installed],
    }


def run_download(args: argparse.Namespace) -> int:
    if "/" in args.id:
        repo_id, _, subfolder = args.id.partition(":")
        if args.variant:
            raise LocalChatError("--variant is for catalog models; name the repository's subfolder instead, "
                                 "as ORG/REPO:SUBFOLDER.")
        model_id, provider = default_id(repo_id, subfolder), None
        print(f"Downloading {repo_id}{'/' + subfolder if subfolder else ''} from the Hugging Face Hub",
              file=sys.stderr)
    else:
        model = load_catalog().get(args.id)
        variant = _chosen_variant(model, args.variant)
        repo_id, subfolder, model_id, provider = model.repo, variant.subfolder, model.id, variant.provider
        print(f"Downloading {model.name} ({variant.provider}, about {_gb(variant.download_bytes)}) "
              f"from {model.repo}", file=sys.stderr)
    cancel = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda *_: cancel.set())
    try:
        installed = registry().add_hub(repo_id, subfolder, model_id=model_id, provider=provider,
                                       on_progress=_ProgressLine(), cancel=cancel)
    except AlreadyInstalled as error:
        raise LocalChatError(f"{error.user_message} To download it again: `localchat models remove "
                             f"{error.model_id}`, then this command.", error.detail) from error
    except DownloadCancelled:
        print("", file=sys.stderr)
        raise LocalChatError("Download cancelled: run the same command again to continue where it stopped, "
                             f"or `localchat models remove {model_id}` to delete what was fetched.")
    except LocalChatError:
        print("", file=sys.stderr)  # the sentence goes on its own line, not after the progress
        raise
    finally:
        signal.signal(signal.SIGINT, previous)
    print(f"\nInstalled {installed.id} in {installed.path}", file=sys.stderr)
    return 0


def _chosen_variant(model: CatalogModel, requested: str | None) -> Variant:
    if requested is None:
        return best_variant(model, detect_hardware(), _providers())
    variant = model.variant(requested)
    if variant is None:
        have = ", ".join(v.provider for v in model.variants)
        raise LocalChatError(f"{model.name} has no {requested} build; choose one of: {have}.")
    if requested not in _providers():
        print(f"Note: to run the {requested} build, install {PACKAGE_FOR_PROVIDER[requested]} "
              f"(uninstall the other onnxruntime-genai package first).", file=sys.stderr)
    return variant


class _ProgressLine:
    """One line on stderr, rewritten at most five times a second and when the download ends."""

    def __init__(self) -> None:
        self._printed_at = float("-inf")

    def __call__(self, event: DownloadProgress) -> None:
        now = time.monotonic()
        if now - self._printed_at < 0.2 and event.bytes_done < event.total_bytes:
            return
        self._printed_at = now
        left = f", {event.seconds_left:.0f} s left" if event.seconds_left is not None else ""
        percent = 100 * event.bytes_done / event.total_bytes if event.total_bytes else 100
        print(f"\r{percent:5.1f}%  {event.bytes_done / 1e6:,.1f} / {event.total_bytes / 1e6:,.1f} MB  "
              f"{event.bytes_per_second / 1e6:.1f} MB/s{left}    ", end="", file=sys.stderr, flush=True)


def run_remove(args: argparse.Namespace) -> int:
    registry().remove(args.id)
    print(f"Removed {args.id}", file=sys.stderr)
    return 0


def run_add(args: argparse.Namespace) -> int:
    model = registry().add_local(args.path)
    print(f"Added {model.path} as {model.id}", file=sys.stderr)
    return 0


def run_login(args: argparse.Namespace) -> int:
    """Store the token where huggingface_hub keeps it, so every Hub call finds it."""
    token = args.token or (getpass.getpass("Hugging Face token: ") if sys.stdin.isatty() else sys.stdin.readline())
    token = token.strip()
    if not token:
        raise LocalChatError("No token given; create one at huggingface.co/settings/tokens and paste it.")
    store_token(token)
    print("Signed in to the Hugging Face Hub.", file=sys.stderr)
    return 0


def _providers() -> list[str]:
    from engine.runtime.providers import built_in_providers

    return built_in_providers()


def _hint(variant: Variant, hardware: Hardware, providers: list[str]) -> str:
    if variant.provider not in providers:
        return f"needs {PACKAGE_FOR_PROVIDER[variant.provider]}"
    return fit(variant, hardware)


def _gb(size: int, approx: bool = True) -> str:
    return f"{'~' if approx else ''}{size / 1e9:.1f} GB"
