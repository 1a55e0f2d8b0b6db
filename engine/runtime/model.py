"""Loading a model folder in onnxruntime-genai format on an execution provider."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.errors import (LocalChatError, ModelFileBroken, ModelFolderMissing, NotAGenaiModel, OutOfMemory,
                           UnsupportedModelType)
from engine.runtime.capacity import KvCache
from engine.runtime.genai import genai
from engine.runtime.providers import ProviderChoice, choose_provider, start_failure_reason

CONFIG_FILE = "genai_config.json"


@dataclass(frozen=True)
class ModelInfo:
    """What the app needs to know about a loaded model (plain data, safe to send between processes)."""

    path: str
    name: str
    model_type: str
    context_length: int
    vocab_size: int
    provider: str
    fallback_reason: str | None = None
    fallback_detail: str = ""  # the library's own words for why the provider did not start
    fallback_from: str = ""  # the provider the CPU stands in for
    has_chat_template: bool = False
    server: str | None = None  # the base URL of the server running the model; None: this machine


@dataclass
class LoadedModel:
    """A model and tokenizer ready to generate, plus the facts read from its folder."""

    model: Any
    tokenizer: Any
    info: ModelInfo
    bos_token_id: int | None
    add_bos_token: bool
    eos_token_ids: frozenset[int]
    chat_template: str | None = field(default=None, repr=False)
    kv_cache: KvCache = KvCache(bytes_per_token=0, preallocated=False)


def load_model(path: str | Path, provider: str = "auto") -> LoadedModel:
    """Load the model in ``path`` on ``provider`` (auto, cpu, cuda or dml).

    A GPU provider that fails to initialise falls back to CPU; the reason is kept in
    ``info.fallback_reason`` so the window and ``localchat doctor`` can say why.
    """
    folder = _checked_folder(Path(path))
    config = _read_json(folder / CONFIG_FILE)
    tokenizer_config = _read_json(folder / "tokenizer_config.json")
    choice = choose_provider(provider)
    model, choice = _create_model(folder, choice)
    og = genai()
    try:
        tokenizer = og.Tokenizer(model)
    # genai reports a missing or unreadable tokenizer as RuntimeError, or as UnicodeDecodeError when its
    # message quotes the file's broken bytes
    except (RuntimeError, UnicodeDecodeError) as error:
        raise ModelFileBroken("The model's tokenizer files are missing or damaged; download the model again.",
                              str(error)) from error
    checked_config(config, tokenizer_config)  # genai is lenient with some of what LocalChat reads itself
    model_section = config.get("model", {})
    template = _chat_template(folder, tokenizer_config)
    info = ModelInfo(
        path=str(folder), name=folder.name, model_type=str(model_section.get("type", "unknown")),
        context_length=int(model_section.get("context_length", 2048)),
        vocab_size=int(model_section.get("vocab_size", 0)),
        provider=choice.provider, fallback_reason=choice.fallback_reason,
        fallback_detail=choice.fallback_detail, fallback_from=choice.fallback_from, has_chat_template=template is not None)
    eos = model_section.get("eos_token_id", [])
    return LoadedModel(
        model=model, tokenizer=tokenizer, info=info, bos_token_id=model_section.get("bos_token_id"),
        add_bos_token=bool(tokenizer_config.get("add_bos_token", False)),
        eos_token_ids=frozenset(eos if isinstance(eos, list) else [eos]), chat_template=template,
        kv_cache=KvCache.from_config(config, choice.provider))


def _checked_folder(folder: Path) -> Path:
    if not folder.is_dir():
        raise ModelFolderMissing(f"The model folder {folder} does not exist; choose another folder.")
    if not (folder / CONFIG_FILE).is_file():
        raise NotAGenaiModel(f"The folder {folder.name} is not an ONNX Runtime GenAI model (it has no "
                             f"{CONFIG_FILE}); choose a folder exported for onnxruntime-genai.")
    return folder.resolve()


def _read_json(path: Path) -> dict:
    """The file's object, {} when it is absent.  A file that is there but unreadable is an error even when it
    is optional: read as {}, a tokenizer_config.json would silently lose the chat template.  A byte-order mark
    is allowed, as genai's own reader allows it."""
    if not path.is_file():
        return {}
    failure = NotAGenaiModel if path.name == CONFIG_FILE else ModelFileBroken
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError, RecursionError) as error:  # RecursionError: arrays nested thousands deep
        raise failure(f"The model's {path.name} cannot be read; download the model again.", str(error)) from error
    if not isinstance(data, dict):
        raise failure(f"The model's {path.name} cannot be read; download the model again.",
                      f"a JSON {type(data).__name__}, not an object")
    return data


