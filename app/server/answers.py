"""The JSON LocalChat answers with, shaped as OpenAI's chat and text completions (objects and chunks)."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field

from engine.process.generation import Piece
from engine.runtime.record import ReplyRecord

FINISH_REASONS = {"eos": "stop", "stop": "stop", "max_tokens": "length", "context_full": "length"}


def finish_reason(record: ReplyRecord) -> str:
    return FINISH_REASONS.get(record.finish_reason, "stop")


def usage(record: ReplyRecord) -> dict:
    completion = record.generated_tokens
    return {"prompt_tokens": record.prompt_tokens, "completion_tokens": completion,
            "total_tokens": record.prompt_tokens + completion,
            "prompt_tokens_details": {"cached_tokens": record.reused_tokens}}


def _token_entry(text: str, logprob: float) -> dict:
    return {"token": text, "logprob": logprob, "bytes": list(text.encode("utf-8"))}


def chat_logprobs(pieces: list[Piece]) -> dict:
    """``choice.logprobs`` of a chat completion: one entry per token; the chosen token's text is what it added
    to the reply, so the entries' tokens join to the content."""
    content = []
    for piece in pieces:
        if piece.logprob is None:
            continue
        top = [_token_entry(piece.text if c.chosen else c.text, c.logprob) for c in piece.logprob.top]
        content.append({**_token_entry(piece.text, piece.logprob.logprob), "top_logprobs": top})
    return {"content": content, "refusal": None}


def completion_logprobs(pieces: list[Piece], offset: int) -> dict:
    """``choice.logprobs`` of a text completion (the legacy shape), text offsets counted from ``offset``."""
    tokens, values, tops, offsets = [], [], [], []
    for piece in pieces:
        if piece.logprob is None:
            continue
        tokens.append(piece.text)
        values.append(piece.logprob.logprob)
        top: dict[str, float] = {}
        for c in piece.logprob.top:
            top.setdefault(piece.text if c.chosen else c.text, c.logprob)
        tops.append(top)
        offsets.append(offset)
        offset += len(piece.text)
    return {"tokens": tokens, "token_logprobs": values, "top_logprobs": tops, "text_offset": offsets}


@dataclass
class Answer:
    """One completion being answered: the fields every chunk and the final object share."""

    model: str
    chat: bool
    logprobs: bool
    id: str = ""
    asked: str = ""  # the last message or prompt, kept only when the request log is on
    created: int = field(default_factory=lambda: int(time.time()))

    def __post_init__(self) -> None:
        self.id = self.id or ("chatcmpl-" if self.chat else "cmpl-") + uuid.uuid4().hex[:24]

    def _head(self, chunk: bool) -> dict:
        kind = ("chat.completion.chunk" if chunk else "chat.completion") if self.chat else "text_completion"
        return {"id": self.id, "object": kind, "created": self.created, "model": self.model,
                "system_fingerprint": "localchat"}

    def whole(self, pieces: list[Piece], record: ReplyRecord) -> dict:
        text = "".join(p.text for p in pieces)
        choice: dict = {"index": 0, "finish_reason": finish_reason(record)}
        if self.chat:
            choice["message"] = {"role": "assistant", "content": text, "refusal": None}
            choice["logprobs"] = chat_logprobs(pieces) if self.logprobs else None
        else:
            choice["text"] = text
            choice["logprobs"] = completion_logprobs(pieces, 0) if self.logprobs else None
        return {**self._head(False), "choices": [choice], "usage": usage(record)}

    def chunk(self, pieces: list[Piece], offset: int = 0, role: bool = False,
              finish: str | None = None, with_usage: bool = False) -> dict:
        text = "".join(p.text for p in pieces)
        choice: dict = {"index": 0, "finish_reason": finish}
        if self.chat:
            delta: dict = {"role": "assistant", "content": text} if role else ({"content": text} if pieces else {})
            choice["delta"] = delta
            choice["logprobs"] = chat_logprobs(pieces) if self.logprobs and pieces else None
        else:
            choice["text"] = text
            choice["logprobs"] = completion_logprobs(pieces, offset) if self.logprobs and pieces else None
        body = {**self._head(True), "choices": [choice]}
        if with_usage:
            body["usage"] = None
        return body

    def usage_chunk(self, record: ReplyRecord) -> dict:
        return {**self._head(True), "choices": [], "usage": usage(record)}


def sse(data: dict | str) -> str:
    """One server-sent event carrying ``data`` (a JSON object, or the literal ``[DONE]``)."""
    payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"data: {payload}\n\n"
