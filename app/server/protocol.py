"""Reading OpenAI-style request bodies into typed values, once, where they enter.

Everything a client sends is checked here; the rest of the server trusts what comes out.  A field
LocalChat does not support is refused with a 400 naming it when it asks for something other than the
default (``n`` > 1, tools, penalties, ...), never silently ignored.  Fields that change nothing about the
output (``user``, ``metadata``, ``store`` false, ...) and unknown fields are accepted, as other servers do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.errors import InvalidSetting
from engine.process.generation import MAX_TOP_LOGPROBS, GenerationRequest
from engine.runtime.conversation import Message
from engine.runtime.settings import SamplingSettings

MAX_STOPS = 4
# OpenAI's defaults, so a client that sends nothing gets what it would get elsewhere.
DEFAULT_TEMPERATURE = 1.0
DEFAULT_TOP_P = 1.0

# field -> the values that mean "the default" and may be sent without asking for anything.
_UNSUPPORTED_UNLESS_DEFAULT: dict[str, tuple] = {
    "n": (None, 1),
    "best_of": (None, 1),
    "tools": (None, []),
    "tool_choice": (None, "none", "auto"),
    "functions": (None, []),
    "function_call": (None, "none", "auto"),
    "frequency_penalty": (None, 0, 0.0),
    "presence_penalty": (None, 0, 0.0),
    "logit_bias": (None, {}),
    "echo": (None, False),
    "suffix": (None, ""),
    "audio": (None,),
    "modalities": (None, ["text"]),
    "prediction": (None,),
    "web_search_options": (None,),
}
_RESPONSE_FORMATS = (None, {"type": "text"})
# How engine.runtime.settings names each field at the start of its error sentence.
_SETTING_LABELS = {"temperature": "Temperature", "top_p": "Top-p", "top_k": "Top-k",
                   "repetition_penalty": "Repetition penalty", "seed": "Seed"}


class ApiError(Exception):
    """An error answer: HTTP status and the OpenAI error object's fields."""

    def __init__(self, status: int, message: str, type_: str = "invalid_request_error",
                 param: str | None = None, code: str | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.type, self.param, self.code = status, message, type_, param, code
        self.headers = headers or {}

    def body(self) -> dict:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


@dataclass(frozen=True)
class Limits:
    max_messages: int = 1000
    max_tokens: int | None = None  # None: the model's context length


@dataclass(frozen=True)
class ApiRequest:
    """A checked request: what to generate, and how to answer."""

    generation: GenerationRequest
    model: str | None
    stream: bool
    include_usage: bool
    logprobs: bool


def invalid(message: str, param: str | None = None, code: str | None = None) -> ApiError:
    return ApiError(400, message, param=param, code=code)


def parse_chat(body: Any, limits: Limits, context_length: int) -> ApiRequest:
    body = _object(body)
    _refuse_unsupported(body)
    messages = _messages(body.get("messages"), limits)
    logprobs = _bool(body, "logprobs")
    top = body.get("top_logprobs")
    if top is not None and not logprobs:
        raise invalid("top_logprobs needs logprobs set to true.", "top_logprobs")
    top_count = _int(body, "top_logprobs", 0, MAX_TOP_LOGPROBS) or 0
    tokens = body.get("max_completion_tokens", body.get("max_tokens"))
    name = "max_completion_tokens" if "max_completion_tokens" in body else "max_tokens"
    generation = GenerationRequest(settings=_settings(body, tokens, name, limits, context_length),
                                   messages=messages, top_logprobs=top_count if logprobs else None,
                                   stops=_stops(body.get("stop")))
    return _request(body, generation, logprobs)


def parse_completion(body: Any, limits: Limits, context_length: int) -> ApiRequest:
    body = _object(body)
    _refuse_unsupported(body)
    prompt = body.get("prompt")
    if isinstance(prompt, list) and len(prompt) == 1 and isinstance(prompt[0], str):
        prompt = prompt[0]
    if not isinstance(prompt, str):
        raise invalid("prompt must be one string (lists of prompts and token ids are not supported).", "prompt")
    count = _int(body, "logprobs", 0, MAX_TOP_LOGPROBS)
    generation = GenerationRequest(settings=_settings(body, body.get("max_tokens", 16), "max_tokens", limits,
                                                      context_length),
                                   prompt=prompt, top_logprobs=count, stops=_stops(body.get("stop")))
    return _request(body, generation, count is not None)


def _request(body: dict, generation: GenerationRequest, logprobs: bool) -> ApiRequest:
    model = body.get("model")
    if model is not None and not isinstance(model, str):
        raise invalid("model must be a string.", "model")
    stream = _bool(body, "stream")
    options = body.get("stream_options")
    if options is not None and not isinstance(options, dict):
        raise invalid("stream_options must be an object.", "stream_options")
    if options and not stream:
        raise invalid("stream_options is only allowed with stream set to true.", "stream_options")
    include_usage = bool(options and options.get("include_usage"))
    return ApiRequest(generation, model, stream, include_usage, logprobs)


def _object(body: Any) -> dict:
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object.")
    return body


def _refuse_unsupported(body: dict) -> None:
    for name, defaults in _UNSUPPORTED_UNLESS_DEFAULT.items():
        if name in body and body[name] not in defaults:
            raise invalid(f"LocalChat does not support {name}={body[name]!r}; leave it out or use the default.",
                          name, "unsupported_parameter")
    if body.get("response_format") not in _RESPONSE_FORMATS:
        raise invalid("LocalChat supports only response_format {\"type\": \"text\"}.", "response_format",
                      "unsupported_parameter")


def _messages(value: Any, limits: Limits) -> tuple[Message, ...]:
    if not isinstance(value, list) or not value:
        raise invalid("messages must be a non-empty list.", "messages")
    if len(value) > limits.max_messages:
        raise invalid(f"At most {limits.max_messages} messages are accepted, not {len(value)}.", "messages")
    messages = []
    for index, item in enumerate(value):
        param = f"messages[{index}]"
        if not isinstance(item, dict):
            raise invalid(f"{param} must be an object.", param)
        role = {"developer": "system"}.get(item.get("role"), item.get("role"))
        if role not in ("system", "user", "assistant"):
            raise invalid(f"{param}.role must be system, user or assistant (not {item.get('role')!r}).",
                          f"{param}.role")
        if item.get("tool_calls") or item.get("function_call"):
            raise invalid(f"{param} has tool calls, which LocalChat does not support.", f"{param}.tool_calls",
                          "unsupported_parameter")
        messages.append(Message(role, _content(item.get("content"), f"{param}.content")))
    return tuple(messages)


def _content(value: Any, param: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = []
        for part in value:
            if not isinstance(part, dict) or part.get("type") != "text" or not isinstance(part.get("text"), str):
                raise invalid(f"{param} may hold only text parts.", param, "unsupported_parameter")
            parts.append(part["text"])
        return "".join(parts)
    raise invalid(f"{param} must be a string or a list of text parts.", param)


def _stops(value: Any) -> tuple[str, ...]:
    stops = [value] if isinstance(value, str) else value
    if stops is None:
        return ()
    if not isinstance(stops, list) or not all(isinstance(s, str) and s for s in stops):
        raise invalid("stop must be a non-empty string or a list of non-empty strings.", "stop")
    if len(stops) > MAX_STOPS:
        raise invalid(f"stop accepts at most {MAX_STOPS} strings, not {len(stops)}.", "stop")
    return tuple(stops)


def _settings(body: dict, max_tokens: Any, max_name: str, limits: Limits, context_length: int) -> SamplingSettings:
    ceiling = min(limits.max_tokens or context_length, context_length)
    if max_tokens is None:
        max_tokens = ceiling
    elif not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or not 1 <= max_tokens <= ceiling:
        raise invalid(f"{max_name} must be a whole number from 1 to {ceiling}, not {max_tokens!r}.", max_name)
    values = {"temperature": _number(body, "temperature", DEFAULT_TEMPERATURE),
              "top_p": _number(body, "top_p", DEFAULT_TOP_P),
              "top_k": body.get("top_k", 0) if body.get("top_k") is not None else 0,
              "repetition_penalty": _number(body, "repetition_penalty", 1.0),
              "seed": body.get("seed")}
    settings = SamplingSettings(max_new_tokens=max_tokens, **values)
    try:
        return settings.validated()
    except InvalidSetting as error:
        name = next((n for n, label in _SETTING_LABELS.items() if error.user_message.startswith(label)), None)
        raise invalid(error.user_message, name) from error


def _number(body: dict, name: str, default: float) -> Any:
    value = body.get(name)
    return default if value is None else value


def _bool(body: dict, name: str) -> bool:
    value = body.get(name, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise invalid(f"{name} must be true or false.", name)
    return value


def _int(body: dict, name: str, low: int, high: int) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise invalid(f"{name} must be a whole number from {low} to {high}, not {value!r}.", name)
    return value