# What LocalChat reads from genai_config.json itself: "count" is a whole number from 0, "ids" one token id or a list.
_EXPECTED = {
    ("model",): dict, ("model", "decoder"): dict, ("search",): dict, ("model", "type"): str,
    ("model", "context_length"): "count", ("model", "vocab_size"): "count", ("model", "bos_token_id"): (int, type(None)),
    ("model", "eos_token_id"): "ids", ("model", "decoder", "num_hidden_layers"): "count",
    ("model", "decoder", "num_key_value_heads"): "count", ("model", "decoder", "num_attention_heads"): "count",
    ("model", "decoder", "head_size"): "count", ("search", "past_present_share_buffer"): bool,
}
_ABSENT = object()


def checked_config(config: dict, tokenizer_config: dict) -> None:
    """Raise ModelFileBroken, naming the field, when a value LocalChat reads has a type it cannot use."""
    for where, kind in _EXPECTED.items():
        value = _at(config, where)
        if value is not _ABSENT and not _fits(value, kind):
            raise _damaged(CONFIG_FILE, f"{'.'.join(where)} is {value!r:.80}")
    template = tokenizer_config.get("chat_template")
    if template is not None and not isinstance(template, str) and not (
            isinstance(template, list) and all(isinstance(t, dict) for t in template)):
        raise _damaged("tokenizer_config.json", f"chat_template is {template!r:.80}")


def _fits(value: object, kind: object) -> bool:
    def whole(v: object) -> bool:
        return isinstance(v, int) and not isinstance(v, bool)

    if kind == "count":
        return whole(value) and value >= 0
    if kind == "ids":
        return whole(value) or isinstance(value, list) and all(map(whole, value))
    return isinstance(value, kind) and (kind is bool or not isinstance(value, bool))


def _at(config: dict, where: tuple[str, ...]) -> object:
    node: object = config
    for key in where:
        if not isinstance(node, dict) or key not in node:
            return _ABSENT
        node = node[key]
    return node


def _damaged(name: str, detail: str) -> ModelFileBroken:
    return ModelFileBroken(f"The model's {name} has a value LocalChat cannot use; download the model again or "
                           "choose another folder.", detail)


def _chat_template(folder: Path, tokenizer_config: dict) -> str | None:
    template_file = folder / "chat_template.jinja"
    if template_file.is_file():
        try:
            return template_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ModelFileBroken("The model's chat_template.jinja cannot be read; download the model again.",
                                  str(error)) from error
    template = tokenizer_config.get("chat_template")
    if isinstance(template, list):  # a list of named templates: take the default one
        template = next((t.get("template") for t in template if t.get("name") == "default"), None)
    return template if isinstance(template, str) and template else None


def _create_model(folder: Path, choice: ProviderChoice) -> tuple[Any, ProviderChoice]:
    """The model on ``choice``'s provider, or on the CPU with the reason when a GPU provider cannot start."""
    og = genai()
    try:
        return og.Model(_config(folder, choice.provider)), choice
    except Exception as error:  # noqa: BLE001 - classified below
        if choice.provider == "cpu":
            raise classify_load_error(error, folder) from error
        fallback = ProviderChoice("cpu", start_failure_reason(choice.provider, str(error)), str(error),
                                  fallback_from=choice.provider)
    try:
        return og.Model(_config(folder, "cpu")), fallback
    except Exception as error:  # noqa: BLE001 - classified below
        raise classify_load_error(error, folder) from error


# onnxruntime logs a failing kernel itself, in colour, straight to the terminal, and then genai raises
# the same text; LocalChat turns the exception into its sentence (and the log), so only FATAL is printed.
_QUIET_SESSIONS = json.dumps({"model": {"decoder": {"session_options": {"log_severity_level": 4}}}})


def _config(folder: Path, provider: str) -> Any:
    og = genai()
    config = og.Config(str(folder))
    config.overlay(_QUIET_SESSIONS)
    config.clear_providers()
    if provider != "cpu":
        config.append_provider(provider)
    return config


def classify_load_error(error: Exception, folder: Path) -> LocalChatError:
    """Turn an onnxruntime-genai load failure into one plain sentence."""
    text = str(error)
    lowered = text.lower()
    if "bad_alloc" in lowered or "out of memory" in lowered or "failed to allocate" in lowered:
        return OutOfMemory("There is not enough memory to load this model; close other programs or "
                           "choose a smaller model.", text)
    if "model_type" in lowered or "model type" in lowered or "unsupported model" in lowered:
        return UnsupportedModelType("This kind of model is not supported by the installed onnxruntime-genai; "
                                    "choose another model.", text)
    return ModelFileBroken(f"The model files in {folder.name} are missing or damaged; download the model again "
                           "or choose another folder.", text)
